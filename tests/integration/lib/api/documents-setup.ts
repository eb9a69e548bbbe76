import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dispatches, documentEvents, documents } from "@/db/schema";
import type { DispatchRequestedEvent } from "@/lib/dispatch/request-send";

/** One part of a multipart form: a file (with a name) or a plain field. */
export type FormPart = { name: string; value: Uint8Array | string; fileName?: string; contentType?: string };

const encoder = new TextEncoder();

/**
 * A `multipart/form-data` body with a fixed boundary: the same parts give the same bytes, so a
 * request repeated with an Idempotency-Key carries the same body hash, as a client resending its
 * buffered request would.
 */
export function multipartBody(parts: readonly FormPart[], boundary = "koppel-test-boundary-7f3a") {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const disposition =
      part.fileName === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.fileName}"`;
    const type =
      part.fileName === undefined ? "" : `Content-Type: ${part.contentType ?? "application/octet-stream"}\r\n`;
    chunks.push(encoder.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(typeof part.value === "string" ? encoder.encode(part.value) : part.value);
    chunks.push(encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** The file parts of an upload: `file` once per file. */
export const fileParts = (...files: { fileName: string; content: Uint8Array }[]): FormPart[] =>
  files.map((file) => ({ name: "file", value: file.content, fileName: file.fileName, contentType: "application/pdf" }));

/** What the jobs client was handed (tests mock lib/jobs/client with this collector). */
export type CollectedJobEvent = { name: string; payload: unknown };

export function dispatchEventsIn(events: readonly CollectedJobEvent[]): DispatchRequestedEvent[] {
  return events
    .filter((event) => event.name === "dispatch/dispatch.requested")
    .map((event) => event.payload as DispatchRequestedEvent);
}

/** A document's row with what a refused change must leave as it was, plus its dispatches and events. */
export async function documentSnapshot(db: DbOrTx, documentId: string) {
  const [row] = await db
    .select({
      status: documents.status,
      documentType: documents.documentType,
      recognisedFields: documents.recognisedFields,
      recognitionConfidence: documents.recognitionConfidence,
      archivedAt: documents.archivedAt,
      updatedAt: documents.updatedAt,
    })
    .from(documents)
    .where(eq(documents.id, documentId));
  const dispatchRows = await db
    .select({ id: dispatches.id })
    .from(dispatches)
    .where(eq(dispatches.documentId, documentId));
  const eventRows = await db
    .select({ id: documentEvents.id })
    .from(documentEvents)
    .where(eq(documentEvents.documentId, documentId));
  return { row: row ?? null, dispatches: dispatchRows.length, events: eventRows.length };
}
