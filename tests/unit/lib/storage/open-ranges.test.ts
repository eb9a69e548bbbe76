import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ByteRange, RangeNotSatisfiableError } from "@/lib/storage/byte-range";
import { FileNotFoundError, type FileStore, FileStoreError } from "@/lib/storage/file-store";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { S3FileStore } from "@/lib/storage/s3";
import { type FakeS3, startFakeS3 } from "../../../fakes/s3-server";

// FileStore.open on both stores, local disk and a real S3-compatible server (s3rver on 127.0.0.1):
// every read, whole or ranged, is compared by SHA-256 with the same slice of what was written.

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function streamed(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

type StoreUnderTest = { store: FileStore; broken(): Promise<{ store: FileStore; dispose(): Promise<void> }> };

let root: string;
let s3: FakeS3;
const stores: Record<"local disk" | "S3", StoreUnderTest> = {} as never;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "koppel-open-"));
  s3 = await startFakeS3({ bucket: "koppel-open" });
  stores["local disk"] = {
    store: new LocalDiskFileStore(path.join(root, "files")),
    // A file where the store's folder must be: every read fails with ENOTDIR.
    async broken() {
      const notADirectory = path.join(root, "not-a-directory");
      await writeFile(notADirectory, "x");
      return { store: new LocalDiskFileStore(notADirectory), dispose: async () => {} };
    },
  };
  stores.S3 = {
    store: new S3FileStore(s3.settings),
    // A store whose server is gone: nothing listens at the endpoint.
    async broken() {
      const own = await startFakeS3({ bucket: "koppel-open-gone" });
      const store = new S3FileStore({ ...own.settings, requestTimeoutMs: 3_000 });
      await own.close();
      return { store, dispose: async () => store.destroy() };
    },
  };
});

afterAll(async () => {
  (stores.S3?.store as S3FileStore | undefined)?.destroy();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

const SIZE = 200_003;
const content = new Uint8Array(randomBytes(SIZE));

// [asked, first byte, last byte] of what comes back.
const ranges: [string, ByteRange, number, number][] = [
  ["start to end", { start: 1_000, end: 70_999 }, 1_000, 70_999],
  ["open-ended", { start: 123_456 }, 123_456, SIZE - 1],
  ["suffix", { suffixLength: 5_000 }, SIZE - 5_000, SIZE - 1],
  ["suffix longer than the file", { suffixLength: SIZE * 2 }, 0, SIZE - 1],
  ["last byte", { start: SIZE - 1, end: SIZE - 1 }, SIZE - 1, SIZE - 1],
  ["end past the end", { start: 150_000, end: SIZE + 10_000 }, 150_000, SIZE - 1],
];

describe.each(["local disk", "S3"] as const)("FileStore.open on %s", (name) => {
  const key = `p1/d1/open-${name === "S3" ? "s3" : "disk"}`;

  it("streams the whole file with its size", async () => {
    const { store } = stores[name];
    await store.put(key, content, { contentType: "application/pdf" });
    const opened = await store.open(key);
    expect(opened.size).toBe(SIZE);
    expect(opened.range).toBeUndefined();
    expect(sha256(await streamed(opened.body))).toBe(sha256(content));
  });

  it.each(ranges)("reads the range %s as the same slice of what was written", async (_label, range, first, last) => {
    const { store } = stores[name];
    await store.put(key, content, { contentType: "application/pdf" });
    const opened = await store.open(key, range);
    expect(opened.size).toBe(SIZE);
    expect(opened.range).toEqual({ start: first, end: last });
    const back = await streamed(opened.body);
    expect(back.byteLength).toBe(last - first + 1);
    expect(sha256(back)).toBe(sha256(content.subarray(first, last + 1)));
  });

  it("refuses a range past the end and an empty suffix, telling the file's size", async () => {
    const { store } = stores[name];
    await store.put(key, content, { contentType: "application/pdf" });
    for (const range of [{ start: SIZE }, { start: SIZE + 5, end: SIZE + 10 }, { suffixLength: 0 }]) {
      const error = await store.open(key, range).catch((e) => e);
      expect(error).toBeInstanceOf(RangeNotSatisfiableError);
      expect(error).toMatchObject({ size: SIZE });
    }
  });

  it("says a missing object is missing, whole or ranged, and after a delete", async () => {
    const { store } = stores[name];
    await expect(store.open("p1/d1/never-stored")).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(store.open("p1/d1/never-stored", { start: 0, end: 9 })).rejects.toBeInstanceOf(FileNotFoundError);
    await store.put(`${key}-deleted`, content, { contentType: "application/pdf" });
    await store.delete(`${key}-deleted`);
    await expect(store.open(`${key}-deleted`)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it("answers 503 'unavailable' when the store fails", async () => {
    const broken = await stores[name].broken();
    try {
      for (const range of [undefined, { start: 0, end: 9 }]) {
        const error = await broken.store.open("p1/d1/x", range).catch((e) => e);
        expect(error).toBeInstanceOf(FileStoreError);
        expect(error).toMatchObject({ code: "storage_unavailable", httpStatus: 503 });
      }
    } finally {
      await broken.dispose();
    }
  });

  it("refuses keys that could walk out of the store", async () => {
    await expect(stores[name].store.open("../etc/passwd")).rejects.toThrow(/invalid storage key/);
  });
});
