ALTER TYPE "public"."webhook_event_type" ADD VALUE 'webhook.test';--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "give_up_at" timestamp with time zone DEFAULT now() + interval '24 hours' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "previous_secret_encrypted" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "previous_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "disabled_notice_sent_at" timestamp with time zone;--> statement-breakpoint
-- Outgoing webhooks (issue 13): every document event that an office's endpoints subscribed to
-- becomes one webhook_deliveries row per endpoint, in the same statement as the event, so in the
-- same transaction as the document's change (a rolled-back change leaves no delivery, a crash
-- after the commit loses none). lib/webhooks/deliver.ts sends them.
--
-- Statement level with a transition table: a bulk send writes a thousand events in one statement,
-- and with no enabled endpoint the cost is one look at webhook_endpoints (with some, one pass over
-- the statement's events to find a kind that webhooks tell: a send request is none). The kinds map to event
-- types as lib/webhooks/events.ts says (webhookEventTypeFor; a test holds the two equal). The
-- payload is the Standard Webhooks envelope {type, timestamp, data}; data carries only what the
-- office's own documents say about themselves (docs/api/webhooks.md), never who acted, the
-- document's fields, where it was sent, or any credential.
CREATE FUNCTION "webhook_deliveries_from_document_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "webhook_endpoints" WHERE "disabled_at" IS NULL)
    OR NOT EXISTS (SELECT 1 FROM "new_document_events" WHERE "kind" IN (
      'received', 'recognised', 'typed', 'delivered', 'delivery_failed', 'rejected', 'imported')) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "webhook_deliveries"
    ("endpoint_id", "portal_id", "message_id", "event_type", "document_event_id", "document_id", "payload")
  SELECT ep."id", e."portal_id", 'msg_' || replace(gen_random_uuid()::text, '-', ''), t."event_type", e."id",
    e."document_id",
    jsonb_build_object(
      'type', t."event_type",
      'timestamp', to_char(e."occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'data', jsonb_strip_nulls(jsonb_build_object(
        'documentId', e."document_id",
        'dossierId', e."dossier_id",
        'status', e."to_status",
        'documentType', coalesce(d."document_type"::text, e."details"->>'documentType'),
        'fileName', d."file_name",
        'source', e."details"->>'source',
        'confidence', e."details"->'confidence',
        'dispatchId', e."dispatch_id",
        'packageReference', e."details"->>'packageReference',
        'errorCode', e."details"->>'errorCode',
        'reason', e."details"->>'reason'
      ))
    )
  FROM "new_document_events" AS e
  CROSS JOIN LATERAL (
    SELECT (CASE
      WHEN e."kind" = 'received' THEN 'document.received'
      WHEN e."kind" IN ('recognised', 'typed') THEN 'document.recognised'
      WHEN e."kind" = 'delivered' THEN 'document.sent'
      -- A failed delivery, or a bounce after "sent", or the package's refusal: as the status says.
      WHEN e."kind" IN ('delivery_failed', 'rejected') AND e."to_status" = 'rejected' THEN 'document.rejected'
      WHEN e."kind" IN ('delivery_failed', 'rejected') THEN 'document.failed'
      WHEN e."kind" = 'imported' THEN 'document.imported'
    END)::"webhook_event_type" AS "event_type"
  ) AS t
  JOIN "webhook_endpoints" AS ep
    ON ep."portal_id" = e."portal_id" AND ep."disabled_at" IS NULL AND t."event_type" = ANY(ep."event_types")
  LEFT JOIN "documents" AS d ON d."id" = e."document_id" AND d."portal_id" = e."portal_id"
  ORDER BY e."id", ep."id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "document_events_fan_out_webhooks" AFTER INSERT ON "document_events"
  REFERENCING NEW TABLE AS "new_document_events" FOR EACH STATEMENT
  EXECUTE FUNCTION "webhook_deliveries_from_document_events"();
