-- Custom SQL migration file, put your code below! --
-- document_events has no foreign keys (a key check per row would be most of the cost of a bulk
-- send's thousand events), so a dossier's events go with the dossier here: one statement-level
-- trigger, which also fires for the dossiers a deleted portal takes with it.
CREATE FUNCTION "document_events_forget_dossiers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "document_events" AS e USING "gone_dossiers" AS g WHERE e."dossier_id" = g."id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "dossiers_forget_document_events" AFTER DELETE ON "dossiers"
  REFERENCING OLD TABLE AS "gone_dossiers" FOR EACH STATEMENT
  EXECUTE FUNCTION "document_events_forget_dossiers"();
