import "server-only";
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";
import type { StreamedFilePart } from "@/lib/http/multipart";
import { type FileStore, fileStoreErrorOf } from "@/lib/storage/file-store";
import { MAX_DOCUMENT_BYTES, SNIFF_HEAD_BYTES, type SniffResult, sniffDocumentHead, typeOfHead } from "./sniff";

/**
 * A file of an upload as it arrived, streamed into the store under our own key: its size, SHA-256
 * and first bytes were taken on the way, so it never was whole in memory. `stored` says whether
 * its bytes are now under `storageKey` (whoever turns it into a document, or refuses it, deletes
 * them otherwise).
 */
export type ReceivedFile = {
  index: number;
  fileName: string;
  storageKey: string;
  /** Its bytes, counted up to the per-file limit (a longer file is judged too large). */
  sizeBytes: number;
  sha256: string;
  /** The judgement of its bytes (empty, too large, a type we do not take, or the type). */
  sniffed: SniffResult;
  /** Whether the bytes are under storageKey. False for a refused file and when the store failed. */
  stored: boolean;
  /** The store's failure (full or unavailable), when it could not keep the bytes. */
  storeError: Error | null;
  /** False when the upload stopped before the file's end (the whole form is refused then). */
  isComplete: boolean;
};

/**
 * Streams one file part into the store: the first SNIFF_HEAD_BYTES are held until the type is
 * known (a file that is not a PDF, JPEG, PNG or UBL is counted to the end but never written), then
 * the bytes go on to `store.putStream` as they come, hashed on the way, with the store's
 * backpressure reaching the request. A part cut at the size limit, or whose upload stopped, is
 * dropped from the store (putStream keeps nothing of a failed stream). Never rejects: the outcome
 * is in the ReceivedFile.
 */
export async function receiveFileIntoStore(
  store: FileStore,
  storageKey: string,
  part: StreamedFilePart,
  /** Keep every file whatever its bytes, under this content type (a share waiting for its dossier is judged later). */
  options: { keepAnyFileAs?: string } = {},
): Promise<ReceivedFile> {
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let headBytes = 0;
  let sizeBytes = 0;
  let state: "head" | "storing" | "discarding" = "head";
  let sink: PassThrough | null = null;
  let storing: Promise<void> = Promise.resolve();
  let storeError: Error | null = null;
  let isComplete = true;

  /** Once the first bytes are known: a type we take starts its way to the store, anything else is only counted. */
  const decide = () => {
    const firstBytes = Buffer.concat(head);
    const type = typeOfHead(firstBytes.subarray(0, SNIFF_HEAD_BYTES));
    let contentType = options.keepAnyFileAs;
    if (contentType === undefined) {
      if (!type.ok || sizeBytes === 0) {
        state = "discarding";
        return;
      }
      contentType = type.type.mimeType;
    }
    const stream = new PassThrough();
    // Its failure (when we stop it) reaches us through putStream's answer, which may attach later.
    stream.on("error", () => {});
    sink = stream;
    state = "storing";
    storing = store.putStream(storageKey, stream, { contentType }).catch((error: unknown) => {
      // Stopped by us (cut at the limit, the upload ended early): nothing kept, nothing to report.
      if (!isComplete || part.isTruncated()) return;
      storeError = fileStoreErrorOf(error);
      state = "discarding";
    });
    stream.write(firstBytes);
  };

  try {
    for await (const chunk of part.stream as AsyncIterable<Buffer>) {
      sizeBytes += chunk.byteLength;
      hash.update(chunk);
      if (state === "head") {
        head.push(chunk);
        headBytes += chunk.byteLength;
        if (headBytes >= SNIFF_HEAD_BYTES) decide();
      } else if (state === "storing" && sink !== null) {
        const target: PassThrough = sink;
        // A store that failed takes no more; the part is still read to its end so the form goes on.
        if (target.destroyed) continue;
        if (!target.write(chunk)) await Promise.race([drained(target), storing]);
      }
    }
  } catch {
    isComplete = false;
  }
  if (state === "head" && isComplete) decide();

  const isTruncated = part.isTruncated();
  const finalSink = sink as PassThrough | null;
  if (finalSink !== null && !finalSink.destroyed) {
    if (!isComplete || isTruncated) finalSink.destroy(new Error("the file was not received whole"));
    else finalSink.end();
  }
  await storing;
  const firstBytes = Buffer.concat(head).subarray(0, SNIFF_HEAD_BYTES);
  return {
    index: part.index,
    fileName: part.fileName,
    storageKey,
    sizeBytes,
    sha256: hash.digest("hex"),
    // Cut at the limit: its size is "more than the limit", whatever was counted.
    sniffed: sniffDocumentHead(firstBytes, isTruncated ? MAX_DOCUMENT_BYTES + 1 : sizeBytes),
    stored: finalSink !== null && isComplete && !isTruncated && storeError === null,
    storeError,
    isComplete,
  };
}

function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}
