import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import { connections, documents } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { resolveDocumentScope } from "@/lib/documents/get";
import { LIFE_RULES, requestDispatches, type SendCandidate } from "@/lib/documents/life";
import type { SendRefusal } from "@/lib/documents/refusals";
import { NotFoundError } from "@/lib/errors";
import { loadAuthorizedDossierIntegration } from "@/lib/integrations/load";
import { type JobEventInput, sendJobEvents } from "@/lib/jobs/client";
import { type DeliverPayload, DISPATCH_REQUESTED } from "@/lib/jobs/definitions/deliver";
import { sendJobEventsInTransaction } from "@/lib/jobs/in-transaction";
import {
  concurrencyKeyOf,
  type DeliveryRoute,
  deliveryLanesOf,
  resolveRoute,
  routeThrottleKey,
  targetFor,
  throttleKeyOf,
} from "./plan";
import { type RequestSendInput, requestSendInputSchema } from "./schemas";

/** The deliver job's payload, as every place that enqueues a delivery builds it. */
export type DispatchRequestedEvent = DeliverPayload;

export type RequestSendResult = {
  accepted: { documentId: string; dispatchId: string }[];
  refused: { documentId: string; reason: SendRefusal }[];
};

export type RequestSendOptions = {
  /**
   * Hands the accepted dispatches to the job driver once the transaction committed; by default one
   * event per dispatch, stored within the transaction where the driver can (enqueueDispatches).
   */
  enqueue?: (events: DispatchRequestedEvent[]) => Promise<void>;
};

const guidSchema = z.guid();

/** `column = any($1::uuid[])`: one parameter for the whole list, however long. */
function idIn(column: typeof documents.id, ids: readonly string[]) {
  return sql`${column} = any(${sql.param(ids)}::uuid[])`;
}

/**
 * Sends documents of one dossier (design map, "Dispatch flow" step 1). Checks the permission and
 * every rule per document, and in one transaction moves the accepted documents to `sending` and
 * inserts their dispatch rows, and enqueues one deliver job per dispatch: in that transaction on the
 * PostgreSQL job driver (sendJobEventsInTransaction), once it committed on the others.
 *
 * Set-based, whatever the number of documents: one select of the documents (locked), then one
 * statement that moves them, inserts their dispatches and writes their events
 * (lib/documents/life.ts, requestDispatches). Races are settled by the database, not by the select:
 * - the move only takes documents the send rule still allows; a document another caller moved
 *   first comes back `already_sending`;
 * - the partial unique index "one active dispatch per document" is the last guard: a conflicting
 *   row is skipped, never an error that would abort the whole batch.
 *
 * Refusals are answers, not errors; only an unknown or foreign dossier throws (NotFoundError).
 */
export async function requestSend(
  db: Db,
  actor: Actor,
  input: RequestSendInput,
  options: RequestSendOptions = {},
): Promise<RequestSendResult> {
  const { result, afterCommit } = await db.transaction((tx) => requestSendInTransaction(tx, actor, input, options));
  await afterCommit();
  return result;
}

/**
 * requestSend within the caller's open transaction (auto-send shares the transaction that made the
 * document recognised: lib/dispatch/auto-send.ts). The caller commits, then calls `afterCommit`,
 * which hands the deliveries to the job driver (wakes this instance's loops on the PostgreSQL
 * driver, whose runs are already stored in the transaction); it never throws.
 */
export async function requestSendInTransaction(
  tx: DbOrTx,
  actor: Actor,
  input: RequestSendInput,
  options: RequestSendOptions = {},
): Promise<{ result: RequestSendResult; afterCommit: () => Promise<void> }> {
  const { dossierId, documentIds, trigger } = parseInput(requestSendInputSchema, input);
  const { scope, context: integration } = await loadAuthorizedDossierIntegration(
    tx,
    actor,
    dossierId,
    trigger === "retry" ? "document.retry" : "document.send",
  );
  const requestedIds = [...new Set(documentIds)];
  const refused: RequestSendResult["refused"] = [];
  const refuse = (documentId: string, reason: SendRefusal) => refused.push({ documentId, reason });
  const validIds = requestedIds.filter((id) => {
    const isValid = guidSchema.safeParse(id).success;
    if (!isValid) refuse(id, "not_found");
    return isValid;
  });

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
            possibleDuplicateOf: documents.possibleDuplicateOf,
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
  const candidates: SendCandidate[] = [];
  for (const id of validIds) {
    const row = byId.get(id);
    if (!row) {
      refuse(id, "not_found");
      continue;
    }
    const refusal = LIFE_RULES.send.refusal(row) ?? (route.ok ? null : route.reason);
    if (refusal || !row.documentType || !route.ok) {
      refuse(id, refusal ?? "not_recognised");
      continue;
    }
    const target = targetFor(route.route, row.documentType);
    if (target.ok) candidates.push({ documentId: id, fromStatus: row.status, target: target.target });
    else refuse(id, target.reason);
  }
  const connectionId = route.ok && route.route.kind === "connection" ? route.route.connection.id : null;
  const accepted = await requestDispatches(tx, {
    actor,
    portalId: scope.portalId,
    dossierId: scope.dossierId,
    connectionId,
    trigger,
    candidates,
    now: new Date(),
  });
  // Moved by someone else first, or (the last guard) it already had an active dispatch.
  const insertedIds = new Set(accepted.map((row) => row.documentId));
  for (const candidate of candidates) {
    if (!insertedIds.has(candidate.documentId)) refuse(candidate.documentId, "already_sending");
  }
  const events = accepted.map(({ dispatchId }) => ({
    dispatchId,
    concurrencyKey: concurrencyKeyOf({ id: dispatchId, connectionId, lanes }),
    throttleKey: throttleKeyOf(dispatchId, routeKey),
  }));
  // With the PostgreSQL job driver the deliveries' runs are stored in this transaction (no
  // dispatch without its run, one commit); otherwise they are sent once it committed.
  const enqueue = options.enqueue;
  const handOver =
    events.length === 0 ? null : enqueue ? () => enqueue(events) : await enqueueDispatchesInTransaction(tx, events);

  // Answer in the order asked, whatever order the checks produced.
  const order = new Map(requestedIds.map((id, index) => [id, index]));
  refused.sort((a, b) => (order.get(a.documentId) ?? 0) - (order.get(b.documentId) ?? 0));
  accepted.sort((a, b) => (order.get(a.documentId) ?? 0) - (order.get(b.documentId) ?? 0));
  return {
    result: { accepted, refused },
    async afterCommit() {
      if (!handOver) return;
      try {
        await handOver();
      } catch (error) {
        // The dispatches are committed and the documents show "sending": that is true. A job driver
        // that could not take them now picks them up when it starts (resumeUnfinishedDispatches).
        console.error(`[requestSend] enqueue of ${events.length} dispatches failed`, error);
      }
    },
  };
}

export type RequestSendDocumentResult =
  | { isAccepted: true; documentId: string; dispatchId: string }
  | { isAccepted: false; documentId: string; reason: Exclude<SendRefusal, "not_found"> };

/**
 * Sends one document known by its id alone (the REST API's /documents/{documentId}/send and
 * /retry): requestSend in the document's own dossier, so every rule, the race handling and the
 * enqueueing are the ones above. An unknown, malformed or foreign id throws NotFoundError, and so
 * does a document that disappeared before it could be taken; any other refusal is the answer.
 */
export async function requestSendDocument(
  db: Db,
  actor: Actor,
  input: { documentId: string; trigger: "manual" | "retry" },
  options: RequestSendOptions = {},
): Promise<RequestSendDocumentResult> {
  const { documentId, trigger } = input;
  const scope = await resolveDocumentScope(
    db,
    actor,
    documentId,
    trigger === "retry" ? "document.retry" : "document.send",
  );
  const result = await requestSend(
    db,
    actor,
    { dossierId: scope.dossierId, documentIds: [documentId], trigger },
    options,
  );
  const accepted = result.accepted[0];
  if (accepted) return { isAccepted: true, documentId, dispatchId: accepted.dispatchId };
  const reason = result.refused[0]?.reason ?? "not_found";
  if (reason === "not_found") throw new NotFoundError();
  return { isAccepted: false, documentId, reason };
}

/**
 * The throttle bucket of a route's deliveries (plan.ts, routeThrottleKey). Reads the connection's
 * settings only when its connector throttles, inside the dossier's portal.
 */
export async function loadRouteThrottleKey(db: DbOrTx, portalId: string, route: DeliveryRoute): Promise<string | null> {
  if (route.kind !== "connection" || !route.connector.deliveryThrottle) return null;
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
  await sendJobEvents(events.map(dispatchRequested));
}

/** enqueueDispatches within the transaction that inserts the dispatches (sendJobEventsInTransaction). */
function enqueueDispatchesInTransaction(
  tx: DbOrTx,
  events: readonly DispatchRequestedEvent[],
): Promise<() => Promise<void>> {
  return sendJobEventsInTransaction(tx, events.map(dispatchRequested));
}

function dispatchRequested(payload: DispatchRequestedEvent): JobEventInput {
  return { name: DISPATCH_REQUESTED, payload } as JobEventInput;
}
