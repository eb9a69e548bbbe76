import { createHmac } from "node:crypto";

/**
 * Signs a webhook message as Svix does for Resend (https://docs.svix.com/receiving/verifying-payloads/how-manual):
 * "v1," + base64 HMAC-SHA256 of "<id>.<timestamp>.<body>", keyed with the base64 part of the
 * "whsec_…" secret (or with the key bytes themselves). Written from the recipe, not with the SDK
 * that verifies it, so a mistake on one side cannot hide behind the same mistake on the other.
 */
export function signSvixPayload(secret: string | Buffer, id: string, timestamp: string, body: string): string {
  const key =
    typeof secret === "string"
      ? Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64")
      : secret;
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`, "utf8").digest("base64")}`;
}
