import { eq } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db";
import { connections, dossierIntegrations, dossierMembers, dossiers, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { loadUserActor } from "@/lib/auth/load-actor";
import { createConnection } from "@/lib/connections/service";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

let userCounter = 0;

async function insertUser(db: DbOrTx, label: string) {
  const [row] = await db
    .insert(users)
    .values({ email: `${label}-${++userCounter}-${Date.now()}@test.koppel.example`, name: label })
    .returning();
  if (!row) throw new Error("user not inserted");
  return row;
}

type ConnectionStatus = (typeof connections.$inferSelect)["status"];

export async function insertConnectionOf(
  db: DbOrTx,
  portalId: string,
  values: { packageId?: string; channel?: "api" | "ftp"; label?: string; status?: ConnectionStatus } = {},
) {
  const [row] = await db
    .insert(connections)
    .values({
      portalId,
      packageId: values.packageId ?? "exact-online",
      channel: values.channel ?? "api",
      label: values.label ?? "Exact Online",
      status: values.status ?? "connected",
    })
    .returning();
  if (!row) throw new Error("connection not inserted");
  return row;
}

/**
 * Two offices. The first has an admin, an accountant, a dossier with its entrepreneur, and three
 * connections (connected, needs re-authorisation, disabled); the second has its own admin, dossier
 * and connection. Actors come from the database, as in the app.
 */
export async function createWorld(db: DbOrTx) {
  const portal = await insertPortal(db, "Kantoor A");
  const otherPortal = await insertPortal(db, "Kantoor B");
  const dossier = await insertDossier(db, portal.id);
  const otherDossier = await insertDossier(db, otherPortal.id);
  const [admin, accountant, entrepreneur, otherAdmin] = await Promise.all([
    insertUser(db, "admin"),
    insertUser(db, "accountant"),
    insertUser(db, "entrepreneur"),
    insertUser(db, "other-admin"),
  ]);
  await db.insert(portalMembers).values([
    { portalId: portal.id, userId: admin.id, role: "admin" },
    { portalId: portal.id, userId: accountant.id, role: "accountant" },
    { portalId: otherPortal.id, userId: otherAdmin.id, role: "admin" },
  ]);
  await db.insert(dossierMembers).values({ portalId: portal.id, dossierId: dossier.id, userId: entrepreneur.id });

  const exact = await insertConnectionOf(db, portal.id, { label: "Exact Online België" });
  const yuki = await insertConnectionOf(db, portal.id, { packageId: "yuki", label: "Yuki", status: "needs_reauth" });
  const disabled = await insertConnectionOf(db, portal.id, {
    packageId: "expert-m",
    channel: "ftp",
    label: "Expert/M oud",
    status: "disabled",
  });
  const otherConnection = await insertConnectionOf(db, otherPortal.id, { label: "Exact Online van kantoor B" });

  const actors = {
    admin: await loadUserActor(db, admin.id),
    accountant: await loadUserActor(db, accountant.id),
    entrepreneur: await loadUserActor(db, entrepreneur.id),
    otherAdmin: await loadUserActor(db, otherAdmin.id),
  } satisfies Record<string, Actor>;

  return {
    portal,
    otherPortal,
    dossier,
    otherDossier,
    connections: { exact, yuki, disabled, otherConnection },
    actors,
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

/** A fresh dossier in the world's first office. */
export async function newDossier(db: DbOrTx, world: World) {
  return insertDossier(db, world.portal.id);
}

/**
 * A connection the admin makes (an API package: its settings and secrets) and a fresh dossier whose
 * integration the accountant points at it with `dossierSettings`.
 */
export async function connectNewDossier(
  db: Db,
  world: World,
  connection: { packageId: string; label: string; settings: Record<string, unknown>; secrets: Record<string, unknown> },
  dossierSettings: Record<string, unknown>,
) {
  const created = await createConnection(db, world.actors.admin, world.portal.id, { channel: "api", ...connection });
  const dossier = await newDossier(db, world);
  await saveDossierIntegration(db, world.actors.accountant, dossier.id, {
    kind: "connection",
    connectionId: created.id,
    settings: dossierSettings,
  });
  return { connection: created, dossier };
}

export async function integrationRowsOf(db: DbOrTx, dossierId: string) {
  return db.select().from(dossierIntegrations).where(eq(dossierIntegrations.dossierId, dossierId));
}

export async function setVatNumber(db: DbOrTx, dossierId: string, vatNumber: string | null) {
  await db.update(dossiers).set({ vatNumber }).where(eq(dossiers.id, dossierId));
}
