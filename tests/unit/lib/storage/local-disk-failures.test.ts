import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { FileNotFoundError, FileStoreError } from "@/lib/storage/file-store";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { diskFull } from "../../../helpers/disk-full";

// Imported inside the factory: vi.mock runs before the file's own imports.
vi.mock("node:fs/promises", async (importOriginal) =>
  (await import("../../../helpers/disk-full")).withDiskFull(await importOriginal()),
);

let root: string;
let store: LocalDiskFileStore;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "koppel-store-full-"));
  store = new LocalDiskFileStore(root);
});
afterEach(() => {
  diskFull.after = null;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesUnder(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
}

describe("local disk file store when writing fails", () => {
  it("a full disk: refuses with storage_full (507), keeps no half-written temp file and no file under the key", async () => {
    diskFull.after = 100;
    const error = await store
      .put("p/d/full", new Uint8Array(5000).fill(7), { contentType: "application/pdf" })
      .catch((caught: unknown) => caught);
    expect(diskFull.failures).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(FileStoreError);
    expect(error).toMatchObject({ code: "storage_full", httpStatus: 507, messageKey: "storage.full" });
    expect((error as FileStoreError).cause).toMatchObject({ code: "ENOSPC" });
    expect(await filesUnder(root)).toEqual([]);
    await expect(store.get("p/d/full")).rejects.toBeInstanceOf(FileNotFoundError);

    // Space again: the same key takes the file whole.
    diskFull.after = null;
    await store.put("p/d/full", new Uint8Array(5000).fill(7), { contentType: "application/pdf" });
    expect((await store.get("p/d/full")).byteLength).toBe(5000);
  });

  it("a disk that fails otherwise (here a file where a folder must be): storage_unavailable (503)", async () => {
    await writeFile(path.join(root, "blocked"), "a file, not a folder");
    const error = await store
      .put("blocked/d/doc", new Uint8Array([1, 2, 3]), { contentType: "application/pdf" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "storage_unavailable", httpStatus: 503, messageKey: "storage.unavailable" });
    expect(((error as FileStoreError).cause as NodeJS.ErrnoException).code).toBe("ENOTDIR");
  });
});
