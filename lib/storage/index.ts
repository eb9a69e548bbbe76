import "server-only";
import path from "node:path";
import { dataDir, env } from "@/lib/env";
import type { FileStore } from "./file-store";
import { LocalDiskFileStore } from "./local-disk";
import { S3FileStore } from "./s3";

declare global {
  var __koppelFileStore: FileStore | undefined;
}

/** The process-wide file store: FILE_STORE=s3 (a shared bucket) or local disk in the data dir. */
export function getFileStore(): FileStore {
  globalThis.__koppelFileStore ??= fileStoreFromEnv();
  return globalThis.__koppelFileStore;
}

function fileStoreFromEnv(): FileStore {
  const e = env();
  if (e.FILE_STORE === "s3") return new S3FileStore(s3SettingsFromEnv());
  return new LocalDiskFileStore(path.join(dataDir(), "files"));
}

/** The S3_* settings (the env schema refuses FILE_STORE=s3 without a bucket and a region). */
export function s3SettingsFromEnv(): ConstructorParameters<typeof S3FileStore>[0] {
  const e = env();
  if (!e.S3_BUCKET || !e.S3_REGION) throw new Error('S3_BUCKET and S3_REGION must be set when FILE_STORE is "s3"');
  return {
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
    endpoint: e.S3_ENDPOINT,
    accessKeyId: e.S3_ACCESS_KEY_ID,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE === "1",
    checksums: e.S3_CHECKSUMS,
  };
}

/** Tests swap the store (e.g. a LocalDiskFileStore in a temp dir). */
export function setFileStore(store: FileStore | undefined): void {
  globalThis.__koppelFileStore = store;
}
