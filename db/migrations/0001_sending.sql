CREATE TABLE "recognition_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_hash" text NOT NULL,
	"document_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "recognition_confidence" real;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "auto_send_skip_reason" text;--> statement-breakpoint
ALTER TABLE "recognition_deliveries" ADD CONSTRAINT "recognition_deliveries_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "recognition_deliveries_hash_uq" ON "recognition_deliveries" USING btree ("delivery_hash");--> statement-breakpoint
CREATE INDEX "recognition_deliveries_received_idx" ON "recognition_deliveries" USING btree ("received_at");