import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections, dossierIntegrations, dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize, can } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";
import { NotFoundError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { type IntegrationState, integrationStateOf } from "@/lib/portals/integration-state";

/** The tenant of a dossier, once the actor is known to be allowed to act on it. */
export type DossierScope = { portalId: string; dossierId: string };

// Postgres rejects a malformed uuid with an error (a 500); a guid check first turns it into 404.
const dossierIdSchema = z.guid();

/**
 * Loads the dossier's portal and authorizes `action` on it. An unknown id, a malformed id and a
 * dossier the actor may not see all throw NotFoundError, so none of them tells an outsider that
 * the dossier exists.
 */
export async function resolveDossierScope(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  action: Action,
): Promise<DossierScope> {
  if (!dossierIdSchema.safeParse(dossierId).success) throw new NotFoundError();
  const [row] = await db
    .select({ portalId: dossiers.portalId })
    .from(dossiers)
    .where(eq(dossiers.id, dossierId))
    .limit(1);
  if (!row) throw new NotFoundError();
  authorize(actor, action, { portalId: row.portalId, dossierId });
  return { portalId: row.portalId, dossierId };
}

/** A dossier as a list or the API shows it: identity, auto-send and how it delivers. */
export type DossierSummary = {
  id: string;
  portalId: string;
  name: string;
  /** 10 digits without dots; format with formatCompanyNumber. */
  companyNumber: string;
  /** "BE" + 10 digits; null only on rows from before it was filled in. */
  vatNumber: string | null;
  /** The language of everything sent on the dossier's behalf (the mails to its package). */
  locale: Locale;
  isAutoSendEnabled: boolean;
  /** Which way the dossier delivers; the same derivation (and colours) as the portal overview. */
  integration: IntegrationState;
};

export type DossierOverview = DossierSummary & {
  /** Admins and accountants of the portal; they get the way back to the portal overview. */
  canViewPortal: boolean;
  /** Admins and accountants: the "Access" tab, where they invite and remove its entrepreneurs. */
  canManageClients: boolean;
  /** The dossier's tabs the actor may open: its documents, its integration. */
  canViewDocuments: boolean;
  canViewIntegration: boolean;
  /** Admins and accountants: they may change name, numbers and language; an entrepreneur sees them. */
  canUpdate: boolean;
};

/** What a dossier row needs of its integration and connection for integrationStateOf. */
export const integrationSummaryColumns = {
  integrationKind: dossierIntegrations.kind,
  integrationPackageId: dossierIntegrations.packageId,
  integrationSettings: dossierIntegrations.settings,
  connectionPackageId: connections.packageId,
  connectionChannel: connections.channel,
  connectionLabel: connections.label,
  connectionStatus: connections.status,
};

/**
 * Dossiers with their integration and its connection, for a `where` (and order and limit) of the
 * caller's. The portal conditions keep the joins inside the tenant even if a row were ever mislinked.
 */
export function selectDossierSummaries(db: DbOrTx) {
  return db
    .select({
      id: dossiers.id,
      portalId: dossiers.portalId,
      name: dossiers.name,
      companyNumber: dossiers.companyNumber,
      vatNumber: dossiers.vatNumber,
      locale: dossiers.locale,
      isAutoSendEnabled: dossiers.isAutoSendEnabled,
      ...integrationSummaryColumns,
    })
    .from(dossiers)
    .leftJoin(
      dossierIntegrations,
      and(eq(dossierIntegrations.dossierId, dossiers.id), eq(dossierIntegrations.portalId, dossiers.portalId)),
    )
    .leftJoin(
      connections,
      and(eq(connections.id, dossierIntegrations.connectionId), eq(connections.portalId, dossiers.portalId)),
    );
}

type DossierSummaryRow = Awaited<ReturnType<typeof selectDossierSummaries>>[number];

export function dossierSummaryOf(row: DossierSummaryRow): DossierSummary {
  return {
    id: row.id,
    portalId: row.portalId,
    name: row.name,
    companyNumber: row.companyNumber,
    vatNumber: row.vatNumber,
    locale: row.locale,
    isAutoSendEnabled: row.isAutoSendEnabled,
    integration: integrationStateOf({
      kind: row.integrationKind,
      packageId: row.integrationPackageId,
      settings: row.integrationSettings,
      connection:
        row.connectionPackageId && row.connectionChannel && row.connectionLabel !== null && row.connectionStatus
          ? {
              packageId: row.connectionPackageId,
              channel: row.connectionChannel,
              label: row.connectionLabel,
              status: row.connectionStatus,
            }
          : null,
    }),
  };
}

/**
 * The summary of a dossier the caller has already authorized (a DossierScope comes from
 * resolveDossierScope or a service's own check): what a create or an update answers, which must
 * not need a second permission (a key with dossiers:write alone may read back what it wrote).
 */
export async function loadDossierSummary(db: DbOrTx, scope: DossierScope): Promise<DossierSummary> {
  const [row] = await selectDossierSummaries(db)
    .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)))
    .limit(1);
  if (!row) throw new NotFoundError();
  return dossierSummaryOf(row);
}

/** The head of the dossier page: identity, language, integration state and auto-send flag. */
export async function getDossierOverview(db: DbOrTx, actor: Actor, dossierId: string): Promise<DossierOverview> {
  if (!dossierIdSchema.safeParse(dossierId).success) throw new NotFoundError();
  const [row] = await selectDossierSummaries(db).where(eq(dossiers.id, dossierId)).limit(1);
  if (!row) throw new NotFoundError();
  const scope: DossierScope = { portalId: row.portalId, dossierId };
  authorize(actor, "dossier.view", scope);

  return {
    ...dossierSummaryOf(row),
    canViewPortal: can(actor, "portal.view", { portalId: scope.portalId }),
    canManageClients: can(actor, "dossierMember.manage", scope),
    canViewDocuments: can(actor, "document.view", scope),
    canViewIntegration: can(actor, "dossierIntegration.view", scope),
    canUpdate: can(actor, "dossier.update", scope),
  };
}
