ALTER TABLE "attempts" ADD COLUMN "dossier_id" uuid;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "file_name" text;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "requested_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_requested_by_user_id_users_id_fk" FOREIGN KEY ("requested_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Custom: the existing attempts get the copies of their dispatch and document (the generated
-- migration added dossier_id as NOT NULL at once, which fails on a table with rows).
UPDATE "attempts" AS a
SET "dossier_id" = p."dossier_id",
  "requested_by_user_id" = p."requested_by_user_id",
  "file_name" = d."file_name"
FROM "dispatches" AS p
  LEFT JOIN "documents" AS d ON d."id" = p."document_id" AND d."portal_id" = p."portal_id"
WHERE p."id" = a."dispatch_id";--> statement-breakpoint
ALTER TABLE "attempts" ALTER COLUMN "dossier_id" SET NOT NULL;
