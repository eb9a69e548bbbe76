import { contentDisposition } from "./content-disposition";
import type { DocumentFile } from "./get";

/**
 * A document's original file as an HTTP answer, for the document page (preview and download) and
 * the REST API. Served with the type it was stored with (sniffed from its content at upload),
 * never sniffed again by the browser (`nosniff`), and, unless it is an image, in a sandbox
 * (`CSP: sandbox`): an XML or PDF file opened from our origin runs no script with it. Framed by
 * our own document page only (`frame-ancestors 'self'`; the pages themselves allow no framing at
 * all, lib/security/headers.ts): no other site can show a document inside its own.
 */
export function documentFileResponse(file: DocumentFile, disposition: "inline" | "attachment"): Response {
  const headers = new Headers({
    "content-type": file.mimeType,
    "content-length": String(file.content.byteLength),
    "content-disposition": contentDisposition(disposition, file.fileName),
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
  });
  headers.set("content-security-policy", documentFileContentSecurityPolicy(file.mimeType));
  return new Response(Buffer.from(file.content), { status: 200, headers });
}

/** The file's own policy: see documentFileResponse. */
export function documentFileContentSecurityPolicy(mimeType: string): string {
  return mimeType.startsWith("image/") ? "frame-ancestors 'self'" : "sandbox; frame-ancestors 'self'";
}
