import { afterEach, describe, expect, it, vi } from "vitest";

// The production server holds several copies of lib/ (the jobs and the routes are bundled apart),
// each with its own FileStoreError class: a store shared through globalThis throws one copy's
// errors into the other's `instanceof`, and a full disk answered 500 instead of 507 per file (the
// fault drill's disk-full case). Each copy of lib/storage makes its own store.
afterEach(() => {
  vi.resetModules();
  delete process.env.KOPPEL_DATA_DIR;
});

describe("getFileStore", () => {
  it("gives each copy of the module a store whose errors are that copy's own classes", async () => {
    // Under a file, so every write fails (ENOTDIR): storage_unavailable.
    process.env.KOPPEL_DATA_DIR = "/dev/null/koppel";
    const first = await import("@/lib/storage");
    const firstErrors = await import("@/lib/storage/file-store");
    vi.resetModules();
    const second = await import("@/lib/storage");
    const secondErrors = await import("@/lib/storage/file-store");
    expect(firstErrors.FileStoreError).not.toBe(secondErrors.FileStoreError);

    expect(globalThis.__koppelFileStore).toBeUndefined();
    expect(first.getFileStore()).not.toBe(second.getFileStore());
    // A store of the second copy fails with the second copy's error.
    const failure = await second
      .getFileStore()
      .put("a/b", new Uint8Array([1]), { contentType: "application/pdf" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(secondErrors.FileStoreError);
  });

  it("still hands out the store a test set", async () => {
    const { getFileStore, setFileStore } = await import("@/lib/storage");
    const { LocalDiskFileStore } = await import("@/lib/storage/local-disk");
    const store = new LocalDiskFileStore("/tmp/koppel-store-test");
    setFileStore(store);
    try {
      expect(getFileStore()).toBe(store);
    } finally {
      setFileStore(undefined);
    }
  });
});
