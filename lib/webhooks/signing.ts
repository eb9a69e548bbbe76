import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";

/*
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec "Signature scheme"): the
 * secret is "whsec_" + base64 of random bytes; the signature is "v1," + base64 of HMAC-SHA256,
 * keyed with the decoded secret bytes, over "<webhook-id>.<webhook-timestamp>.<body>". Several
 * signatures are separated by spaces (a rotated secret keeps signing for a while). Verified in
 * tests with the `standardwebhooks` package and the spec's own test vector, not with this file.
 */

export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** 32 random bytes: the spec takes 24 to 64. */
const SECRET_BYTES = 32;

export const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
  .refine((value) => {
    const bytes = Buffer.from(value.slice(WEBHOOK_SECRET_PREFIX.length), "base64").length;
    return bytes >= 24 && bytes <= 64;
  }, "a webhook secret carries 24 to 64 bytes");

/** A new endpoint secret. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/** One "v1,<base64>" signature of a message under one secret. */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), "base64");
  const digest = createHmac("sha256", key).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${digest}`;
}

/** The headers of one try: the same id on every try, the try's own timestamp, one signature per secret. */
export function webhookHeaders(input: {
  secrets: readonly string[];
  messageId: string;
  timestampSeconds: number;
  body: string;
}): Record<string, string> {
  return {
    "webhook-id": input.messageId,
    "webhook-timestamp": String(input.timestampSeconds),
    "webhook-signature": input.secrets
      .map((secret) => signWebhook(secret, input.messageId, input.timestampSeconds, input.body))
      .join(" "),
  };
}
