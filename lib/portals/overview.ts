import "server-only";
import { and, asc, count, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections, type documents, dossierIntegrations, dossiers, portals } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { evaluateIntegration, type IntegrationSnapshot, loadConnectorLookup } from "@/lib/dispatch/plan";
import { readDocumentCounts } from "@/lib/documents/counts";
import { integrationSummaryColumns } from "@/lib/dossiers/get";
import { dossierSearchCondition } from "@/lib/dossiers/search";
import { NotFoundError } from "@/lib/errors";
import type { IntegrationEvaluation } from "@/lib/integrations/status";
import { type IntegrationState, integrationStateOf } from "./integration-state";

export const PORTAL_OVERVIEW_PAGE_SIZE = 25;

type DocumentStatus = (typeof documents.$inferSelect)["status"];

/** Documents per status (not archived), and the archived ones (always sent) apart. */
export type DocumentCounts = Record<DocumentStatus, number> & { archived: number };

export type PortalDossierRow = {
  id: string;
  name: string;
  companyNumber: string;
  vatNumber: string | null;
  integration: IntegrationState;
  /** Set up correctly, or what is missing (the dossier's "Integraties" tab says the same). */
  health: IntegrationEvaluation;
  counts: DocumentCounts;
};

export type PortalDossierPage = {
  rows: PortalDossierRow[];
  /** Dossiers matching the query, over all pages. */
  total: number;
  page: number;
  pageCount: number;
  pageSize: number;
  query: string;
};

// Malformed ids are "not found": a 404, never a database error.
const portalIdSchema = z.uuid();
const overviewParamsSchema = z.object({
  query: z.string().trim().max(100).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

function parsePortalId(portalId: string): string {
  const parsed = portalIdSchema.safeParse(portalId);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/** A portal's identity; what the actor may do in it is asked of the permission table (`can`). */
export type PortalView = { id: string; name: string };

/** The portal's name; NotFoundError for non-members and unknown ids. */
export async function getPortal(db: DbOrTx, actor: Actor, portalId: string): Promise<PortalView> {
  authorize(actor, "portal.view", { portalId });
  const id = parsePortalId(portalId);
  const [portal] = await db.select({ id: portals.id, name: portals.name }).from(portals).where(eq(portals.id, id));
  if (!portal) throw new NotFoundError();
  return portal;
}

function emptyCounts(): DocumentCounts {
  return { inbox: 0, sending: 0, sent: 0, failed: 0, rejected: 0, archived: 0 };
}

/**
 * The portal overview: one page of the portal's dossiers (by name), each with its integration
 * state, the integration's health and its document counts. Three queries at once whatever the page
 * size: the total, the page's rows with their integration, and one GROUP BY over the page's
 * documents (index-only).
 */
export async function listPortalDossiers(
  db: DbOrTx,
  actor: Actor,
  params: { portalId: string; query?: string; page?: number | string },
): Promise<PortalDossierPage> {
  authorize(actor, "portal.view", { portalId: params.portalId });
  const portalId = parsePortalId(params.portalId);
  const { query, page: requestedPage } = overviewParamsSchema.parse({ query: params.query, page: params.page });

  const where = and(eq(dossiers.portalId, portalId), dossierSearchCondition(query));
  const pageSize = PORTAL_OVERVIEW_PAGE_SIZE;
  const pageRows = (page: number) =>
    db
      .select({
        id: dossiers.id,
        name: dossiers.name,
        companyNumber: dossiers.companyNumber,
        vatNumber: dossiers.vatNumber,
        ...integrationSummaryColumns,
        integrationConnectionId: dossierIntegrations.connectionId,
      })
      .from(dossiers)
      .leftJoin(
        dossierIntegrations,
        and(eq(dossierIntegrations.dossierId, dossiers.id), eq(dossierIntegrations.portalId, portalId)),
      )
      .leftJoin(
        connections,
        and(eq(connections.id, dossierIntegrations.connectionId), eq(connections.portalId, portalId)),
      )
      .where(where)
      .orderBy(asc(dossiers.name), asc(dossiers.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize);
  // The page's document counts per dossier, status and archived, in the same round as the rows: the
  // page's dossiers as a subquery (dossiers in name order), their kept counts (lib/documents/counts.ts)
  // as the dossier's tabs read them.
  const pageCounts = (page: number) =>
    readDocumentCounts(
      db,
      portalId,
      db
        .select({ id: dossiers.id })
        .from(dossiers)
        .where(where)
        .orderBy(asc(dossiers.name), asc(dossiers.id))
        .limit(pageSize)
        .offset((page - 1) * pageSize),
    );
  // The total, the rows and their counts at once, for the page asked; a page past the end (an old
  // link after deletions) shows the last page instead of nothing, read again (rare).
  let page = requestedPage;
  let [[totalRow], rows, countRows] = await Promise.all([
    db.select({ total: count() }).from(dossiers).where(where),
    pageRows(page),
    pageCounts(page),
  ]);
  const total = totalRow?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  if (page > pageCount) {
    page = pageCount;
    [rows, countRows] = await Promise.all([pageRows(page), pageCounts(page)]);
  }

  const countsByDossier = new Map<string, DocumentCounts>(rows.map((row) => [row.id, emptyCounts()]));
  for (const row of countRows) {
    const counts = countsByDossier.get(row.dossierId);
    if (!counts) continue;
    if (row.isArchived) counts.archived += row.n;
    else counts[row.status] += row.n;
  }

  const snapshots = new Map(
    rows.map((row): [string, IntegrationSnapshot] => [
      row.id,
      {
        dossier: { companyNumber: row.companyNumber, vatNumber: row.vatNumber },
        integration: row.integrationKind
          ? {
              kind: row.integrationKind,
              connectionId: row.integrationConnectionId,
              packageId: row.integrationPackageId,
              settings: row.integrationSettings,
            }
          : null,
        connection:
          row.integrationConnectionId && row.connectionPackageId && row.connectionChannel && row.connectionStatus
            ? {
                id: row.integrationConnectionId,
                packageId: row.connectionPackageId,
                channel: row.connectionChannel,
                label: row.connectionLabel ?? "",
                status: row.connectionStatus,
              }
            : null,
      },
    ]),
  );
  const connectorOf = await loadConnectorLookup([...snapshots.values()]);

  return {
    rows: rows.map((row) => ({
      id: row.id,
      name: row.name,
      companyNumber: row.companyNumber,
      vatNumber: row.vatNumber,
      integration: integrationStateOf({
        kind: row.integrationKind,
        packageId: row.integrationPackageId,
        settings: row.integrationSettings,
        connection:
          row.connectionPackageId && row.connectionChannel && row.connectionLabel && row.connectionStatus
            ? {
                packageId: row.connectionPackageId,
                channel: row.connectionChannel,
                label: row.connectionLabel,
                status: row.connectionStatus,
              }
            : null,
      }),
      health: evaluateIntegration(snapshots.get(row.id) as IntegrationSnapshot, connectorOf),
      counts: countsByDossier.get(row.id) ?? emptyCounts(),
    })),
    total,
    page,
    pageCount,
    pageSize,
    query,
  };
}
