import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileNotFoundError, FileStoreError } from "@/lib/storage/file-store";
import { S3FileStore } from "@/lib/storage/s3";
import { type FakeS3, startFakeS3 } from "../../../fakes/s3-server";

// Against a real S3-compatible server (s3rver on 127.0.0.1), not a mock of the SDK: every test
// compares the SHA-256 of what comes back with what went in.
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let s3: FakeS3;
let store: S3FileStore;

beforeAll(async () => {
  s3 = await startFakeS3();
  store = new S3FileStore(s3.settings);
});

afterAll(async () => {
  store.destroy();
  await s3.close();
});

describe("S3FileStore", () => {
  it("stores and reads back the same bytes", async () => {
    const content = new Uint8Array(randomBytes(300_000));
    await store.put("p1/d1/doc-1", content, { contentType: "application/pdf" });
    const back = await store.get("p1/d1/doc-1");
    expect(sha256(back)).toBe(sha256(content));
    expect(await store.has("p1/d1/doc-1")).toEqual({ sizeBytes: content.byteLength });
  });

  it("replaces an object written twice under one key", async () => {
    await store.put("p1/d1/doc-2", new TextEncoder().encode("first"), { contentType: "text/plain" });
    const second = new TextEncoder().encode("second version");
    await store.put("p1/d1/doc-2", second, { contentType: "text/plain" });
    expect(sha256(await store.get("p1/d1/doc-2"))).toBe(sha256(second));
  });

  it("streams a file of several parts without the transfer framing inside it", async () => {
    // 17 MB: three multipart parts of 8 MB, sent as a stream of 64 KB chunks of unknown length.
    const chunks = Array.from({ length: 272 }, () => randomBytes(64 * 1024));
    const whole = Buffer.concat(chunks);
    await store.putStream("p1/d1/doc-big", Readable.from(chunks), { contentType: "application/pdf" });
    const back = await store.get("p1/d1/doc-big");
    expect(back.byteLength).toBe(whole.byteLength);
    expect(sha256(back)).toBe(sha256(whole));
  });

  it("says a missing object is missing, and deleting it is fine", async () => {
    await expect(store.get("p1/d1/never-stored")).rejects.toBeInstanceOf(FileNotFoundError);
    expect(await store.has("p1/d1/never-stored")).toBeNull();
    await expect(store.delete("p1/d1/never-stored")).resolves.toBeUndefined();
  });

  it("deletes an object", async () => {
    await store.put("p1/d1/doc-3", new Uint8Array([1, 2, 3]), { contentType: "application/octet-stream" });
    await store.delete("p1/d1/doc-3");
    await expect(store.get("p1/d1/doc-3")).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it("refuses keys that could walk out of the store", async () => {
    await expect(store.put("../etc/passwd", new Uint8Array([1]), { contentType: "text/plain" })).rejects.toThrow(
      /invalid storage key/,
    );
  });

  it("answers 503 'unavailable' when the bucket does not exist or the keys are wrong", async () => {
    const noBucket = new S3FileStore({ ...s3.settings, bucket: "no-such-bucket" });
    const wrongKeys = new S3FileStore({ ...s3.settings, accessKeyId: "UNKNOWN", secretAccessKey: "wrong" });
    try {
      for (const broken of [noBucket, wrongKeys]) {
        const error = await broken.put("p1/d1/x", new Uint8Array([1]), { contentType: "text/plain" }).catch((e) => e);
        expect(error).toBeInstanceOf(FileStoreError);
        expect(error).toMatchObject({ code: "storage_unavailable", httpStatus: 503 });
      }
    } finally {
      noBucket.destroy();
      wrongKeys.destroy();
    }
  });

  it("reports a server that goes away in the middle of a streamed upload, and keeps no object", async () => {
    const own = await startFakeS3({ bucket: "koppel-cut" });
    const cutStore = new S3FileStore({ ...own.settings, requestTimeoutMs: 3_000 });
    try {
      let sent = 0;
      const body = new Readable({
        read() {
          sent += 1;
          // Halfway through the second part the server stops (and drops every connection).
          if (sent === 200) void own.stop();
          this.push(sent <= 400 ? randomBytes(64 * 1024) : null);
        },
      });
      const error = await cutStore.putStream("p1/d1/doc-cut", body, { contentType: "application/pdf" }).catch((e) => e);
      expect(error).toBeInstanceOf(FileStoreError);
      expect(error).toMatchObject({ code: "storage_unavailable", httpStatus: 503 });
      await own.start();
      await expect(cutStore.get("p1/d1/doc-cut")).rejects.toBeInstanceOf(FileNotFoundError);
    } finally {
      cutStore.destroy();
      await own.close();
    }
  });

  it("answers 503 when nothing listens at the endpoint", async () => {
    const own = await startFakeS3({ bucket: "koppel-gone" });
    const goneStore = new S3FileStore(own.settings);
    await own.close();
    try {
      const error = await goneStore.get("p1/d1/x").catch((e) => e);
      expect(error).toMatchObject({ code: "storage_unavailable", httpStatus: 503 });
    } finally {
      goneStore.destroy();
    }
  });
});
