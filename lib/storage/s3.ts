import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { type ByteRange, RangeNotSatisfiableError, resolveByteRange } from "./byte-range";
import { assertValidKey, FileNotFoundError, type FileStore, FileStoreError, type OpenedFile } from "./file-store";

/**
 * Document files in an S3-compatible bucket (AWS S3, Cloudflare R2, Scaleway, MinIO), so every
 * instance reads what any instance stored. Objects are private (no ACL is ever set): previews and
 * downloads still go through the app and its permission checks. Keys are ours
 * ("<portalId>/<dossierId>/<documentId>"), never the file's own name.
 */
export type S3FileStoreSettings = {
  bucket: string;
  region: string;
  /** A non-AWS service's address, e.g. https://<account>.r2.cloudflarestorage.com. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `bucket` in the path instead of the host name (MinIO and most self-hosted services). */
  forcePathStyle?: boolean;
  /**
   * "when_supported" (the SDK's default) adds CRC checksums to every upload; "when_required" only
   * where the API demands one. Some S3-compatible services (and s3rver) store a streamed upload's
   * checksum framing inside the object unless it is "when_required".
   */
  checksums?: "when_supported" | "when_required";
  /** Gives up on a call after this long (the store "does not answer": 503). */
  requestTimeoutMs?: number;
};

export class S3FileStore implements FileStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3FileStoreSettings) {
    const checksums = settings.checksums === "when_required" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED";
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle ?? false,
      credentials:
        settings.accessKeyId && settings.secretAccessKey
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      requestChecksumCalculation: checksums,
      responseChecksumValidation: checksums,
      // The SDK retries throttling and 5xx itself; a store that stays down is reported, not waited on.
      maxAttempts: 3,
      requestHandler: { requestTimeout: settings.requestTimeoutMs ?? 30_000, connectionTimeout: 5_000 },
    });
  }

  async put(key: string, content: Uint8Array, options: { contentType: string }): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: content,
          ContentType: options.contentType,
          ContentLength: content.byteLength,
        }),
      );
    } catch (error) {
      throw s3StoreErrorOf(error);
    }
  }

  /**
   * Streams bytes of unknown length into the bucket in 8 MB parts (multipart upload), never holding
   * the whole file. A failure aborts the multipart upload, so no part is left behind to be billed.
   */
  async putStream(key: string, content: Readable, options: { contentType: string }): Promise<void> {
    assertValidKey(key);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: content, ContentType: options.contentType },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw s3StoreErrorOf(error);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    assertValidKey(key);
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!answer.Body) throw new FileNotFoundError(key);
      return await answer.Body.transformToByteArray();
    } catch (error) {
      if (isMissing(error)) throw new FileNotFoundError(key);
      if (error instanceof FileNotFoundError) throw error;
      throw s3StoreErrorOf(error);
    }
  }

  /**
   * A range is resolved against the object's size from a HEAD and then asked for as `bytes=a-b`
   * with the HEAD's ETag (If-Match): suffix ranges and ranges past the end are answered the same
   * on every S3-compatible service, and an object replaced in between fails (412, 503 here)
   * instead of mixing two versions' bytes.
   */
  async open(key: string, range?: ByteRange): Promise<OpenedFile> {
    assertValidKey(key);
    try {
      if (!range) {
        const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return { body: readableOf(answer.Body, key), size: answer.ContentLength ?? 0 };
      }
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      const size = head.ContentLength ?? 0;
      const resolved = resolveByteRange(range, size);
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: `bytes=${resolved.start}-${resolved.end}`,
          IfMatch: head.ETag,
        }),
      );
      return { body: readableOf(answer.Body, key), size, range: resolved };
    } catch (error) {
      if (isMissing(error)) throw new FileNotFoundError(key);
      if (error instanceof FileNotFoundError || error instanceof RangeNotSatisfiableError) throw error;
      throw s3StoreErrorOf(error);
    }
  }

  /** Whether the key has an object (the files migration skips what is already there). */
  async has(key: string): Promise<{ sizeBytes: number } | null> {
    assertValidKey(key);
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { sizeBytes: answer.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw s3StoreErrorOf(error);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      // S3 answers 204 for a key that has no object: missing files are fine, as the interface says.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw s3StoreErrorOf(error);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** The SDK's body on Node is an IncomingMessage (a Readable); anything else has no bytes for us. */
function readableOf(body: unknown, key: string): Readable {
  if (body instanceof Readable) return body;
  throw new FileNotFoundError(key);
}

function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey || error instanceof NotFound) return true;
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}

/**
 * A quota or size limit the service names is "full" (507); anything else (refused credentials, a
 * missing bucket, a service that does not answer or answers 5xx) is "unavailable" (503): people
 * are told to try again later, the operator finds the cause in the log.
 */
export function s3StoreErrorOf(error: unknown): FileStoreError {
  if (error instanceof FileStoreError) return error;
  const name = error instanceof Error ? error.name : "";
  const full = ["QuotaExceeded", "QuotaExceededException", "StorageQuotaExceeded", "InsufficientStorage"];
  if (full.includes(name) || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 507)) {
    return new FileStoreError("full", error);
  }
  return new FileStoreError("unavailable", error);
}
