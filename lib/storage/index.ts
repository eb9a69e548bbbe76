import "server-only";
import path from "node:path";
import { dataDir, env } from "@/lib/env";
import type { FileStore } from "./file-store";
import { LocalDiskFileStore } from "./local-disk";
import { S3FileStore } from "./s3";

declare global {
  /** A store tests set (setFileStore); unset in the app. */
  var __koppelFileStore: FileStore | undefined;
}

/**
 * This copy of the module's own store. Not shared through globalThis: the production server holds
 * more than one copy of lib/ (the jobs started by instrumentation.ts and the routes are bundled
 * apart), and a store made by one copy throws that copy's FileStoreError, which the other copy's
 * `instanceof` does not know. Seen in the fault drill: once a delivery job had made the shared
 * store, a full disk during an upload answered 500 and kept the files before it, instead of 507
 * per file. Two stores on the same folder or bucket are harmless: a store keeps no state.
 */
let ownStore: FileStore | undefined;

/** The file store: FILE_STORE=s3 (a shared bucket) or local disk in the data dir. */
export function getFileStore(): FileStore {
  if (globalThis.__koppelFileStore) return globalThis.__koppelFileStore;
  ownStore ??= fileStoreFromEnv();
  return ownStore;
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
