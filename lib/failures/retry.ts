import "server-only";
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { Db } from "@/db";
import { documents } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { type RequestSendOptions, requestSend } from "@/lib/dispatch/request-send";
import { MAX_DOCUMENTS_PER_SEND } from "@/lib/dispatch/schemas";
import type { SendRefusal } from "@/lib/documents/refusals";
import { ValidationError } from "@/lib/errors";
import { isRetryableGroup } from "./groups";
import {
  dossiersMovedByConnection,
  failureGroupParts,
  failureKeyset,
  failureSortKey,
  resolveFailurePortal,
} from "./list";
import { encodeFailureCursor, type RetryFailureGroupInput, retryFailureGroupInputSchema } from "./schemas";

/** Documents one "retry all" takes at most; the answer says where to go on for the rest. */
export const RETRY_BATCH_SIZE = MAX_DOCUMENTS_PER_SEND;

export type RetryFailureGroupResult = {
  /** Documents now on their way again (dispatches queued). */
  queued: number;
  /** Documents requestSend refused, counted per reason (lib/documents/refusals.ts). */
  refused: { reason: SendRefusal; count: number }[];
  /** Set when the group holds more failed documents past this batch: pass it as `after` to go on. */
  nextCursor: string | null;
};

/**
 * "Retry all in this group": sends the group's failed documents again through requestSend with
 * trigger "retry", so every document rule, the connection's health and "delivered at most once"
 * are checked exactly as for a single retry, per dossier (requestSend works on one dossier).
 *
 * Bounded: one batch of at most RETRY_BATCH_SIZE documents, in the page order (last change first).
 * Accepted documents leave the queue; refused ones stay, so the next batch starts after this one's
 * last document (`nextCursor`) instead of meeting the same refusals again.
 *
 * Rejected documents are not taken: the package refused them for what they are, and the design map
 * has a person correct each one before it is sent again. Groups where a retry cannot help (`file`)
 * are refused as a whole.
 */
export async function retryFailureGroup(
  db: Db,
  actor: Actor,
  input: RetryFailureGroupInput,
  options: RequestSendOptions = {},
): Promise<RetryFailureGroupResult> {
  const { portalId: rawPortalId, group, after } = parseInput(retryFailureGroupInputSchema, input);
  const portalId = resolveFailurePortal(actor, rawPortalId, "failure.retry");
  if (!isRetryableGroup(group)) throw new ValidationError({ group: ["invalid"] });

  const keyset = failureKeyset(after?.group === group ? { cursor: after, direction: "older" } : null);
  // The group's failed documents from the stored column (failureGroupParts), as the queue lists them.
  const [stored, moved] = failureGroupParts(group, await dossiersMovedByConnection(db, portalId));
  const slice = (condition: SQL | undefined) =>
    db
      .select({
        id: documents.id,
        dossierId: documents.dossierId,
        updatedAt: documents.updatedAt,
        sortKey: failureSortKey.as("sort_key"),
      })
      .from(documents)
      .where(
        and(
          eq(documents.portalId, portalId),
          // Literal, as documents_portal_failed_updated_idx's predicate implies it.
          sql`${documents.status} = 'failed'`,
          isNull(documents.archivedAt),
          condition,
          keyset.condition,
        ),
      )
      .orderBy(...keyset.order)
      .limit(RETRY_BATCH_SIZE + 1);
  const rows = moved
    ? await unionAll(slice(stored), slice(moved))
        .orderBy(sql`"updated_at" desc`, sql`"id" desc`)
        .limit(RETRY_BATCH_SIZE + 1)
    : await slice(stored);
  const batch = rows.slice(0, RETRY_BATCH_SIZE);

  const byDossier = new Map<string, string[]>();
  for (const row of batch) {
    const ids = byDossier.get(row.dossierId) ?? [];
    ids.push(row.id);
    byDossier.set(row.dossierId, ids);
  }

  let queued = 0;
  const refusedCounts = new Map<SendRefusal, number>();
  for (const [dossierId, documentIds] of byDossier) {
    const result = await requestSend(db, actor, { dossierId, documentIds, trigger: "retry" }, options);
    queued += result.accepted.length;
    for (const { reason } of result.refused) refusedCounts.set(reason, (refusedCounts.get(reason) ?? 0) + 1);
  }

  const last = batch.at(-1);
  return {
    queued,
    refused: [...refusedCounts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    nextCursor:
      rows.length > RETRY_BATCH_SIZE && last ? encodeFailureCursor({ group, key: last.sortKey, id: last.id }) : null,
  };
}
