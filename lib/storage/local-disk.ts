import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertValidKey, FileNotFoundError, type FileStore, fileStoreErrorOf } from "./file-store";

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

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new FileNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
