import { Readable } from "node:stream";
import type { DbOrTx } from "@/db";
import type { Actor } from "@/lib/auth/actor";
import {
  parseRangeHeader,
  RangeNotSatisfiableError,
  type ResolvedByteRange,
  resolveByteRange,
} from "@/lib/storage/byte-range";
import { contentDisposition } from "./content-disposition";
import { type DocumentFile, type OpenedDocumentFile, openDocumentFile } from "./get";

type Disposition = "inline" | "attachment";
type FileFacts = { fileName: string; mimeType: string };

/**
 * A document's original file as an HTTP answer, for the document page (preview and download) and
 * the REST API. Served with the type it was stored with (sniffed from its content at upload),
 * never sniffed again by the browser (`nosniff`), and, unless it is an image, in a sandbox
 * (`CSP: sandbox`): an XML or PDF file opened from our origin runs no script with it. Framed by
 * our own document page only (`frame-ancestors 'self'`; the pages themselves allow no framing at
 * all, lib/security/headers.ts): no other site can show a document inside its own.
 *
 * The bytes here are in memory (a generated PDF, the REST API's download). Given the request's
 * `Range` header (null when it has none), one range of them is answered as the streamed file is
 * (documentFileStreamResponse); without it, the whole file and no Accept-Ranges.
 */
export function documentFileResponse(
  file: DocumentFile,
  disposition: Disposition,
  rangeHeader?: string | null,
): Response {
  const size = file.content.byteLength;
  if (rangeHeader === undefined) {
    return fileBodyResponse(documentFileHeaders(file, disposition), Buffer.from(file.content), size);
  }
  const headers = documentFileHeaders(file, disposition);
  headers.set("accept-ranges", "bytes");
  const asked = parseRangeHeader(rangeHeader);
  if (!asked) return fileBodyResponse(headers, Buffer.from(file.content), size);
  let range: ResolvedByteRange;
  try {
    range = resolveByteRange(asked, size);
  } catch (error) {
    if (error instanceof RangeNotSatisfiableError) return rangeNotSatisfiableResponse(size);
    throw error;
  }
  return fileBodyResponse(headers, Buffer.from(file.content.subarray(range.start, range.end + 1)), size, range);
}

/**
 * A stored file streamed from the store (no whole file in memory), whole (200) or the one range
 * the request asked for (206 with Content-Range), with documentFileResponse's headers and
 * `Accept-Ranges: bytes`, so a PDF viewer or a resumed download can ask for parts.
 */
export function documentFileStreamResponse(file: OpenedDocumentFile, disposition: Disposition): Response {
  const headers = documentFileHeaders(file, disposition);
  headers.set("accept-ranges", "bytes");
  const body = Readable.toWeb(file.body) as ReadableStream<Uint8Array>;
  return fileBodyResponse(headers, body, file.size, file.range);
}

/**
 * A document's stored original, streamed (documentFileStreamResponse) with the one range the
 * request's `Range` header asks for, or 416 when that range selects no byte: for the file route and
 * the REST API, which each answer openDocumentFile's NotFoundError and FileStoreError their own way.
 */
export async function storedDocumentFileResponse(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  input: { rangeHeader: string | null; disposition: Disposition },
): Promise<Response> {
  const range = parseRangeHeader(input.rangeHeader) ?? undefined;
  try {
    return documentFileStreamResponse(await openDocumentFile(db, actor, documentId, range), input.disposition);
  } catch (error) {
    if (error instanceof RangeNotSatisfiableError) return rangeNotSatisfiableResponse(error.size);
    throw error;
  }
}

/**
 * 416: the range asked for selects no byte of the file; Content-Range tells its size. No body, so
 * no type or name; the same nosniff, cache and sandbox headers as the file itself.
 */
export function rangeNotSatisfiableResponse(size: number): Response {
  const headers = new Headers({
    "accept-ranges": "bytes",
    "content-range": `bytes */${size}`,
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "content-security-policy": documentFileContentSecurityPolicy("application/octet-stream"),
  });
  return new Response(null, { status: 416, headers });
}

function fileBodyResponse(headers: Headers, body: BodyInit, size: number, range?: ResolvedByteRange): Response {
  if (!range) {
    headers.set("content-length", String(size));
    return new Response(body, { status: 200, headers });
  }
  headers.set("content-length", String(range.end - range.start + 1));
  headers.set("content-range", `bytes ${range.start}-${range.end}/${size}`);
  return new Response(body, { status: 206, headers });
}

function documentFileHeaders(file: FileFacts, disposition: Disposition): Headers {
  return new Headers({
    "content-type": file.mimeType,
    "content-disposition": contentDisposition(disposition, file.fileName),
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "content-security-policy": documentFileContentSecurityPolicy(file.mimeType),
  });
}

/** The file's own policy: see documentFileResponse. */
export function documentFileContentSecurityPolicy(mimeType: string): string {
  return mimeType.startsWith("image/") ? "frame-ancestors 'self'" : "sandbox; frame-ancestors 'self'";
}
