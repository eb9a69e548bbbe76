import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, gt, inArray, lte } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { pendingShares, type SharedFile } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { type UploadedFileOutcome, uploadDocuments, uploadFormSchema } from "@/lib/documents/upload";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { listUploadDossiers, type UploadDossier } from "@/lib/dossiers/list-for-actor";
import { NotFoundError } from "@/lib/errors";
import { getFileStore } from "@/lib/storage";
import { FileNotFoundError } from "@/lib/storage/file-store";
import { PENDING_SHARE_LIFETIME_MS, SHARE_FILE_FIELD } from "./target";

// Files shared into Koppel from a phone's share sheet (the manifest's share target). They go
// through the same upload service as the dossier page's upload (uploadDocuments: the same checks,
// the same limits, the same refusals), into the one dossier the person may upload to, or, when
// they have several, once they have picked one. Until then the files wait in the file store under
// our own keys, with a pending_shares row that only the person who shared can see.

type UserActor = Extract<Actor, { kind: "user" }>;

/** The files of a share form, counted as an upload counts them (at least 1, at most 20). */
const shareFilesSchema = uploadFormSchema.pick({ file: true });

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

function filesOf(form: FormData): File[] {
  const files = form.getAll(SHARE_FILE_FIELD).filter((part): part is File => part instanceof File);
  return parseInput(shareFilesSchema, { file: files }).file;
}

function uploadFormOf(files: File[]): FormData {
  const form = new FormData();
  for (const file of files) form.append("file", file);
  return form;
}

function storageKeyOf(shareId: string, index: number): string {
  return `shares/${shareId}/${index}`;
}

async function deleteStoredFiles(files: readonly SharedFile[]): Promise<void> {
  const store = getFileStore();
  await Promise.all(files.map((file) => store.delete(file.storageKey)));
}

/**
 * Receives the files of a share form (`file` parts) from a signed-in person. A form without files
 * or with too many is a ValidationError, as for an upload. With one dossier to upload to, the files
 * are uploaded there now; with several, they are stored (under "shares/<shareId>/<n>", never the
 * file's name) with a pending_shares row that expires after 24 hours, for the person to pick one.
 *
 * `db` must not be an open transaction (see uploadDocuments).
 */
export async function receiveShare(
  db: Db,
  actor: UserActor,
  input: { form: FormData; now?: Date },
): Promise<ShareReceipt> {
  const files = filesOf(input.form);
  const dossiers = await listUploadDossiers(db, actor);
  const [only] = dossiers;
  if (!only) return { kind: "noDossier" };
  if (dossiers.length === 1) {
    const upload = await uploadDocuments(db, actor, {
      dossierId: only.id,
      source: "upload",
      form: uploadFormOf(files),
    });
    return { kind: "ingested", dossierId: only.id, files: upload.files };
  }

  const shareId = randomUUID();
  const store = getFileStore();
  const stored: SharedFile[] = [];
  try {
    for (const [index, file] of files.entries()) {
      const shared: SharedFile = {
        storageKey: storageKeyOf(shareId, index),
        fileName: Array.from(file.name).slice(0, MAX_FILE_NAME_LENGTH).join(""),
        contentType: CONTENT_TYPE.test(file.type) ? file.type : "application/octet-stream",
        sizeBytes: file.size,
      };
      await store.put(shared.storageKey, new Uint8Array(await file.arrayBuffer()), {
        contentType: shared.contentType,
      });
      stored.push(shared);
    }
    const now = input.now ?? new Date();
    await db.insert(pendingShares).values({
      id: shareId,
      userId: actor.userId,
      files: stored,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PENDING_SHARE_LIFETIME_MS),
    });
  } catch (error) {
    // No row, no files: nobody could pick them, and the prune only finds files through rows.
    await deleteStoredFiles(stored).catch((deleteError: unknown) => {
      console.error(`[share] could not remove the files of a share that was not kept (${shareId})`, deleteError);
    });
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
