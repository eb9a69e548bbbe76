import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db";
import { documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import { setFileStore } from "@/lib/storage";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

/** Two offices; office A has the dossier under test and a second dossier its entrepreneur is not in. */
export async function createWorld(db: DbOrTx) {
  const portal = await insertPortal(db, "Kantoor De Vos");
  const otherPortal = await insertPortal(db, "Ander kantoor");
  const dossier = await insertDossier(db, portal.id);
  const neighbourDossier = await insertDossier(db, portal.id);
  const foreignDossier = await insertDossier(db, otherPortal.id);
  const actors = {
    admin: { kind: "user", userId: randomUUID(), portalRoles: { [portal.id]: "admin" }, dossiers: {} },
    accountant: { kind: "user", userId: randomUUID(), portalRoles: { [portal.id]: "accountant" }, dossiers: {} },
    entrepreneur: { kind: "user", userId: randomUUID(), portalRoles: {}, dossiers: { [dossier.id]: portal.id } },
    token: { kind: "token", tokenId: randomUUID(), portalId: portal.id, role: "accountant", scopes: API_SCOPES },
    otherAdmin: { kind: "user", userId: randomUUID(), portalRoles: { [otherPortal.id]: "admin" }, dossiers: {} },
    otherToken: { kind: "token", tokenId: randomUUID(), portalId: otherPortal.id, role: "admin", scopes: API_SCOPES },
    system: { kind: "system", reason: "test" },
  } satisfies Record<string, Actor>;
  return { portal, otherPortal, dossier, neighbourDossier, foreignDossier, actors };
}
export type World = Awaited<ReturnType<typeof createWorld>>;

/** A local-disk file store in a temp dir, installed as the process-wide store. */
export async function useTempFileStore() {
  const root = await mkdtemp(path.join(tmpdir(), "koppel-documents-"));
  const store = new LocalDiskFileStore(root);
  setFileStore(store);
  return {
    root,
    store,
    /** Every stored file, as "<portalId>/<dossierId>/<documentId>". */
    async keys(): Promise<string[]> {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
        .sort();
    },
    async dispose() {
      setFileStore(undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function documentRow(db: Db, id: string) {
  const [row] = await db.select().from(documents).where(eq(documents.id, id));
  return row;
}

export async function setStatus(
  db: Db,
  id: string,
  status: (typeof documents.$inferSelect)["status"],
  values: Partial<typeof documents.$inferInsert> = {},
) {
  await db
    .update(documents)
    .set({ status, ...values })
    .where(eq(documents.id, id));
}
