CREATE TYPE "public"."actor_kind" AS ENUM('user', 'token', 'system');--> statement-breakpoint
CREATE TYPE "public"."document_event_kind" AS ENUM('received', 'recognised', 'typed', 'send_requested', 'retried', 'delivered', 'delivery_failed', 'rejected', 'imported', 'archived', 'unarchived', 'deleted', 'auto_send_skipped');--> statement-breakpoint
CREATE TABLE "document_events" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "document_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"kind" "document_event_kind" NOT NULL,
	"from_status" "document_status",
	"to_status" "document_status",
	"actor_kind" "actor_kind" NOT NULL,
	"actor_user_id" uuid,
	"actor_reference" text,
	"dispatch_id" uuid,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_events_pk" PRIMARY KEY("document_id","id")
);
