import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook, webhookHeaders, webhookSecretSchema } from "@/lib/webhooks/signing";

/*
 * Our signatures checked by others: the test vector published with the Standard Webhooks spec (its
 * reference libraries' tests; the expected value was also checked with the standardwebhooks
 * package's own sign()), and the standardwebhooks package's verify().
 */

const SPEC_VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  messageId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("signWebhook", () => {
  it("reproduces the Standard Webhooks test vector", () => {
    expect(signWebhook(SPEC_VECTOR.secret, SPEC_VECTOR.messageId, SPEC_VECTOR.timestamp, SPEC_VECTOR.body)).toBe(
      SPEC_VECTOR.signature,
    );
  });

  it("agrees with the standardwebhooks package on the vector", () => {
    const theirs = new Webhook(SPEC_VECTOR.secret).sign(
      SPEC_VECTOR.messageId,
      new Date(SPEC_VECTOR.timestamp * 1000),
      SPEC_VECTOR.body,
    );
    expect(theirs).toBe(SPEC_VECTOR.signature);
  });
});

describe("webhookHeaders", () => {
  const body = JSON.stringify({ type: "document.sent", timestamp: "2026-03-10T06:23:00.000000Z", data: { a: 1 } });

  it("are verified by the standardwebhooks package with a new secret", () => {
    const secret = generateWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders({ secrets: [secret], messageId: "msg_abc", timestampSeconds: now, body });
    expect(Object.keys(headers).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("carry one signature per secret, each verified on its own (a rotation's overlap)", () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = webhookHeaders({
      secrets: [newSecret, oldSecret],
      messageId: "msg_rotated",
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
    });
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });

  it("are refused once the body changes", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders({
      secrets: [secret],
      messageId: "msg_x",
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
    });
    expect(() => new Webhook(secret).verify(body.replace("1", "2"), headers)).toThrow();
  });
});

describe("generateWebhookSecret", () => {
  it("makes whsec_ secrets of 32 random bytes", () => {
    const secrets = new Set(Array.from({ length: 20 }, generateWebhookSecret));
    expect(secrets.size).toBe(20);
    for (const secret of secrets) {
      expect(webhookSecretSchema.safeParse(secret).success).toBe(true);
      expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(32);
    }
  });

  it("the schema refuses secrets that are too short or not whsec_", () => {
    expect(webhookSecretSchema.safeParse(`whsec_${Buffer.alloc(16).toString("base64")}`).success).toBe(false);
    expect(webhookSecretSchema.safeParse(Buffer.alloc(32).toString("base64")).success).toBe(false);
  });
});
