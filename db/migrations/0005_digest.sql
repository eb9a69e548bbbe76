CREATE TABLE "email_webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" text NOT NULL,
	"event_type" text NOT NULL,
	"email_id" text,
	"document_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "portal_members" ADD COLUMN "is_failure_digest_enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "portal_members" ADD COLUMN "failure_digest_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "email_webhook_deliveries" ADD CONSTRAINT "email_webhook_deliveries_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "email_webhook_deliveries_message_uq" ON "email_webhook_deliveries" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "email_webhook_deliveries_received_idx" ON "email_webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "documents_package_reference_idx" ON "documents" USING btree ("package_reference") WHERE "documents"."package_reference" is not null;--> statement-breakpoint
CREATE INDEX "documents_portal_failed_updated_idx" ON "documents" USING btree ("portal_id","updated_at") WHERE "documents"."status" in ('failed', 'rejected');