import "server-only";
import path from "node:path";
import { dataDir } from "@/lib/env";
import type { FileStore } from "./file-store";
import { LocalDiskFileStore } from "./local-disk";

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
 * per file. Two stores on the same folder are harmless: a store keeps no state.
 */
let ownStore: FileStore | undefined;

/** The file store: local disk in the data dir (S3-compatible storage can plug in here). */
export function getFileStore(): FileStore {
  if (globalThis.__koppelFileStore) return globalThis.__koppelFileStore;
  ownStore ??= new LocalDiskFileStore(path.join(dataDir(), "files"));
  return ownStore;
}

/** Tests swap the store (e.g. a LocalDiskFileStore in a temp dir). */
export function setFileStore(store: FileStore | undefined): void {
  globalThis.__koppelFileStore = store;
}
