DROP INDEX "documents_portal_dossier_status_idx";--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "failure_group" text;--> statement-breakpoint
CREATE INDEX "documents_portal_dossier_status_archived_idx" ON "documents" USING btree ("portal_id","dossier_id","status","archived_at");--> statement-breakpoint
CREATE INDEX "documents_portal_failure_group_idx" ON "documents" USING btree ("portal_id","failure_group","updated_at" DESC NULLS FIRST,"id" DESC NULLS FIRST,"status") WHERE "documents"."status" in ('failed', 'rejected') and "documents"."archived_at" is null;--> statement-breakpoint
-- Hand-written (issue 19): the stored failure group of the failed and rejected documents that
-- exist already, as lib/failures/groups.ts storedFailureGroupOf decides it (rejected: the
-- package's refusal; failed: FAILURE_GROUP_OF_CODE of the last error code, `unreachable` for a
-- missing or unknown code). From now on lib/documents/life.ts sets it where it records a failure.
-- tests/unit/lib/failures/groups.test.ts holds this list equal to FAILURE_GROUP_OF_CODE.
UPDATE "documents" SET "failure_group" = CASE
  WHEN "status" = 'rejected' THEN 'package_refusal'
  WHEN "last_error_code" IN ('auth_failed', 'not_authorised', 'login_failed', 'connection_needs_reauth') THEN 'reauth'
  WHEN "last_error_code" IN ('invalid_settings', 'missing_address', 'recipient_refused', 'unknown_target', 'wrong_region', 'host_not_allowed', 'permission_denied', 'host_key_mismatch', 'connector_unavailable', 'no_integration', 'integration_none', 'integration_incomplete', 'connection_disabled') THEN 'settings'
  WHEN "last_error_code" IN ('package_refused', 'file_refused') THEN 'package_refusal'
  WHEN "last_error_code" IN ('possible_duplicate', 'file_missing', 'not_recognised', 'not_found', 'archived', 'already_sent', 'already_sending') THEN 'file'
  ELSE 'unreachable'
END
WHERE "status" IN ('failed', 'rejected');
