import "server-only";
import type { Db } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { documentPageQuery } from "@/lib/documents/list";
import type { SendRefusal } from "@/lib/documents/refusals";
import { type DocumentCursor, encodeDocumentCursor, encodedDocumentCursorSchema } from "@/lib/documents/schemas";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { ValidationError } from "@/lib/errors";
import { type RequestSendOptions, requestSend } from "./request-send";
import { MAX_DOCUMENTS_PER_SEND, type SendAllInTabInput, sendAllInTabInputSchema } from "./schemas";

/** Documents one batch takes at most: one requestSend, so one transaction and one claim. */
export const SEND_ALL_BATCH_SIZE = MAX_DOCUMENTS_PER_SEND;

/**
 * How long one call goes on starting new batches. A tab of tens of thousands of documents would
 * otherwise outlast a request (a serverless function's limit, a proxy's timeout); past it the
 * answer carries `nextCursor` and the page calls again from there.
 */
export const SEND_ALL_BUDGET_MS = 20_000;

export type SendAllInTabOptions = RequestSendOptions & {
  /** Smaller batches, for tests that walk several batches over a few documents. */
  batchSize?: number;
  /** Time to go on starting batches (SEND_ALL_BUDGET_MS); 0 = one batch per call. */
  budgetMs?: number;
};

export type SendAllInTabResult = {
  /** Documents now on their way (dispatches queued). */
  queued: number;
  /** Documents requestSend refused, counted per reason (lib/documents/refusals.ts), most first. */
  refused: { reason: SendRefusal; count: number }[];
  /** Set when the time budget ran out before the tab did: pass it as `after` to go on. */
  nextCursor: string | null;
};

function parseAfter(after: string | undefined, tab: DocumentCursor["tab"]): DocumentCursor | null {
  if (after === undefined) return null;
  const parsed = encodedDocumentCursorSchema.safeParse(after);
  if (!parsed.success || parsed.data.tab !== tab) throw new ValidationError({ after: ["invalid"] });
  return parsed.data;
}

/**
 * "Send all N in this tab" (the dossier's list, when every document on the page is ticked and the
 * tab has more): the server finds the tab's documents itself — the same query the list pages
 * through, in the actor's scope — and sends them with trigger "bulk" through requestSend, in
 * batches of at most SEND_ALL_BATCH_SIZE. Each batch is one requestSend: its own transaction that
 * locks its documents and moves only those the send rule still allows, so "delivered at most once"
 * holds per batch exactly as for "Send selected", and two "send all" calls at once (or a send all
 * and a click) split the documents between them, never doubling one.
 *
 * The walk is a keyset over the tab's own order (newest first; created_at, then id), so each batch
 * is one index range scan and a document that changes status while we walk (sent, failed) neither
 * shifts nor repeats the rest.
 *
 * Which documents: the tab as it stands when the first batch is read. A document that arrives
 * after that sorts above the walk's start and is not taken (it waits in the Inbox, or auto-send
 * takes it); one that moves into the tab meanwhile (a delivery that fails during a "send all" in
 * Failed) is taken if the walk has not passed its place yet. Documents in the Inbox tab that are
 * already on their way come back refused as `already_sending`, like a ticked one does.
 *
 * Only an unknown or foreign dossier throws (NotFoundError), and a bad `after` (ValidationError).
 */
export async function sendAllInTab(
  db: Db,
  actor: Actor,
  input: SendAllInTabInput,
  options: SendAllInTabOptions = {},
): Promise<SendAllInTabResult> {
  const { dossierId, tab, after } = parseInput(sendAllInTabInputSchema, input);
  const scope = await resolveDossierScope(db, actor, dossierId, "document.send");
  let cursor = parseAfter(after, tab);
  const batchSize = Math.min(Math.max(Math.trunc(options.batchSize ?? SEND_ALL_BATCH_SIZE), 1), SEND_ALL_BATCH_SIZE);
  const deadline = Date.now() + (options.budgetMs ?? SEND_ALL_BUDGET_MS);

  let queued = 0;
  const refusedCounts = new Map<SendRefusal, number>();
  let hasMore = true;
  while (hasMore) {
    const rows = await documentPageQuery(db, scope, tab, cursor ? { cursor, direction: "older" } : null, batchSize);
    const last = rows.at(-1);
    if (!last) break;
    const result = await requestSend(
      db,
      actor,
      { dossierId: scope.dossierId, documentIds: rows.map((row) => row.id), trigger: "bulk" },
      options,
    );
    queued += result.accepted.length;
    for (const { reason } of result.refused) refusedCounts.set(reason, (refusedCounts.get(reason) ?? 0) + 1);
    cursor = { tab, key: last.sortKey, id: last.id };
    hasMore = rows.length === batchSize;
    if (hasMore && Date.now() >= deadline) {
      return { queued, refused: countsOf(refusedCounts), nextCursor: encodeDocumentCursor(cursor) };
    }
  }
  return { queued, refused: countsOf(refusedCounts), nextCursor: null };
}

function countsOf(counts: Map<SendRefusal, number>): SendAllInTabResult["refused"] {
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}
