import { describe, expect, it } from "vitest";
import { bounceDetailOf, isValidSvixSignature, resendEventSchema, signSvixPayload } from "@/lib/email/webhook";

// Svix's published example (docs.svix.com, "Verifying payloads manually").
const SVIX_EXAMPLE = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("Svix signatures", () => {
  it("computes Svix's own example signature", () => {
    const { secret, id, timestamp, body, signature } = SVIX_EXAMPLE;
    expect(signSvixPayload(secret, id, timestamp, body)).toBe(signature);
    expect(isValidSvixSignature(secret, id, timestamp, body, signature)).toBe(true);
  });

  it("accepts one matching signature among several, and skips other versions", () => {
    const { secret, id, timestamp, body, signature } = SVIX_EXAMPLE;
    const other = signSvixPayload("whsec_b3RoZXJzZWNyZXQ=", id, timestamp, body);
    expect(isValidSvixSignature(secret, id, timestamp, body, `${other} ${signature}`)).toBe(true);
    expect(isValidSvixSignature(secret, id, timestamp, body, `v1a,${signature.slice(3)}`)).toBe(false);
  });

  it("refuses a changed id, timestamp or body, a truncated or garbled signature", () => {
    const { secret, id, timestamp, body, signature } = SVIX_EXAMPLE;
    expect(isValidSvixSignature(secret, `${id}x`, timestamp, body, signature)).toBe(false);
    expect(isValidSvixSignature(secret, id, "1614265331", body, signature)).toBe(false);
    expect(isValidSvixSignature(secret, id, timestamp, `${body} `, signature)).toBe(false);
    expect(isValidSvixSignature(secret, id, timestamp, body, signature.slice(0, -8))).toBe(false);
    expect(isValidSvixSignature(secret, id, timestamp, body, "v1,!!!")).toBe(false);
    expect(isValidSvixSignature(secret, id, timestamp, body, "")).toBe(false);
  });
});

describe("bounceDetailOf", () => {
  it("puts the bounce type, subtype and message on one line, or nothing when there is none", () => {
    const bounce = { type: "Transient", subType: "MailboxFull", message: "452 4.2.2 Mailbox full" };
    expect(bounceDetailOf({ type: "email.bounced", data: { bounce } })).toBe(
      "Transient · MailboxFull: 452 4.2.2 Mailbox full",
    );
    expect(bounceDetailOf({ type: "email.bounced", data: { bounce: { type: "Permanent" } } })).toBe("Permanent");
    expect(bounceDetailOf({ type: "email.complained", data: {} })).toBeNull();
  });
});

describe("resendEventSchema", () => {
  it("cuts a very long bounce message instead of refusing the event", () => {
    const parsed = resendEventSchema.parse({
      type: "email.bounced",
      data: { email_id: "e1", bounce: { type: "Permanent", message: "x".repeat(5000) } },
    });
    expect(parsed.data.bounce?.message).toHaveLength(1000);
  });
});
