import { createHash } from "node:crypto";

export type LimitedBody = { bytes: Buffer; sha256: string; text(): string };

/**
 * Reads a request's body, at most `maxBytes`, hashing it while it streams: refuses early on a
 * declared Content-Length and stops reading a chunked body as soon as it is too long (nothing
 * larger is ever held in memory). Null when it is too large. Webhooks verify signatures over
 * these exact bytes; the API hashes them for Idempotency-Key.
 */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<LimitedBody | null> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  const hash = createHash("sha256");
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      hash.update(value);
      chunks.push(value);
    }
  }
  const bytes = Buffer.concat(chunks);
  return { bytes, sha256: hash.digest("hex"), text: () => bytes.toString("utf8") };
}

/** A body read as text (for webhooks, whose signatures cover the raw text), or null when too large. */
export async function readTextWithLimit(request: Request, maxBytes: number): Promise<string | null> {
  return (await readBodyWithLimit(request, maxBytes))?.text() ?? null;
}
