import { describe, expect, it } from "vitest";
import { documentEventKindEnum } from "@/db/schema";
import { SUBSCRIBABLE_EVENT_TYPES, webhookBodyOf, webhookEventTypeFor } from "@/lib/webhooks/events";

describe("webhookEventTypeFor", () => {
  it.each([
    ["received", "inbox", "document.received"],
    ["recognised", "inbox", "document.recognised"],
    ["typed", "failed", "document.recognised"],
    ["delivered", "sent", "document.sent"],
    ["delivery_failed", "failed", "document.failed"],
    ["rejected", "rejected", "document.rejected"],
    ["imported", "sent", "document.imported"],
    ["send_requested", "sending", null],
    ["retried", "sending", null],
    ["archived", "sent", null],
    ["unarchived", "sent", null],
    ["deleted", null, null],
    ["auto_send_skipped", "inbox", null],
  ] as const)("%s to %s is %s", (kind, toStatus, type) => {
    expect(webhookEventTypeFor(kind, toStatus)).toBe(type);
  });

  it("names an answer for every kind, and only subscribable types", () => {
    for (const kind of documentEventKindEnum.enumValues) {
      const type = webhookEventTypeFor(kind, "failed");
      if (type) expect(SUBSCRIBABLE_EVENT_TYPES).toContain(type);
    }
  });
});

describe("webhookBodyOf", () => {
  it("writes the envelope's keys in the spec's order, whatever order they were stored in", () => {
    const body = webhookBodyOf({ data: { documentId: "d" }, timestamp: "t", type: "document.sent" });
    expect(body).toBe('{"type":"document.sent","timestamp":"t","data":{"documentId":"d"}}');
  });
});
