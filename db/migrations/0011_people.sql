CREATE TYPE "public"."invitation_kind" AS ENUM('office_sign_up', 'sign_up_invite', 'portal_member', 'dossier_member');--> statement-breakpoint
CREATE TYPE "public"."member_event_action" AS ENUM('office_created', 'invited', 'invitation_resent', 'invitation_revoked', 'joined', 'role_changed', 'removed');--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "invitation_kind" NOT NULL,
	"token_hash" text NOT NULL,
	"email" text NOT NULL,
	"locale" "locale" NOT NULL,
	"portal_id" uuid,
	"dossier_id" uuid,
	"role" "portal_role",
	"sign_up" jsonb,
	"invited_by_user_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone,
	"accepted_by_user_id" uuid,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "member_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid,
	"action" "member_event_action" NOT NULL,
	"actor_user_id" uuid,
	"actor_label" text NOT NULL,
	"subject_email" text NOT NULL,
	"subject_user_id" uuid,
	"role" text,
	"previous_role" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_shares" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"files" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "last_signed_in_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "locale" "locale" DEFAULT 'nl' NOT NULL;--> statement-breakpoint
ALTER TABLE "portals" ADD COLUMN "company_number" text;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_user_id_users_id_fk" FOREIGN KEY ("invited_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_accepted_by_user_id_users_id_fk" FOREIGN KEY ("accepted_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_events" ADD CONSTRAINT "member_events_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_events" ADD CONSTRAINT "member_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_events" ADD CONSTRAINT "member_events_subject_user_id_users_id_fk" FOREIGN KEY ("subject_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_events" ADD CONSTRAINT "member_events_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_shares" ADD CONSTRAINT "pending_shares_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_hash_uq" ON "invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invitations_portal_open_idx" ON "invitations" USING btree ("portal_id","created_at") WHERE "invitations"."accepted_at" is null and "invitations"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "invitations_dossier_open_idx" ON "invitations" USING btree ("dossier_id") WHERE "invitations"."accepted_at" is null and "invitations"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "member_events_portal_idx" ON "member_events" USING btree ("portal_id","id");--> statement-breakpoint
CREATE INDEX "pending_shares_user_idx" ON "pending_shares" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "pending_shares_expires_idx" ON "pending_shares" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "portals_company_number_uq" ON "portals" USING btree ("company_number");