import type { WebhookEventType } from "@/lib/webhooks/events";

/** The key of an event type under "webhooks.events": "document.sent" → "sent", "webhook.test" → "test". */
export function eventKey(type: WebhookEventType) {
  return type.slice(type.indexOf(".") + 1) as
    | "received"
    | "recognised"
    | "sent"
    | "failed"
    | "rejected"
    | "imported"
    | "test";
}
