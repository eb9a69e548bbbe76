import "server-only";
import { randomUUID } from "node:crypto";
import { finished } from "node:stream/promises";
import { and, eq, gt, inArray, lte } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { pendingShares, type SharedFile } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import type { ReceivedFile } from "@/lib/documents/receive-file";
import { receiveFileIntoStore } from "@/lib/documents/receive-file";
import {
  assertUploadFileCount,
  MAX_FILES_PER_UPLOAD,
  MAX_UPLOAD_REQUEST_BYTES,
  type UploadBodyRefusal,
  type UploadedFileOutcome,
  uploadDocuments,
  uploadFromRequest,
} from "@/lib/documents/upload";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { listUploadDossiers, type UploadDossier } from "@/lib/dossiers/list-for-actor";
import { NotFoundError } from "@/lib/errors";
import { readStreamedForm } from "@/lib/http/multipart";
import { getFileStore } from "@/lib/storage";
import { FileNotFoundError } from "@/lib/storage/file-store";
import { PENDING_SHARE_LIFETIME_MS, SHARE_FILE_FIELD } from "./target";

// Files shared into Koppel from a phone's share sheet (the manifest's share target). They go
// through the same upload service as the dossier page's upload (uploadDocuments: the same checks,
// the same limits, the same refusals), into the one dossier the person may upload to, or, when
// they have several, once they have picked one. Until then the files wait in the file store under
// our own keys, with a pending_shares row that only the person who shared can see.

type UserActor = Extract<Actor, { kind: "user" }>;

/** What became of a share. */
export type ShareReceipt =
  /** The person may upload to no dossier: nothing was kept. */
  | { kind: "noDossier" }
  /** Exactly one dossier: the files went in (or were refused) at once. */
  | { kind: "ingested"; dossierId: string; files: UploadedFileOutcome[] }
  /** Several: the files wait for the person to pick one (pickShareDossier). */
  | { kind: "pending"; shareId: string };

export type PendingShareView = {
  id: string;
  files: { fileName: string; sizeBytes: number }[];
  expiresAt: Date;
  /** Where the files may go, by name. */
  dossiers: UploadDossier[];
};

export type PickedShare = { dossierId: string; files: UploadedFileOutcome[] };

const shareIdSchema = z.guid();
// Shown on the pick page and handed to the ingestion, which makes its own safe name from it.
const MAX_FILE_NAME_LENGTH = 255;
// Kept only as a hint: the ingestion judges the bytes, never a browser's content type.
const CONTENT_TYPE = /^[\w.+-]{1,60}\/[\w.+-]{1,60}$/;
// Rows per round of the prune, so one run never holds thousands of rows at once.
const PRUNE_BATCH = 100;

function uploadFormOf(files: File[]): FormData {
  const form = new FormData();
  for (const file of files) form.append("file", file);
  return form;
}

function storageKeyOf(shareId: string, index: number): string {
  return `shares/${shareId}/${index}`;
}

async function deleteStoredFiles(files: readonly { storageKey: string }[]): Promise<void> {
  const store = getFileStore();
  await Promise.all(files.map((file) => store.delete(file.storageKey)));
}

/**
 * receiveShareRequest for a form already in memory (tests): encoded as the share sheet would post
 * it, without the request size limit.
 */
export async function receiveShare(
  db: Db,
  actor: UserActor,
  input: { form: FormData; now?: Date },
): Promise<ShareReceipt> {
  const request = new Request("http://koppel.invalid/share", { method: "POST", body: input.form });
  const receipt = await receiveShareRequest(db, actor, { request, now: input.now, maxBytes: Number.POSITIVE_INFINITY });
  if (typeof receipt === "string") throw new Error(`an in-memory form could not be read as a share (${receipt})`);
  return receipt;
}

/**
 * Receives the files a signed-in person shared (a share form's `file` parts, streamed: never whole
 * in memory, and a body over what one upload may carry stops being read at the limit). A form
 * without files or with too many is a ValidationError, as for an upload. With one dossier to upload
 * to, the files are uploaded there now (the upload service: the same checks, limits and refusals);
 * with several, they are stored as they arrive (under "shares/<shareId>/<n>", never the file's
 * name) with a pending_shares row that expires after 24 hours, for the person to pick one. Nothing
 * stays in the store when the share is refused.
 *
 * `db` must not be an open transaction (see uploadDocuments).
 */
export async function receiveShareRequest(
  db: Db,
  actor: UserActor,
  input: { request: Request; now?: Date; maxBytes?: number },
): Promise<ShareReceipt | UploadBodyRefusal> {
  const dossiers = await listUploadDossiers(db, actor);
  const [only] = dossiers;
  if (only && dossiers.length === 1) {
    const upload = await uploadFromRequest(db, actor, {
      dossierId: only.id,
      source: "upload",
      request: input.request,
      maxBytes: input.maxBytes,
      isFilesOnly: true,
    });
    return typeof upload === "string" ? upload : { kind: "ingested", dossierId: only.id, files: upload.files };
  }

  // No dossier: the form is still read (and its files only counted), so a form without files is
  // told so first, as an upload would be.
  const shareId = randomUUID();
  const store = getFileStore();
  const received: (ReceivedFile & { contentType: string })[] = [];
  const read = await readStreamedForm(input.request, {
    maxBytes: input.maxBytes ?? MAX_UPLOAD_REQUEST_BYTES,
    // Kept whole up to the request's limit: the pick's upload judges each file's size.
    maxFileBytes: MAX_UPLOAD_REQUEST_BYTES,
    fileField: SHARE_FILE_FIELD,
    maxFiles: MAX_FILES_PER_UPLOAD,
    onFile: async (part) => {
      if (!only) {
        part.stream.resume();
        await finished(part.stream).catch(() => undefined);
        return;
      }
      const contentType = CONTENT_TYPE.test(part.mimeType) ? part.mimeType : "application/octet-stream";
      const file = await receiveFileIntoStore(store, storageKeyOf(shareId, part.index), part, {
        keepAnyFileAs: contentType,
      });
      received.push({ ...file, contentType });
    },
  });
  // No row, no files: nobody could pick them, and the prune only finds files through rows.
  const dropStored = () =>
    deleteStoredFiles(received.filter((file) => file.stored)).catch((deleteError: unknown) => {
      console.error(`[share] could not remove the files of a share that was not kept (${shareId})`, deleteError);
    });
  try {
    if (typeof read === "string") {
      await dropStored();
      return read;
    }
    assertUploadFileCount(read.fileCount);
    if (!only) return { kind: "noDossier" };
    const storeError = received.find((file) => file.storeError !== null)?.storeError;
    if (storeError) throw storeError;

    const stored: SharedFile[] = received
      .sort((a, b) => a.index - b.index)
      .map((file) => ({
        storageKey: file.storageKey,
        fileName: Array.from(file.fileName).slice(0, MAX_FILE_NAME_LENGTH).join(""),
        contentType: file.contentType,
        sizeBytes: file.sizeBytes,
      }));
    const now = input.now ?? new Date();
    await db.insert(pendingShares).values({
      id: shareId,
      userId: actor.userId,
      files: stored,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PENDING_SHARE_LIFETIME_MS),
    });
  } catch (error) {
    await dropStored();
    throw error;
  }
  return { kind: "pending", shareId };
}

/** The person's own share that has not expired, or NotFoundError (anyone else's, unknown, malformed, expired). */
async function loadOwnShare(db: Db, actor: UserActor, shareId: string, now: Date) {
  if (!shareIdSchema.safeParse(shareId).success) throw new NotFoundError();
  const [row] = await db
    .select({ id: pendingShares.id, files: pendingShares.files, expiresAt: pendingShares.expiresAt })
    .from(pendingShares)
    .where(and(eq(pendingShares.id, shareId), eq(pendingShares.userId, actor.userId), gt(pendingShares.expiresAt, now)))
    .limit(1);
  if (!row) throw new NotFoundError();
  return row;
}

/** A waiting share for its pick page: its files and the dossiers they may go to. Only its own person sees it. */
export async function getPendingShare(
  db: Db,
  actor: UserActor,
  shareId: string,
  now: Date = new Date(),
): Promise<PendingShareView> {
  const share = await loadOwnShare(db, actor, shareId, now);
  return {
    id: share.id,
    files: share.files.map((file) => ({ fileName: file.fileName, sizeBytes: file.sizeBytes })),
    expiresAt: share.expiresAt,
    dossiers: await listUploadDossiers(db, actor),
  };
}

/**
 * Uploads a waiting share's files to the dossier its person picked, then deletes the share and its
 * stored copies. A dossier they may not upload to is NotFoundError and leaves the share waiting.
 * The share is claimed (its row deleted) before the upload, so a second tap or a second tab cannot
 * upload the same files twice: that one gets NotFoundError. Should the upload fail halfway for
 * another reason, the files are gone with the share and the person shares them again.
 *
 * `db` must not be an open transaction (see uploadDocuments).
 */
export async function pickShareDossier(
  db: Db,
  actor: UserActor,
  input: { shareId: string; dossierId: string; now?: Date },
): Promise<PickedShare> {
  const now = input.now ?? new Date();
  const share = await loadOwnShare(db, actor, input.shareId, now);
  await resolveDossierScope(db, actor, input.dossierId, "document.upload");

  const store = getFileStore();
  let files: File[];
  try {
    files = await Promise.all(
      share.files.map(
        async (file) =>
          new File([new Uint8Array(await store.get(file.storageKey))], file.fileName, { type: file.contentType }),
      ),
    );
  } catch (error) {
    // Only the prune removes stored files, and only once the share has expired.
    if (error instanceof FileNotFoundError) throw new NotFoundError();
    throw error;
  }

  const claimed = await db
    .delete(pendingShares)
    .where(
      and(eq(pendingShares.id, share.id), eq(pendingShares.userId, actor.userId), gt(pendingShares.expiresAt, now)),
    )
    .returning({ id: pendingShares.id });
  if (claimed.length === 0) throw new NotFoundError();

  try {
    const upload = await uploadDocuments(db, actor, {
      dossierId: input.dossierId,
      source: "upload",
      form: uploadFormOf(files),
    });
    return { dossierId: input.dossierId, files: upload.files };
  } finally {
    await deleteStoredFiles(share.files).catch((deleteError: unknown) => {
      console.error(`[share] could not remove the stored files of a picked share (${share.id})`, deleteError);
    });
  }
}

/**
 * Deletes the shares nobody picked within 24 hours, files first: a row whose files are already
 * gone is deleted by the next run, a file without a row would never be found again. Answers how
 * many shares it deleted. The pending-shares-prune job runs it every hour.
 */
export async function prunePendingShares(db: Db, input: { now: Date }): Promise<number> {
  let deleted = 0;
  for (;;) {
    const expired = await db
      .select({ id: pendingShares.id, files: pendingShares.files })
      .from(pendingShares)
      .where(lte(pendingShares.expiresAt, input.now))
      .orderBy(pendingShares.expiresAt)
      .limit(PRUNE_BATCH);
    if (expired.length === 0) break;
    for (const share of expired) await deleteStoredFiles(share.files);
    const rows = await db
      .delete(pendingShares)
      .where(
        and(
          inArray(
            pendingShares.id,
            expired.map((share) => share.id),
          ),
          lte(pendingShares.expiresAt, input.now),
        ),
      )
      .returning({ id: pendingShares.id });
    deleted += rows.length;
    if (expired.length < PRUNE_BATCH) break;
  }
  return deleted;
}
