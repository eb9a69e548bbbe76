import "server-only";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import { connections, dispatches, documents } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import { type Actor, actorUserId } from "@/lib/auth/actor";
import { canSend, type DocumentRefusal, OPEN_STATUSES } from "@/lib/documents/rules";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { loadDossierIntegration } from "@/lib/integrations/load";
import { type JobEventInput, sendJobEvents } from "@/lib/jobs/client";
import { type DeliverPayload, DISPATCH_REQUESTED } from "@/lib/jobs/definitions/deliver";
import {
  concurrencyKeyOf,
  type DeliveryRoute,
  type DispatchTarget,
  deliveryLanesOf,
  resolveRoute,
  routeThrottleKey,
  targetFor,
  throttleKeyOf,
} from "./plan";
import type { SendRefusalReason } from "./refusals";
import { type RequestSendInput, requestSendInputSchema } from "./schemas";

/** The deliver job's payload, as every place that enqueues a delivery builds it. */
export type DispatchRequestedEvent = DeliverPayload;

export type RequestSendResult = {
  accepted: { documentId: string; dispatchId: string }[];
  refused: { documentId: string; reason: SendRefusalReason }[];
};

export type RequestSendOptions = {
  /** Hands the accepted dispatches to the job driver; the default sends one event per dispatch. */
  enqueue?: (events: DispatchRequestedEvent[]) => Promise<void>;
};

const guidSchema = z.guid();

/** `column = any($1::uuid[])`: one parameter for the whole list, however long. */
function idIn(column: typeof documents.id, ids: readonly string[]) {
  return sql`${column} = any(${sql.param(ids)}::uuid[])`;
}

/** The document-life rule's refusals (lib/documents/rules.ts, canSend) as send refusal reasons. */
const DOCUMENT_REFUSALS: Partial<Record<DocumentRefusal, SendRefusalReason>> = {
  archived: "archived",
  alreadySent: "already_sent",
  sending: "already_sending",
  notRecognised: "not_recognised",
};

/**
 * Sends documents of one dossier (design map, "Dispatch flow" step 1). Checks the permission and
 * every rule per document, and in one transaction moves the accepted documents to `sending` and
 * inserts their dispatch rows; after the commit it enqueues one deliver job per dispatch.
 *
 * Set-based, whatever the number of documents: one select of the documents, one conditional
 * update, one multi-row insert. Races are settled by the database, not by the select:
 * - the update only moves documents still sendable (`status in (inbox, failed, rejected)`, not
 *   archived, typed); a document another caller moved first comes back `already_sending`;
 * - the partial unique index "one active dispatch per document" is the last guard: a conflicting
 *   row is skipped (`on conflict do nothing`), never an error that would abort the whole batch.
 *
 * Refusals are answers, not errors; only an unknown or foreign dossier throws (NotFoundError).
 */
export async function requestSend(
  db: Db,
  actor: Actor,
  input: RequestSendInput,
  options: RequestSendOptions = {},
): Promise<RequestSendResult> {
  const { dossierId, documentIds, trigger } = parseInput(requestSendInputSchema, input);
  const scope = await resolveDossierScope(
    db,
    actor,
    dossierId,
    trigger === "retry" ? "document.retry" : "document.send",
  );
  const requestedIds = [...new Set(documentIds)];
  const refused: RequestSendResult["refused"] = [];
  const refuse = (documentId: string, reason: SendRefusalReason) => refused.push({ documentId, reason });
  const validIds = requestedIds.filter((id) => {
    const isValid = guidSchema.safeParse(id).success;
    if (!isValid) refuse(id, "not_found");
    return isValid;
  });

  const { accepted, connectionId, routeKey, lanes } = await db.transaction(async (tx) => {
    const integration = await loadDossierIntegration(tx, scope);
    const route = await resolveRoute(integration);
    const routeKey = route.ok ? await loadRouteThrottleKey(tx, scope.portalId, route.route) : null;
    const lanes = route.ok ? deliveryLanesOf(route.route) : 1;
    const rows =
      validIds.length === 0
        ? []
        : await tx
            .select({
              id: documents.id,
              status: documents.status,
              documentType: documents.documentType,
              archivedAt: documents.archivedAt,
            })
            .from(documents)
            .where(
              and(
                eq(documents.portalId, scope.portalId),
                eq(documents.dossierId, scope.dossierId),
                idIn(documents.id, validIds),
              ),
            )
            // Locks the rows in id order: two bulk sends over overlapping sets queue up instead of
            // deadlocking, and the one that waited reads the winner's committed state (sending).
            .orderBy(documents.id)
            .for("no key update");

    const byId = new Map(rows.map((row) => [row.id, row]));
    const candidates = new Map<string, DispatchTarget>();
    for (const id of validIds) {
      const row = byId.get(id);
      const decision = row ? canSend(row) : null;
      if (!row) refuse(id, "not_found");
      else if (decision && !decision.allowed) refuse(id, DOCUMENT_REFUSALS[decision.reason] ?? "not_found");
      else if (!row.documentType) refuse(id, "not_recognised");
      else if (!route.ok) refuse(id, route.reason);
      else {
        const target = targetFor(route.route, row.documentType);
        if (target.ok) candidates.set(id, target.target);
        else refuse(id, target.reason);
      }
    }
    const connectionId = route.ok && route.route.kind === "connection" ? route.route.connection.id : null;
    const none = { accepted: [] as RequestSendResult["accepted"], connectionId, routeKey, lanes };
    if (candidates.size === 0) return none;

    const now = new Date();
    const isSendable = and(
      eq(documents.portalId, scope.portalId),
      eq(documents.dossierId, scope.dossierId),
      idIn(documents.id, [...candidates.keys()]),
      // canSend in SQL: new, failed (retry) or rejected (send again after correction).
      inArray(documents.status, [...OPEN_STATUSES]),
      isNull(documents.archivedAt),
      isNotNull(documents.documentType),
    );
    // The conditional update repeats the rule in SQL, so it stays the guard whatever the select saw.
    const moved = await tx
      .update(documents)
      .set({ status: "sending", autoSendSkipReason: null, updatedAt: now })
      .where(isSendable)
      .returning({ id: documents.id });
    const movedIds = new Set(moved.map((row) => row.id));
    for (const id of candidates.keys()) if (!movedIds.has(id)) refuse(id, "already_sending");
    if (movedIds.size === 0) return none;

    // One insert of all dispatch rows, from arrays (a parameter per column, not per cell). The
    // partial unique index "one active dispatch per document" is the last guard: a document that
    // somehow already has an active dispatch keeps it (and stays `sending`, which is then true),
    // and the conflict never aborts the rest of the batch.
    const movedList = [...movedIds];
    const insertedResult = await tx.execute(sql`
      insert into ${dispatches} (portal_id, dossier_id, document_id, connection_id, trigger, requested_by_user_id, status, target)
      select ${scope.portalId}::uuid, ${scope.dossierId}::uuid, t.document_id, ${connectionId}::uuid,
        ${trigger}::dispatch_trigger, ${actorUserId(actor)}::uuid, 'queued', t.target
      from unnest(
        ${sql.param(movedList)}::uuid[],
        ${sql.param(movedList.map((id) => JSON.stringify(candidates.get(id) ?? {})))}::jsonb[]
      ) as t(document_id, target)
      on conflict (document_id) where status in ('queued', 'running') do nothing
      returning id, document_id`);
    const inserted = (insertedResult as unknown as { rows: { id: string; document_id: string }[] }).rows.map((row) => ({
      id: row.id,
      documentId: row.document_id,
    }));
    const insertedIds = new Set(inserted.map((row) => row.documentId));
    for (const id of movedIds) if (!insertedIds.has(id)) refuse(id, "already_sending");
    return {
      accepted: inserted.map((row) => ({ documentId: row.documentId, dispatchId: row.id })),
      connectionId,
      routeKey,
      lanes,
    };
  });

  if (accepted.length > 0) {
    const events = accepted.map(({ dispatchId }) => ({
      dispatchId,
      concurrencyKey: concurrencyKeyOf({ id: dispatchId, connectionId, lanes }),
      throttleKey: throttleKeyOf(dispatchId, routeKey),
    }));
    try {
      await (options.enqueue ?? enqueueDispatches)(events);
    } catch (error) {
      // The dispatches are committed and the documents show "sending": that is true. A job driver
      // that could not take them now picks them up when it starts (resumeUnfinishedDispatches).
      console.error(`[requestSend] enqueue of ${events.length} dispatches failed`, error);
    }
  }
  // Answer in the order asked, whatever order the checks produced.
  const order = new Map(requestedIds.map((id, index) => [id, index]));
  refused.sort((a, b) => (order.get(a.documentId) ?? 0) - (order.get(b.documentId) ?? 0));
  accepted.sort((a, b) => (order.get(a.documentId) ?? 0) - (order.get(b.documentId) ?? 0));
  return { accepted, refused };
}

/**
 * The throttle bucket of a route's deliveries (plan.ts, routeThrottleKey). Reads the connection's
 * settings only when its connector throttles, inside the dossier's portal.
 */
export async function loadRouteThrottleKey(db: DbOrTx, portalId: string, route: DeliveryRoute): Promise<string | null> {
  if (route.kind !== "connection" || !route.connector.deliveryThrottleKey) return null;
  const [row] = await db
    .select({ settings: connections.settings })
    .from(connections)
    .where(and(eq(connections.id, route.connection.id), eq(connections.portalId, portalId)))
    .limit(1);
  return row ? routeThrottleKey(route, row.settings) : null;
}

/** One `dispatch/dispatch.requested` event per dispatch, sent in one call. */
export async function enqueueDispatches(events: readonly DispatchRequestedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sendJobEvents(events.map((payload) => ({ name: DISPATCH_REQUESTED, payload }) as JobEventInput));
}
