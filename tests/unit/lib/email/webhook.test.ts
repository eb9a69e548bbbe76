import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { bounceDetailOf, resendEventSchema, verifyResendWebhook } from "@/lib/email/webhook";
import { signSvixPayload } from "../../../helpers/svix";

// Svix's published example (docs.svix.com, "Verifying payloads manually").
const SVIX_EXAMPLE = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const EXAMPLE_SECONDS = Number(SVIX_EXAMPLE.timestamp);

/** The problem name of a refusal, or "ok". */
function verdict(message: { id?: string | null; timestamp?: string | null; body?: string; signature?: string | null }) {
  const { secret, id, timestamp, body, signature } = SVIX_EXAMPLE;
  const result = verifyResendWebhook(secret, {
    messageId: message.id === undefined ? id : message.id,
    timestamp: message.timestamp === undefined ? timestamp : message.timestamp,
    signature: message.signature === undefined ? signature : message.signature,
    rawBody: message.body ?? body,
  });
  if (result.ok) return "ok";
  const problem = result.outcome.body;
  const type = "type" in problem ? problem.type : "";
  return type.slice(type.lastIndexOf(":") + 1);
}

/** A message of Svix's example signed for another time (or body) with the example's secret. */
const signedAt = (timestamp: string, body = SVIX_EXAMPLE.body) => ({
  timestamp,
  body,
  signature: signSvixPayload(SVIX_EXAMPLE.secret, SVIX_EXAMPLE.id, timestamp, body),
});

describe("Svix signatures, checked by the Resend SDK", () => {
  // The SDK measures the timestamp against the clock: stand at the example's moment.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(EXAMPLE_SECONDS * 1000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("accepts Svix's own example, which the tests' signer reproduces, and hands back the parsed body", () => {
    const { secret, id, timestamp, body, signature } = SVIX_EXAMPLE;
    expect(signSvixPayload(secret, id, timestamp, body)).toBe(signature);
    expect(verifyResendWebhook(secret, { messageId: id, timestamp, signature, rawBody: body })).toEqual({
      ok: true,
      messageId: id,
      payload: { test: 2432232314 },
    });
  });

  it("accepts one matching signature among several, and skips other versions", () => {
    const { id, timestamp, body, signature } = SVIX_EXAMPLE;
    const other = signSvixPayload("whsec_b3RoZXJzZWNyZXQ=", id, timestamp, body);
    expect(verdict({ signature: `${other} ${signature}` })).toBe("ok");
    expect(verdict({ signature: `v1a,${signature.slice(3)}` })).toBe("bad-signature");
  });

  it("refuses a changed id, timestamp or body, a truncated or garbled signature", () => {
    const { id, body, signature } = SVIX_EXAMPLE;
    expect(verdict({ id: `${id}x` })).toBe("bad-signature");
    expect(verdict({ timestamp: "1614265331" })).toBe("bad-signature");
    expect(verdict({ body: `${body} ` })).toBe("bad-signature");
    expect(verdict({ signature: signature.slice(0, -8) })).toBe("bad-signature");
    expect(verdict({ signature: "v1,!!!" })).toBe("bad-signature");
  });

  it("refuses missing headers and a timestamp that is not unix seconds as a bad signature", () => {
    expect(verdict({ id: null })).toBe("bad-signature");
    expect(verdict({ timestamp: null })).toBe("bad-signature");
    expect(verdict({ signature: null })).toBe("bad-signature");
    expect(verdict({ signature: "" })).toBe("bad-signature");
    expect(verdict({ ...signedAt("1614265330abc") })).toBe("bad-signature");
  });

  it("allows five minutes either way and calls anything further stale, whatever the signature", () => {
    expect(verdict(signedAt(String(EXAMPLE_SECONDS - 300)))).toBe("ok");
    expect(verdict(signedAt(String(EXAMPLE_SECONDS + 300)))).toBe("ok");
    expect(verdict(signedAt(String(EXAMPLE_SECONDS - 301)))).toBe("stale-timestamp");
    expect(verdict(signedAt(String(EXAMPLE_SECONDS + 301)))).toBe("stale-timestamp");
    // The SDK looks at the time before the signature: a stale forgery is called stale.
    expect(verdict({ timestamp: String(EXAMPLE_SECONDS - 301), signature: "v1,AAAA" })).toBe("stale-timestamp");
  });

  it("calls a signed body that is not JSON, or empty, malformed", () => {
    expect(verdict(signedAt(SVIX_EXAMPLE.timestamp, "not json"))).toBe("malformed");
    expect(verdict(signedAt(SVIX_EXAMPLE.timestamp, ""))).toBe("malformed");
  });

  it("throws on a secret the SDK cannot use instead of calling every message forged", () => {
    const { id, timestamp, body, signature } = SVIX_EXAMPLE;
    expect(() => verifyResendWebhook("whsec_abc", { messageId: id, timestamp, signature, rawBody: body })).toThrow();
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
