import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileNotFoundError } from "@/lib/storage/file-store";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";

let root: string;
let store: LocalDiskFileStore;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "koppel-store-"));
  store = new LocalDiskFileStore(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("local disk file store", () => {
  it("stores, reads, replaces and deletes a file", async () => {
    await store.put("p/d/doc-1", new Uint8Array([1, 2, 3]), { contentType: "application/pdf" });
    expect(Array.from(await store.get("p/d/doc-1"))).toEqual([1, 2, 3]);
    await store.put("p/d/doc-1", new Uint8Array([9]), { contentType: "application/pdf" });
    expect(Array.from(await store.get("p/d/doc-1"))).toEqual([9]);
    expect((await readdir(path.join(root, "p", "d"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    await store.delete("p/d/doc-1");
    await expect(store.get("p/d/doc-1")).rejects.toBeInstanceOf(FileNotFoundError);
    await store.delete("p/d/doc-1");
  });

  it.each(["../etc/passwd", "/abs", "a/../b", "a//b", "a/./b", ""])("refuses the key %j", async (key) => {
    await expect(store.put(key, new Uint8Array([1]), { contentType: "text/plain" })).rejects.toThrow(
      /invalid storage key/,
    );
  });
});
