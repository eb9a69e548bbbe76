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

/**
 * A multipart form read through readBodyWithLimit: "tooLarge" as soon as the body passes
 * `maxBytes` (the rest is never read), "unreadable" when it is not a form. The upload route, the
 * share target and the REST API's upload all read forms this way.
 */
export async function readFormWithLimit(
  request: Request,
  maxBytes: number,
): Promise<{ form: FormData; body: LimitedBody } | "tooLarge" | "unreadable"> {
  const body = await readBodyWithLimit(request, maxBytes);
  if (!body) return "tooLarge";
  const form = await formOf(body.bytes, request.headers.get("content-type"));
  return form ? { form, body } : "unreadable";
}

/** The form in bytes already read (with the request's Content-Type), or null when it is not one. */
export async function formOf(bytes: Uint8Array | null, contentType: string | null): Promise<FormData | null> {
  try {
    return await new Response(bytes ? new Uint8Array(bytes) : null, {
      headers: { "content-type": contentType ?? "" },
    }).formData();
  } catch {
    return null;
  }
}
