import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ByteRange, RangeNotSatisfiableError, resolveByteRange } from "./byte-range";
import { assertValidKey, FileNotFoundError, type FileStore, fileStoreErrorOf, type OpenedFile } from "./file-store";

/** Files on local disk under `root` (the embedded default: .data/files). */
export class LocalDiskFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  async put(key: string, content: Uint8Array, _options?: { contentType: string }): Promise<void> {
    const target = this.pathOf(key);
    // Write then rename: a reader never sees half a file, a crash leaves only a temp file.
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(temp, content);
      await rename(temp, target);
    } catch (error) {
      // A full disk leaves the half-written temp file behind, which keeps it full: remove it.
      await rm(temp, { force: true }).catch(() => {});
      throw fileStoreErrorOf(error);
    }
  }

  async putStream(key: string, content: Readable, _options?: { contentType: string }): Promise<void> {
    const target = this.pathOf(key);
    const temp = `${target}.${randomUUID()}.tmp`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
    } catch (error) {
      throw fileStoreErrorOf(error);
    }
    const writer = createWriteStream(temp, { flags: "wx" });
    let hasDiskFailed = false;
    writer.once("error", () => {
      hasDiskFailed = true;
    });
    try {
      await pipeline(content, writer);
      await rename(temp, target);
    } catch (error) {
      // As for put: a stopped upload or a full disk leaves no temp file behind.
      await rm(temp, { force: true }).catch(() => {});
      // The stream's own failure (the upload stopped) is the caller's; the disk's is the store's.
      throw hasDiskFailed || writer.writableFinished ? fileStoreErrorOf(error) : error;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new FileNotFoundError(key);
      throw error;
    }
  }

  async open(key: string, range?: ByteRange): Promise<OpenedFile> {
    const filePath = this.pathOf(key);
    // One handle for the size and the bytes: a file replaced (renamed over) meanwhile is read whole
    // as it was when opened, never half old and half new.
    const handle = await open(filePath, "r").catch((error: NodeJS.ErrnoException) => {
      throw error.code === "ENOENT" ? new FileNotFoundError(key) : fileStoreErrorOf(error);
    });
    try {
      const { size } = await handle.stat();
      const resolved = range ? resolveByteRange(range, size) : undefined;
      const body = handle.createReadStream({ start: resolved?.start, end: resolved?.end, autoClose: true });
      return { body, size, range: resolved };
    } catch (error) {
      await handle.close();
      throw error instanceof RangeNotSatisfiableError ? error : fileStoreErrorOf(error);
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
