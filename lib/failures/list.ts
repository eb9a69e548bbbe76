import "server-only";
import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections, dispatches, documents, dossierIntegrations, dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";
import { withTargetDescriptions } from "@/lib/connectors/describe-targets";
import type { TargetDescription } from "@/lib/connectors/target";
import { NotFoundError } from "@/lib/errors";
import { DOCUMENT_OWN_GROUPS, FAILURE_GROUPS, type FailureGroup } from "./groups";
import { encodeFailureCursor, type FailureCursor, type FailurePageDirection } from "./schemas";

/** Rows per page when one group is shown. */
export const FAILURE_PAGE_SIZE = 25;
/** Rows per group on the overview of all groups. */
export const FAILURE_PREVIEW_SIZE = 5;
const MAX_PAGE_SIZE = 100;

/** One failed or rejected document, with what the queue shows of it. */
export type FailureItem = {
  documentId: string;
  dossierId: string;
  dossierName: string;
  /** 10 digits without dots. */
  companyNumber: string;
  fileName: string;
  status: "failed" | "rejected";
  lastErrorCode: string | null;
  /** A message key of ours, or (for a rejection) the package's own words. */
  lastErrorReason: string | null;
  /** When it failed or was rejected (its last change). */
  at: Date;
  /** Where its last dispatch went; null when it never had one. */
  target: TargetDescription | null;
};

export type FailureGroupCount = {
  total: number;
  /** The failed ones: what "retry all" would send again (rejected ones are corrected one by one). */
  failed: number;
};

export type FailurePage = {
  group: FailureGroup;
  items: FailureItem[];
  /** Cursor for `?before=`: the page above; null on the first page. */
  newerCursor: string | null;
  /** Cursor for `?after=`: the page below; null on the last page. */
  olderCursor: string | null;
};

const portalIdSchema = z.guid();

/**
 * Authorizes a portal-level failure action; a malformed id is "not found" like a foreign one, and
 * an entrepreneur never learns the portal exists (404).
 */
export function resolveFailurePortal(
  actor: Actor,
  portalId: string,
  action: Extract<Action, "failure.view" | "failure.retry" | "deliveryLog.export">,
): string {
  authorize(actor, action, { portalId });
  if (!portalIdSchema.safeParse(portalId).success) throw new NotFoundError();
  return portalId;
}

/** A constant of lib/failures/groups.ts as an SQL literal; only plain snake_case words get through. */
function literal(value: string): SQL {
  if (!/^[a-z_]+$/.test(value)) throw new Error(`not a plain code: ${value}`);
  return sql.raw(`'${value}'`);
}

const literals = (values: readonly string[]) => sql.join(values.map(literal), sql`, `);

type ConnectionStatus = (typeof connections.$inferSelect)["status"];

/**
 * The connection's health that takes a failure out of its stored group (groups.ts failureGroupOf):
 * a connection that needs re-authorisation, or is disabled, must be fixed before anything else.
 * Causes that are the document's own (DOCUMENT_OWN_GROUPS) keep their group.
 */
const GROUP_OF_CONNECTION: readonly { status: ConnectionStatus; group: FailureGroup }[] = [
  { status: "needs_reauth", group: "reauth" },
  { status: "disabled", group: "settings" },
];

/**
 * The portal's failed and rejected documents (archived ones are sent ones, so never here). The
 * status condition is written as documents_portal_failed_updated_idx's predicate, literally, so
 * the planner can use that partial index whatever the plan.
 */
export function isPortalFailure(portalId: string): SQL | undefined {
  return and(
    eq(documents.portalId, portalId),
    sql`${documents.status} in ('failed', 'rejected')`,
    isNull(documents.archivedAt),
  );
}

// Joins that keep every row inside the document's portal, even if a row were ever mislinked.
export const integrationOfDocument = and(
  eq(dossierIntegrations.dossierId, documents.dossierId),
  eq(dossierIntegrations.portalId, documents.portalId),
);
export const connectionOfIntegration = and(
  eq(connections.id, dossierIntegrations.connectionId),
  eq(connections.portalId, documents.portalId),
);

/**
 * The keyset order of a group: last change first, id breaking ties; `asc` walks back up. The
 * position keeps updated_at's microseconds as text (a JS Date would drop them and skip rows).
 */
export function failureKeyset(position: { cursor: FailureCursor; direction: FailurePageDirection } | null) {
  const isOlder = position === null || position.direction === "older";
  const condition = position
    ? sql`(${documents.updatedAt}, ${documents.id}) ${isOlder ? sql`<` : sql`>`} (${position.cursor.key}::timestamptz, ${position.cursor.id}::uuid)`
    : undefined;
  const order = isOlder
    ? [sql`${documents.updatedAt} desc`, sql`${documents.id} desc`]
    : [sql`${documents.updatedAt} asc`, sql`${documents.id} asc`];
  return { condition, order };
}

export const failureSortKey = sql<string>`to_char(${documents.updatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The office's dossiers whose integration uses a connection that moves their failures to another
 * group (GROUP_OF_CONNECTION), per group they move to. From the office's few connections that
 * need re-authorisation or are disabled (connections_portal_idx, dossier_integrations_connection_idx),
 * never from its failures: asked first, so the failure queries below get plain id lists, and none
 * at all when every connection is well (the usual case). A join from the failures to the
 * connections instead makes Postgres walk every failure of the office to find none.
 */
export async function dossiersMovedByConnection(db: DbOrTx, portalId: string): Promise<Map<FailureGroup, string[]>> {
  const rows = await db
    .select({ dossierId: dossierIntegrations.dossierId, status: connections.status })
    .from(connections)
    .innerJoin(
      dossierIntegrations,
      and(eq(dossierIntegrations.connectionId, connections.id), eq(dossierIntegrations.portalId, connections.portalId)),
    )
    .where(
      and(
        eq(connections.portalId, portalId),
        sql`${connections.status} in (${literals(GROUP_OF_CONNECTION.map(({ status }) => status))})`,
      ),
    );
  const moved = new Map<FailureGroup, string[]>();
  for (const row of rows) {
    const group = GROUP_OF_CONNECTION.find(({ status }) => status === row.status)?.group;
    if (!group) continue;
    moved.set(group, [...(moved.get(group) ?? []), row.dossierId]);
  }
  return moved;
}

/** Failed documents whose stored group is not their own cause, so a connection's health moves them. */
const isMovable = () =>
  and(
    // Literal, as documents_dossier_status_created_idx's predicate has it.
    sql`${documents.status} = 'failed'`,
    isNull(documents.archivedAt),
    sql`coalesce(${documents.failureGroup}, 'unreachable') not in (${literals(DOCUMENT_OWN_GROUPS)})`,
  );

const inDossiers = (ids: readonly string[]) => sql`${documents.dossierId} = any(${sql.param(ids)}::uuid[])`;

/**
 * How many failed and rejected documents each group holds. Every group is present, 0 when empty.
 * Index reads instead of a CASE over every failure of the office: the stored groups counted by an
 * index-only scan of documents_portal_failure_group_idx, then the failures of the dossiers a
 * connection's health moves (dossiersMovedByConnection; usually none) moved over.
 */
export async function countFailuresByGroup(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
): Promise<Record<FailureGroup, FailureGroupCount>> {
  const id = resolveFailurePortal(actor, portalId, "failure.view");
  const storedGroup = sql<FailureGroup | null>`${documents.failureGroup}`;
  const [stored, movedDossiers] = await Promise.all([
    db
      .select({ group: storedGroup, status: documents.status, count: sql<number>`count(*)::int` })
      .from(documents)
      .where(isPortalFailure(id))
      .groupBy(documents.failureGroup, documents.status),
    dossiersMovedByConnection(db, id),
  ]);
  const counts = Object.fromEntries(FAILURE_GROUPS.map((name) => [name, { total: 0, failed: 0 }])) as Record<
    FailureGroup,
    FailureGroupCount
  >;
  const add = (group: FailureGroup, count: number, isFailed: boolean) => {
    const entry = counts[group];
    entry.total += count;
    if (isFailed) entry.failed += count;
  };
  for (const row of stored) add(row.group ?? "unreachable", Number(row.count), row.status === "failed");
  for (const [to, dossierIds] of movedDossiers) {
    const moved = await db
      .select({ group: storedGroup, count: sql<number>`count(*)::int` })
      .from(documents)
      .where(and(eq(documents.portalId, id), inDossiers(dossierIds), isMovable()))
      .groupBy(documents.failureGroup);
    for (const row of moved) {
      add(row.group ?? "unreachable", -Number(row.count), true);
      add(to, Number(row.count), true);
    }
  }
  return counts;
}

/**
 * Where a group's failures are, as at most two conditions over documents, each read as its own
 * slice (a union of both when there are two): the rows stored under the group (one range of
 * documents_portal_failure_group_idx), less the dossiers a connection's health moves to another
 * group; and, when a connection's health leads here, those dossiers' failures stored under another
 * group that is not the document's own (documents_dossier_status_created_idx, per dossier). The
 * stored column (written by lib/documents/life.ts) is the one source: no CASE per row.
 */
export function failureGroupParts(
  group: FailureGroup,
  movedDossiers: Map<FailureGroup, string[]>,
): [stored: SQL | undefined, moved: SQL | undefined] {
  // Nothing moves the document's own causes away from their group.
  const movedAway = DOCUMENT_OWN_GROUPS.includes(group)
    ? []
    : [...movedDossiers].flatMap(([to, ids]) => (to === group ? [] : ids));
  const movedHere = movedDossiers.get(group) ?? [];
  const stored = and(
    eq(documents.failureGroup, group),
    movedAway.length > 0 ? sql`not (${inDossiers(movedAway)})` : undefined,
  );
  if (movedHere.length === 0) return [stored, undefined];
  return [
    stored,
    and(
      inDossiers(movedHere),
      isMovable(),
      sql`coalesce(${documents.failureGroup}, 'unreachable') <> ${literal(group)}`,
    ),
  ];
}

export type ListFailuresParams = {
  portalId: string;
  group: FailureGroup;
  /** null = first page. A cursor made for another group is ignored. */
  position: { cursor: FailureCursor; direction: FailurePageDirection } | null;
  limit?: number;
};

/**
 * One page of a group's documents across all dossiers of the portal, last change first, by keyset
 * (never OFFSET). documents_portal_failure_group_idx (portal, stored group, updated_at; failed and
 * rejected only) hands the group's rows over in page order, so a page reads its own rows (a rare
 * group costs what its rows cost); the failures a connection's health moves into the group come
 * from that connection's dossiers and are merged in.
 */
export async function listFailures(db: DbOrTx, actor: Actor, params: ListFailuresParams): Promise<FailurePage> {
  const portalId = resolveFailurePortal(actor, params.portalId, "failure.view");
  const { group } = params;
  const limit = Math.min(Math.max(Math.trunc(params.limit ?? FAILURE_PAGE_SIZE), 1), MAX_PAGE_SIZE);
  const position = params.position?.cursor.group === group ? params.position : null;

  const [stored, moved] = failureGroupParts(group, await dossiersMovedByConnection(db, portalId));

  const query = (at: typeof position, take: number) => {
    const keyset = failureKeyset(at);
    const slice = (condition: SQL | undefined) =>
      db
        .select({
          documentId: documents.id,
          dossierId: documents.dossierId,
          dossierName: dossiers.name,
          companyNumber: dossiers.companyNumber,
          fileName: documents.fileName,
          status: documents.status,
          lastErrorCode: documents.lastErrorCode,
          lastErrorReason: documents.lastErrorReason,
          at: documents.updatedAt,
          sortKey: failureSortKey.as("sort_key"),
        })
        .from(documents)
        .innerJoin(dossiers, and(eq(dossiers.id, documents.dossierId), eq(dossiers.portalId, documents.portalId)))
        .where(and(isPortalFailure(portalId), condition, keyset.condition))
        .orderBy(...keyset.order)
        .limit(take);
    if (!moved) return slice(stored);
    const isOlder = at === null || at.direction === "older";
    return unionAll(slice(stored), slice(moved))
      .orderBy(...(isOlder ? [sql`"updated_at" desc`, sql`"id" desc`] : [sql`"updated_at" asc`, sql`"id" asc`]))
      .limit(take);
  };

  let rows: Awaited<ReturnType<typeof query>> | null = null;
  let links = { hasNewer: false, hasOlder: false };
  if (position) {
    const found = await query(position, limit + 1);
    const hasMore = found.length > limit;
    const pageRows = found.slice(0, limit);
    if (position.direction === "older" && pageRows.length > 0) {
      rows = pageRows;
      links = { hasNewer: true, hasOlder: hasMore };
    } else if (position.direction === "newer" && hasMore) {
      rows = pageRows.reverse();
      links = { hasNewer: true, hasOlder: true };
    }
    // Otherwise back at the top, or nothing left past the cursor: the first page instead.
  }
  if (!rows) {
    const found = await query(null, limit + 1);
    rows = found.slice(0, limit);
    links = { hasNewer: false, hasOlder: found.length > limit };
  }

  const targets = await loadLastTargets(
    db,
    portalId,
    rows.map((row) => row.documentId),
  );
  const first = rows[0];
  const last = rows.at(-1);
  return {
    group,
    items: rows.map(({ sortKey: _sortKey, status, ...row }) => ({
      ...row,
      status: status === "rejected" ? "rejected" : "failed",
      target: targets.get(row.documentId) ?? null,
    })),
    newerCursor:
      links.hasNewer && first ? encodeFailureCursor({ group, key: first.sortKey, id: first.documentId }) : null,
    olderCursor: links.hasOlder && last ? encodeFailureCursor({ group, key: last.sortKey, id: last.documentId }) : null,
  };
}

/** The target of each document's latest dispatch (dispatches_document_idx), for one page of ids. */
async function loadLastTargets(db: DbOrTx, portalId: string, documentIds: string[]) {
  if (documentIds.length === 0) return new Map<string, TargetDescription>();
  const rows = await db
    .selectDistinctOn([dispatches.documentId], { documentId: dispatches.documentId, target: dispatches.target })
    .from(dispatches)
    .where(
      and(eq(dispatches.portalId, portalId), sql`${dispatches.documentId} = any(${sql.param(documentIds)}::uuid[])`),
    )
    .orderBy(dispatches.documentId, desc(dispatches.createdAt));
  return new Map(
    (await withTargetDescriptions(rows)).flatMap((row) =>
      row.documentId ? [[row.documentId, row.targetDescription]] : [],
    ),
  );
}
