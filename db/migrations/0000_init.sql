CREATE TYPE "public"."locale" AS ENUM('nl', 'fr', 'en');--> statement-breakpoint
CREATE TYPE "public"."attempt_outcome" AS ENUM('running', 'succeeded', 'retryable_error', 'permanent_error', 'auth_error');--> statement-breakpoint
CREATE TYPE "public"."dispatch_status" AS ENUM('queued', 'running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."dispatch_trigger" AS ENUM('manual', 'bulk', 'auto', 'retry', 'test');--> statement-breakpoint
CREATE TYPE "public"."document_source" AS ENUM('upload', 'email', 'sales', 'api');--> statement-breakpoint
CREATE TYPE "public"."document_status" AS ENUM('inbox', 'sending', 'sent', 'failed', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."document_type" AS ENUM('purchase_invoice', 'purchase_credit_note', 'sales_invoice', 'sales_credit_note', 'receipt', 'other');--> statement-breakpoint
CREATE TYPE "public"."channel" AS ENUM('api', 'ftp', 'email');--> statement-breakpoint
CREATE TYPE "public"."connection_status" AS ENUM('not_checked', 'connected', 'needs_reauth', 'error', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."dossier_integration_kind" AS ENUM('connection', 'email', 'free_email', 'none');--> statement-breakpoint
CREATE TYPE "public"."dossier_role" AS ENUM('entrepreneur');--> statement-breakpoint
CREATE TYPE "public"."portal_role" AS ENUM('admin', 'accountant');--> statement-breakpoint
CREATE TABLE "accounts" (
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"provider" text NOT NULL,
	"provider_account_id" text NOT NULL,
	"refresh_token" text,
	"access_token" text,
	"expires_at" integer,
	"token_type" text,
	"scope" text,
	"id_token" text,
	"session_state" text,
	CONSTRAINT "accounts_provider_provider_account_id_pk" PRIMARY KEY("provider","provider_account_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"session_token" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"expires" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text,
	"email" text NOT NULL,
	"email_verified" timestamp with time zone,
	"image" text,
	"locale" "locale" DEFAULT 'nl' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "verification_tokens" (
	"identifier" text NOT NULL,
	"token" text NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	CONSTRAINT "verification_tokens_identifier_token_pk" PRIMARY KEY("identifier","token")
);
--> statement-breakpoint
CREATE TABLE "attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"dispatch_id" uuid NOT NULL,
	"document_id" uuid,
	"number" integer NOT NULL,
	"trigger" "dispatch_trigger" NOT NULL,
	"connector" text NOT NULL,
	"target" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"outcome" "attempt_outcome" DEFAULT 'running' NOT NULL,
	"error_code" text,
	"reason" text,
	"package_reference" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dispatches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"document_id" uuid,
	"connection_id" uuid,
	"trigger" "dispatch_trigger" NOT NULL,
	"requested_by_user_id" uuid,
	"status" "dispatch_status" DEFAULT 'queued' NOT NULL,
	"target" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"package_reference" text,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dispatches_test_has_no_document_ck" CHECK (("dispatches"."trigger" = 'test') = ("dispatches"."document_id" is null))
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"source" "document_source" NOT NULL,
	"file_name" text NOT NULL,
	"mime_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"document_type" "document_type",
	"recognised_fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "document_status" DEFAULT 'inbox' NOT NULL,
	"archived_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"package_reference" text,
	"last_error_code" text,
	"last_error_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_id_portal_uq" UNIQUE("id","portal_id")
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"package_id" text NOT NULL,
	"channel" "channel" NOT NULL,
	"label" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets_encrypted" text,
	"status" "connection_status" DEFAULT 'not_checked' NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error_code" text,
	"last_error_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connections_id_portal_uq" UNIQUE("id","portal_id")
);
--> statement-breakpoint
CREATE TABLE "dossier_integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"kind" "dossier_integration_kind" NOT NULL,
	"connection_id" uuid,
	"package_id" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dossier_integrations_connection_kind_ck" CHECK (("dossier_integrations"."kind" = 'connection') = ("dossier_integrations"."connection_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "dossier_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "dossier_role" DEFAULT 'entrepreneur' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dossiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"name" text NOT NULL,
	"company_number" text NOT NULL,
	"vat_number" text,
	"is_auto_send_enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dossiers_id_portal_uq" UNIQUE("id","portal_id")
);
--> statement-breakpoint
CREATE TABLE "outbox_emails" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text NOT NULL,
	"from" text NOT NULL,
	"to" text[] NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portal_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"portal_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "portal_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "portals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_dispatch_id_dispatches_id_fk" FOREIGN KEY ("dispatch_id") REFERENCES "public"."dispatches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_document_portal_fk" FOREIGN KEY ("document_id","portal_id") REFERENCES "public"."documents"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatches" ADD CONSTRAINT "dispatches_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatches" ADD CONSTRAINT "dispatches_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatches" ADD CONSTRAINT "dispatches_requested_by_user_id_users_id_fk" FOREIGN KEY ("requested_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatches" ADD CONSTRAINT "dispatches_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatches" ADD CONSTRAINT "dispatches_document_portal_fk" FOREIGN KEY ("document_id","portal_id") REFERENCES "public"."documents"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_integrations" ADD CONSTRAINT "dossier_integrations_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_integrations" ADD CONSTRAINT "dossier_integrations_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_integrations" ADD CONSTRAINT "dossier_integrations_connection_portal_fk" FOREIGN KEY ("connection_id","portal_id") REFERENCES "public"."connections"("id","portal_id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_members" ADD CONSTRAINT "dossier_members_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_members" ADD CONSTRAINT "dossier_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_members" ADD CONSTRAINT "dossier_members_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_members" ADD CONSTRAINT "portal_members_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "portal_members" ADD CONSTRAINT "portal_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accounts_user_id_idx" ON "accounts" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_dispatch_number_uq" ON "attempts" USING btree ("dispatch_id","number");--> statement-breakpoint
CREATE INDEX "attempts_document_idx" ON "attempts" USING btree ("document_id","started_at");--> statement-breakpoint
CREATE INDEX "attempts_portal_started_idx" ON "attempts" USING btree ("portal_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dispatches_one_active_per_document_uq" ON "dispatches" USING btree ("document_id") WHERE "dispatches"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "dispatches_document_idx" ON "dispatches" USING btree ("document_id","created_at");--> statement-breakpoint
CREATE INDEX "dispatches_active_idx" ON "dispatches" USING btree ("status","next_attempt_at") WHERE "dispatches"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "dispatches_portal_idx" ON "dispatches" USING btree ("portal_id","created_at");--> statement-breakpoint
CREATE INDEX "documents_dossier_status_created_idx" ON "documents" USING btree ("dossier_id","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "documents"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "documents_dossier_archived_idx" ON "documents" USING btree ("dossier_id","archived_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "documents"."archived_at" is not null;--> statement-breakpoint
CREATE INDEX "documents_portal_dossier_status_idx" ON "documents" USING btree ("portal_id","dossier_id","status");--> statement-breakpoint
CREATE INDEX "connections_portal_idx" ON "connections" USING btree ("portal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dossier_integrations_dossier_uq" ON "dossier_integrations" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "dossier_integrations_connection_idx" ON "dossier_integrations" USING btree ("connection_id");--> statement-breakpoint
CREATE INDEX "dossier_integrations_portal_idx" ON "dossier_integrations" USING btree ("portal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dossier_members_dossier_user_uq" ON "dossier_members" USING btree ("dossier_id","user_id");--> statement-breakpoint
CREATE INDEX "dossier_members_user_idx" ON "dossier_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "dossier_members_portal_idx" ON "dossier_members" USING btree ("portal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dossiers_portal_company_number_uq" ON "dossiers" USING btree ("portal_id","company_number");--> statement-breakpoint
CREATE INDEX "dossiers_portal_name_idx" ON "dossiers" USING btree ("portal_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_emails_idempotency_key_uq" ON "outbox_emails" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "outbox_emails_created_idx" ON "outbox_emails" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "portal_members_portal_user_uq" ON "portal_members" USING btree ("portal_id","user_id");--> statement-breakpoint
CREATE INDEX "portal_members_user_idx" ON "portal_members" USING btree ("user_id");