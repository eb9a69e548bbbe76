import "server-only";
import path from "node:path";
import { dataDir } from "@/lib/env";
import type { FileStore } from "./file-store";
import { LocalDiskFileStore } from "./local-disk";

declare global {
  var __koppelFileStore: FileStore | undefined;
}

/** The process-wide file store: local disk in the data dir (S3-compatible storage can plug in here). */
export function getFileStore(): FileStore {
  globalThis.__koppelFileStore ??= new LocalDiskFileStore(path.join(dataDir(), "files"));
  return globalThis.__koppelFileStore;
}

/** Tests swap the store (e.g. a LocalDiskFileStore in a temp dir). */
export function setFileStore(store: FileStore | undefined): void {
  globalThis.__koppelFileStore = store;
}
