import { z } from "zod";
import type { documentEventKindEnum, documentStatusEnum, webhookEventTypeEnum } from "@/db/schema";

/*
 * The events of outgoing webhooks, and which document events they come from. The fan-out itself is
 * SQL (the trigger of migration 0010_webhook-fanout, so it happens in the same transaction as the
 * document's change); webhookEventTypeFor says the same in TypeScript, and
 * tests/integration/lib/webhooks/fan-out.test.ts holds the two equal for every kind.
 */

export type WebhookEventType = (typeof webhookEventTypeEnum.enumValues)[number];
type DocumentEventKind = (typeof documentEventKindEnum.enumValues)[number];
type DocumentStatus = (typeof documentStatusEnum.enumValues)[number];

/** What an endpoint may subscribe to, in the order the settings page lists them. */
export const SUBSCRIBABLE_EVENT_TYPES = [
  "document.received",
  "document.recognised",
  "document.sent",
  "document.failed",
  "document.rejected",
  "document.imported",
] as const satisfies readonly WebhookEventType[];
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

/** The message of "Send a test event": only to the endpoint it was asked for. */
export const TEST_EVENT_TYPE = "webhook.test" satisfies WebhookEventType;

export const subscribableEventTypeSchema = z.enum(SUBSCRIBABLE_EVENT_TYPES);

/**
 * The webhook a document event becomes, or null for the kinds no webhook tells (a send requested,
 * archived, deleted, …). Recognised covers a type set by hand ("typed") too. A failure after
 * "sent" (a bounced mail) is recorded as delivery_failed to status failed, the package's refusal
 * as rejected: the status decides between document.failed and document.rejected.
 */
export function webhookEventTypeFor(kind: DocumentEventKind, toStatus: DocumentStatus | null): WebhookEventType | null {
  switch (kind) {
    case "received":
      return "document.received";
    case "recognised":
    case "typed":
      return "document.recognised";
    case "delivered":
      return "document.sent";
    case "delivery_failed":
    case "rejected":
      return toStatus === "rejected" ? "document.rejected" : "document.failed";
    case "imported":
      return "document.imported";
    case "send_requested":
    case "retried":
    case "archived":
    case "unarchived":
    case "deleted":
    case "auto_send_skipped":
    case "duplicate_held":
    case "duplicate_cleared":
    case "delivery_waiting":
      return null;
  }
}

/**
 * The `data` of a document message as the trigger writes it. Fields a change did not touch are
 * absent (the trigger strips nulls). Nothing here is secret to the office the endpoint belongs to;
 * who acted, the recognised fields and where the document was delivered are left out on purpose.
 */
export const documentWebhookDataSchema = z.object({
  documentId: z.string(),
  dossierId: z.string(),
  status: z.string().optional(),
  documentType: z.string().optional(),
  fileName: z.string().optional(),
  source: z.string().optional(),
  confidence: z.number().optional(),
  dispatchId: z.string().optional(),
  packageReference: z.string().optional(),
  errorCode: z.string().optional(),
  reason: z.string().optional(),
});

/** A stored payload: the Standard Webhooks envelope. Read back with this schema before it is sent. */
export const webhookPayloadSchema = z.object({
  type: z.string(),
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/**
 * The body that is signed and sent: the envelope's keys in the spec's order (jsonb keeps its own
 * order), serialised the same way on every try.
 */
export function webhookBodyOf(payload: WebhookPayload): string {
  return JSON.stringify({ type: payload.type, timestamp: payload.timestamp, data: payload.data });
}
