ALTER TYPE "public"."document_event_kind" ADD VALUE 'delivery_waiting';--> statement-breakpoint
CREATE TABLE "delivery_breakers" (
	"key" text PRIMARY KEY NOT NULL,
	"portal_id" uuid,
	"connection_id" uuid,
	"failures" integer DEFAULT 0 NOT NULL,
	"failing_since" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone,
	"next_probe_at" timestamp with time zone,
	"probes" integer DEFAULT 0 NOT NULL,
	"last_error_code" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dispatches" ADD COLUMN "failing_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dispatches" ADD COLUMN "waiting_code" text;--> statement-breakpoint
ALTER TABLE "delivery_breakers" ADD CONSTRAINT "delivery_breakers_portal_id_portals_id_fk" FOREIGN KEY ("portal_id") REFERENCES "public"."portals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_breakers" ADD CONSTRAINT "delivery_breakers_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delivery_breakers_portal_idx" ON "delivery_breakers" USING btree ("portal_id");