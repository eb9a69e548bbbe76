import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { migrateLocalFilesToS3 } from "@/lib/storage/migrate";
import { S3FileStore } from "@/lib/storage/s3";
import { type FakeS3, startFakeS3 } from "../../../fakes/s3-server";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let s3: FakeS3;
let target: S3FileStore;
let root: string;
const written = new Map<string, Uint8Array>();

beforeAll(async () => {
  s3 = await startFakeS3({ bucket: "koppel-migrate" });
  target = new S3FileStore(s3.settings);
  root = await mkdtemp(path.join(tmpdir(), "koppel-files-"));
  const local = new LocalDiskFileStore(root);
  for (const [key, size] of [
    ["portal-a/dossier-1/doc-1", 10],
    ["portal-a/dossier-1/doc-2", 200_000],
    ["portal-b/dossier-9/doc-3", 9_000_000],
    ["share/share-1/0", 1_000],
  ] as const) {
    const content = new Uint8Array(randomBytes(size));
    await local.put(key, content, { contentType: "application/pdf" });
    written.set(key, content);
  }
  // What a crash leaves behind: a temp file, never a stored file.
  await mkdir(path.join(root, "portal-a", "dossier-1"), { recursive: true });
  await writeFile(path.join(root, "portal-a", "dossier-1", "doc-4.1234.tmp"), "half");
});

afterAll(async () => {
  target.destroy();
  await s3.close();
  await rm(root, { recursive: true, force: true });
});

describe("npm run files:migrate (migrateLocalFilesToS3)", () => {
  it("copies every stored file under its key, byte for byte, and leaves temp files alone", async () => {
    const report = await migrateLocalFilesToS3(root, target, { verify: true });
    expect(report).toMatchObject({ copied: 4, alreadyThere: 0, mismatched: [] });
    expect(report.skipped).toEqual(["portal-a/dossier-1/doc-4.1234.tmp"]);
    for (const [key, content] of written) expect(sha256(await target.get(key))).toBe(sha256(content));
  });

  it("copies nothing when run a second time", async () => {
    const report = await migrateLocalFilesToS3(root, target, { verify: true });
    expect(report).toMatchObject({ copied: 0, alreadyThere: 4, bytesCopied: 0 });
  });

  it("copies again a file an interrupted run left with another size", async () => {
    await target.put("portal-a/dossier-1/doc-2", new Uint8Array([1, 2, 3]), { contentType: "application/pdf" });
    const report = await migrateLocalFilesToS3(root, target, { verify: true });
    expect(report).toMatchObject({ copied: 1, alreadyThere: 3, mismatched: [] });
    const content = written.get("portal-a/dossier-1/doc-2");
    if (!content) throw new Error("fixture missing");
    expect(sha256(await target.get("portal-a/dossier-1/doc-2"))).toBe(sha256(content));
  });
});
