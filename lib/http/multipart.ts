import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { Busboy, type BusboyFileStream } from "@fastify/busboy";

/** One file part of a form, handed over while the body streams: its bytes arrive on `stream`. */
export type StreamedFilePart = {
  /** The position among the form's parts of the file field (0, 1, …). */
  index: number;
  fileName: string;
  /** The browser's content type (a hint only: uploads judge the bytes). */
  mimeType: string;
  /** Ends at the end of the part, or at `maxFileBytes` with `isTruncated()` true (the rest is discarded unread). */
  stream: Readable;
  /** Whether the part was longer than `maxFileBytes` (known once `stream` has ended). */
  isTruncated(): boolean;
};

export type StreamedForm = {
  /** The text fields (the first value of each name). */
  fields: Map<string, string>;
  /** How many parts of the file field the form had (at most `maxFiles` + 1: reading stops there). */
  fileCount: number;
  /** More than `maxFiles` parts of the file field: reading stopped at the first one too many. */
  hasTooManyFiles: boolean;
  /** The SHA-256 of the body's bytes as they were read (the REST API's Idempotency-Key compares it). */
  sha256: string;
};

export type StreamedFormOptions = {
  /** The whole body: a larger one (declared or chunked) stops being read at this many bytes. */
  maxBytes: number;
  /** Each file part: longer ones are cut here (isTruncated) and the rest of the part is skipped. */
  maxFileBytes: number;
  /** The name of the file parts; file parts under other names are skipped. */
  fileField: string;
  maxFiles: number;
  /**
   * Consumes one file part. Must read `stream` to its end (or until it fails): the next part is
   * parsed only once this one's bytes are taken, which is what keeps memory flat (backpressure
   * reaches the socket). Called for one part at a time, in order: the next call waits for this
   * one's promise. It should record its own outcome rather than reject.
   */
  onFile(part: StreamedFilePart): Promise<void>;
};

/**
 * Reads a multipart form as it streams, with @fastify/busboy, never holding more of it than a
 * few chunks: text fields are collected, each file part goes to `onFile` as a stream. The limits
 * hold while reading, chunked bodies included: a body over `maxBytes` is "tooLarge" as soon as it
 * passes the limit (a declared Content-Length over it before a byte is read), and the rest is never
 * read; a file part over `maxFileBytes` is cut; a file part past `maxFiles` stops the reading.
 * "unreadable" when the body is not a multipart form. When reading stops early, the file part
 * being read fails (its stream is destroyed), so `onFile` can drop what it stored.
 */
export async function readStreamedForm(
  request: Request,
  options: StreamedFormOptions,
): Promise<StreamedForm | "tooLarge" | "unreadable"> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) return "tooLarge";
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) return "unreadable";

  let busboy: ReturnType<typeof Busboy>;
  try {
    busboy = Busboy({
      headers: { "content-type": contentType },
      // The name as the browser sent it (a full path from some): the ingestion makes its own safe name.
      preservePath: true,
      limits: { fileSize: options.maxFileBytes, fieldSize: 64 * 1024, fields: 100, headerPairs: 100 },
    });
  } catch {
    return "unreadable";
  }

  const fields = new Map<string, string>();
  const handlers: Promise<void>[] = [];
  const openFiles = new Set<BusboyFileStream>();
  let fileCount = 0;
  let hasTooManyFiles = false;
  let parseError: unknown = null;

  busboy.on("field", (name, value) => {
    if (!fields.has(name)) fields.set(name, value);
  });
  /** A part nobody reads: drained, and a body that ends inside it is no crash (the form is unreadable then). */
  const skip = (stream: BusboyFileStream) => {
    stream.on("error", () => {});
    stream.resume();
  };
  busboy.on("file", (name, stream, fileName, _encoding, mimeType) => {
    if (name !== options.fileField || hasTooManyFiles) {
      skip(stream);
      return;
    }
    fileCount += 1;
    if (fileCount > options.maxFiles) {
      hasTooManyFiles = true;
      skip(stream);
      return;
    }
    openFiles.add(stream);
    // A part queued behind another has no reader yet when the upload stops and it is destroyed: the
    // error must not go unheard (an uncaught exception); it stays on the stream (`errored`), which
    // its reader meets when its turn comes.
    stream.on("error", () => undefined);
    stream.once("close", () => openFiles.delete(stream));
    stream.once("end", () => openFiles.delete(stream));
    const part: StreamedFilePart = {
      index: fileCount - 1,
      fileName,
      mimeType,
      stream,
      isTruncated: () => stream.truncated,
    };
    // One file at a time, in the form's order: the next part waits (paused, so the socket does too)
    // until the one before is wholly handled, e.g. stored.
    // (A rejected one still lets the next part be read, or the parser would wait for ever.)
    const previous = handlers.at(-1)?.catch(() => undefined) ?? Promise.resolve();
    handlers.push(previous.then(() => options.onFile(part)));
  });
  const finished = new Promise<void>((resolve) => {
    busboy.once("finish", resolve);
    // `on`, not `once`: a second error (the parser's, then its part's) must not go unheard.
    busboy.on("error", (error: unknown) => {
      parseError ??= error;
      resolve();
    });
  });

  const hash = createHash("sha256");
  let total = 0;
  let isTooLarge = false;
  const reader = request.body?.getReader();
  try {
    while (reader && !hasTooManyFiles && parseError === null) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) {
        isTooLarge = true;
        break;
      }
      hash.update(value);
      if (!busboy.write(value)) await drainOf(busboy);
    }
  } catch (error) {
    // The client went away mid-body: what it sent is unusable.
    parseError = error;
  }

  const isStopped = isTooLarge || hasTooManyFiles || parseError !== null;
  if (isStopped) {
    await reader?.cancel().catch(() => undefined);
    // The part being read never ends by itself now: fail it, so its consumer lets go of the store.
    for (const stream of openFiles) stream.destroy(new Error("the upload stopped before this file ended"));
    busboy.destroy();
  } else {
    busboy.end();
    await finished;
  }
  const outcomes = await Promise.allSettled(handlers);
  const rejected = outcomes.find((outcome) => outcome.status === "rejected");
  if (rejected) throw rejected.reason;

  if (isTooLarge) return "tooLarge";
  if (hasTooManyFiles) return { fields, fileCount, hasTooManyFiles, sha256: hash.digest("hex") };
  if (parseError !== null) return "unreadable";
  return { fields, fileCount, hasTooManyFiles, sha256: hash.digest("hex") };
}

/** Until busboy takes more (its file part's consumer caught up), or fails. */
function drainOf(busboy: ReturnType<typeof Busboy>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      busboy.off("drain", done);
      busboy.off("error", done);
      busboy.off("close", done);
      resolve();
    };
    busboy.on("drain", done);
    busboy.on("error", done);
    busboy.on("close", done);
  });
}
