import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { assertValidKey } from "./file-store";
import type { S3FileStore } from "./s3";

export type FilesMigrationReport = {
  copied: number;
  alreadyThere: number;
  /** Copied, then read back with other bytes than the local file's (with `verify`). */
  mismatched: string[];
  /** Files whose name is not a storage key (half-written temp files of a crash): left alone. */
  skipped: string[];
  bytesCopied: number;
};

/**
 * Copies every file of a local store (KOPPEL_DATA_DIR/files) into an S3 bucket under the same key.
 * Run twice, it copies nothing the second time: a key already in the bucket with the same size is
 * left alone (one with another size, e.g. from an interrupted earlier run, is copied again). With `verify`, each copied object is read back and its SHA-256 compared with the
 * local file's. The local files are never changed or removed.
 */
export async function migrateLocalFilesToS3(
  localRoot: string,
  target: S3FileStore,
  options: { verify: boolean; onProgress?: (key: string, outcome: "copied" | "already-there") => void },
): Promise<FilesMigrationReport> {
  const report: FilesMigrationReport = { copied: 0, alreadyThere: 0, mismatched: [], skipped: [], bytesCopied: 0 };
  for await (const relative of walk(localRoot)) {
    const key = relative.split(path.sep).join("/");
    if (!isStorageKey(key) || key.endsWith(".tmp")) {
      report.skipped.push(key);
      continue;
    }
    const file = path.join(localRoot, relative);
    const { size } = await stat(file);
    const present = await target.has(key);
    if (present && present.sizeBytes === size) {
      report.alreadyThere += 1;
      options.onProgress?.(key, "already-there");
      continue;
    }
    await target.putStream(key, createReadStream(file), { contentType: "application/octet-stream" });
    report.copied += 1;
    report.bytesCopied += size;
    options.onProgress?.(key, "copied");
    if (options.verify) {
      const [local, remote] = await Promise.all([sha256OfFile(file), target.get(key)]);
      if (createHash("sha256").update(remote).digest("hex") !== local) report.mismatched.push(key);
    }
  }
  return report;
}

function isStorageKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

async function* walk(root: string, relative = ""): AsyncGenerator<string> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) yield* walk(root, child);
    else if (entry.isFile()) yield child;
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
