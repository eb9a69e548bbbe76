import "server-only";
import { and, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections, dossierIntegrations, dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";
import type { DossierScope } from "@/lib/dossiers/get";
import { NotFoundError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import type { StoredIntegrationRow } from "./status";

export type IntegrationConnectionRow = {
  id: string;
  packageId: string;
  channel: (typeof connections.$inferSelect)["channel"];
  label: string;
  status: (typeof connections.$inferSelect)["status"];
};

export type DossierIntegrationContext = {
  dossier: {
    id: string;
    portalId: string;
    name: string;
    companyNumber: string;
    vatNumber: string | null;
    /** The dossier's language: a test mail to its package is written in it. */
    locale: Locale;
  };
  integration: (StoredIntegrationRow & { updatedAt: Date }) | null;
  connection: IntegrationConnectionRow | null;
};

/**
 * A dossier with its integration and that integration's connection, in one query. Every join is
 * held inside the dossier's portal. The caller has authorized the actor on `portalId` already.
 */
export async function loadDossierIntegration(
  db: DbOrTx,
  scope: { portalId: string; dossierId: string },
): Promise<DossierIntegrationContext> {
  const context = await selectDossierIntegration(
    db,
    and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)),
  );
  if (!context) throw new NotFoundError();
  return context;
}

// Postgres rejects a malformed uuid with an error (a 500); a guid check first turns it into 404.
const dossierIdSchema = z.guid();

/**
 * resolveDossierScope and loadDossierIntegration in one query, for an actor not yet authorized:
 * the dossier is read by its id alone, and `action` is authorized on its portal before anything
 * is returned. Unknown, malformed and foreign ids all throw NotFoundError, as resolveDossierScope
 * does. A send saves a round trip with it (`npm run bench -- sustained` counts them).
 */
export async function loadAuthorizedDossierIntegration(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  action: Action,
): Promise<{ scope: DossierScope; context: DossierIntegrationContext }> {
  if (!dossierIdSchema.safeParse(dossierId).success) throw new NotFoundError();
  const context = await selectDossierIntegration(db, eq(dossiers.id, dossierId));
  if (!context) throw new NotFoundError();
  const scope = { portalId: context.dossier.portalId, dossierId };
  authorize(actor, action, scope);
  return { scope, context };
}

async function selectDossierIntegration(db: DbOrTx, where: SQL | undefined): Promise<DossierIntegrationContext | null> {
  const [row] = await db
    .select({
      id: dossiers.id,
      portalId: dossiers.portalId,
      name: dossiers.name,
      companyNumber: dossiers.companyNumber,
      vatNumber: dossiers.vatNumber,
      locale: dossiers.locale,
      kind: dossierIntegrations.kind,
      integrationConnectionId: dossierIntegrations.connectionId,
      integrationPackageId: dossierIntegrations.packageId,
      settings: dossierIntegrations.settings,
      updatedAt: dossierIntegrations.updatedAt,
      connectionId: connections.id,
      connectionPackageId: connections.packageId,
      connectionChannel: connections.channel,
      connectionLabel: connections.label,
      connectionStatus: connections.status,
    })
    .from(dossiers)
    .leftJoin(
      dossierIntegrations,
      and(eq(dossierIntegrations.dossierId, dossiers.id), eq(dossierIntegrations.portalId, dossiers.portalId)),
    )
    .leftJoin(
      connections,
      and(eq(connections.id, dossierIntegrations.connectionId), eq(connections.portalId, dossiers.portalId)),
    )
    .where(where)
    .limit(1);
  if (!row) return null;
  return {
    dossier: {
      id: row.id,
      portalId: row.portalId,
      name: row.name,
      companyNumber: row.companyNumber,
      vatNumber: row.vatNumber,
      locale: row.locale,
    },
    integration:
      row.kind && row.updatedAt
        ? {
            kind: row.kind,
            connectionId: row.integrationConnectionId,
            packageId: row.integrationPackageId,
            settings: row.settings,
            updatedAt: row.updatedAt,
          }
        : null,
    connection:
      row.connectionId && row.connectionPackageId && row.connectionChannel && row.connectionStatus
        ? {
            id: row.connectionId,
            packageId: row.connectionPackageId,
            channel: row.connectionChannel,
            label: row.connectionLabel ?? "",
            status: row.connectionStatus,
          }
        : null,
  };
}
