CREATE TABLE "document_counts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "document_counts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"portal_id" uuid NOT NULL,
	"dossier_id" uuid NOT NULL,
	"status" "document_status" NOT NULL,
	"is_archived" boolean NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "document_counts" ADD CONSTRAINT "document_counts_dossier_portal_fk" FOREIGN KEY ("dossier_id","portal_id") REFERENCES "public"."dossiers"("id","portal_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "document_counts_dossier_idx" ON "document_counts" USING btree ("dossier_id");--> statement-breakpoint
-- Document counts per dossier, status and archived (issue 19), written by the database itself:
-- every statement that inserts, updates or deletes documents adds one row per dossier × status ×
-- archived whose count it changed (+n or −n), in the same transaction. Statement level with
-- transition tables: a bulk send of 1,000 adds two rows, an update that changes neither status nor
-- archived adds none (its old and new rows cancel out). Rows are only inserted, never updated in
-- place, so writers of one dossier never wait for each other on them; lib/documents/counts.ts adds
-- them up and folds a dossier's rows into one per state when they pile up.
--
-- A delete that comes from deleting the dossier (or its portal) adds nothing: the dossier is gone
-- and its rows with it (the foreign key cascades).
CREATE FUNCTION "document_counts_from_documents"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "document_counts" ("portal_id", "dossier_id", "status", "is_archived", "n")
    SELECT d."portal_id", d."dossier_id", d."status", d."archived_at" IS NOT NULL, count(*)::int
    FROM "new_documents" AS d
    GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO "document_counts" ("portal_id", "dossier_id", "status", "is_archived", "n")
    SELECT c."portal_id", c."dossier_id", c."status", c."is_archived", sum(c."n")::int
    FROM (
      SELECT o."portal_id", o."dossier_id", o."status", o."archived_at" IS NOT NULL AS "is_archived", -1 AS "n"
      FROM "old_documents" AS o
      UNION ALL
      SELECT d."portal_id", d."dossier_id", d."status", d."archived_at" IS NOT NULL, 1
      FROM "new_documents" AS d
    ) AS c
    GROUP BY 1, 2, 3, 4
    HAVING sum(c."n") <> 0;
  ELSE
    INSERT INTO "document_counts" ("portal_id", "dossier_id", "status", "is_archived", "n")
    SELECT o."portal_id", o."dossier_id", o."status", o."archived_at" IS NOT NULL, -count(*)::int
    FROM "old_documents" AS o
    WHERE EXISTS (SELECT 1 FROM "dossiers" AS s WHERE s."id" = o."dossier_id" AND s."portal_id" = o."portal_id")
    GROUP BY 1, 2, 3, 4;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "documents_count_inserts" AFTER INSERT ON "documents"
  REFERENCING NEW TABLE AS "new_documents" FOR EACH STATEMENT
  EXECUTE FUNCTION "document_counts_from_documents"();--> statement-breakpoint
CREATE TRIGGER "documents_count_updates" AFTER UPDATE ON "documents"
  REFERENCING OLD TABLE AS "old_documents" NEW TABLE AS "new_documents" FOR EACH STATEMENT
  EXECUTE FUNCTION "document_counts_from_documents"();--> statement-breakpoint
CREATE TRIGGER "documents_count_deletes" AFTER DELETE ON "documents"
  REFERENCING OLD TABLE AS "old_documents" FOR EACH STATEMENT
  EXECUTE FUNCTION "document_counts_from_documents"();--> statement-breakpoint
-- The documents there are now, counted once; the triggers above (created first, in the same
-- transaction) count every change from here on.
INSERT INTO "document_counts" ("portal_id", "dossier_id", "status", "is_archived", "n")
SELECT "portal_id", "dossier_id", "status", "archived_at" IS NOT NULL, count(*)::int
FROM "documents"
GROUP BY 1, 2, 3, 4;
