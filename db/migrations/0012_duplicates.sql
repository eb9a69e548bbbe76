ALTER TYPE "public"."document_event_kind" ADD VALUE 'duplicate_held';--> statement-breakpoint
ALTER TYPE "public"."document_event_kind" ADD VALUE 'duplicate_cleared';--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "possible_duplicate_of" uuid;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "is_legacy_file_copy" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_possible_duplicate_of_documents_id_fk" FOREIGN KEY ("possible_duplicate_of") REFERENCES "public"."documents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Data step (issue 15, "the same file twice in a dossier is refused"). Before this migration the
-- same file could be stored twice in one dossier, and such rows would stop the unique index below
-- from being built. None is deleted or changed in what it says: the first copy of each file (by
-- arrival) keeps its place under the index, and every later copy is marked as a legacy copy, which
-- the index leaves out (a partial index; every document stored from now on is not a legacy copy,
-- so the rule holds for all of them). A later copy that has not been sent yet is also held as a
-- possible duplicate of the first, so it is not sent twice without a person deciding: the document
-- page shows the hold with "it is a different document" and "delete". No "duplicate_held" event is
-- written for these: a new enum value cannot be used in the transaction that adds it.
UPDATE "documents" SET "is_legacy_file_copy" = true,
  "possible_duplicate_of" = CASE
    WHEN "documents"."status" IN ('inbox', 'failed', 'rejected') AND "documents"."archived_at" IS NULL
      THEN "copies"."first_id" ELSE NULL END
FROM (
  SELECT "id", row_number() OVER w AS "copy", first_value("id") OVER w AS "first_id"
  FROM "documents"
  WINDOW w AS (PARTITION BY "dossier_id", "sha256" ORDER BY "created_at", "id")
) AS "copies"
WHERE "copies"."id" = "documents"."id" AND "copies"."copy" > 1;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_dossier_sha256_uq" ON "documents" USING btree ("dossier_id","sha256") WHERE not "documents"."is_legacy_file_copy";--> statement-breakpoint
CREATE INDEX "documents_dossier_vat_invoice_number_idx" ON "documents" USING btree ("dossier_id",("recognised_fields"->>'vatNumber'),lower("recognised_fields"->>'invoiceNumber')) WHERE ("documents"."recognised_fields"->>'vatNumber') is not null and ("documents"."recognised_fields"->>'invoiceNumber') is not null;