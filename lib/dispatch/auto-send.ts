import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documents, dossiers } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { noteAutoSendSkipped } from "@/lib/documents/life";
import type { DocumentStatus } from "@/lib/documents/list";
import type { AutoSendSkipReason } from "@/lib/documents/refusals";
import { sendJobEvent } from "@/lib/jobs/client";
import { DOCUMENT_RECOGNISED } from "@/lib/jobs/definitions/auto-send";
import { type RequestSendOptions, requestSendInTransaction } from "./request-send";

export type AutoSendResult =
  | { outcome: "sent"; dispatchId: string }
  /** Left in the inbox; the reason is stored on the document for people to see. */
  | { outcome: "skipped"; reason: AutoSendSkipReason }
  /** Nothing to decide: the document is gone or no longer in the inbox (sent, sending, …). */
  | { outcome: "not_applicable" };

/** Auto-send's decision for a document, taken inside a transaction; `afterCommit` acts on it. */
export type AutoSendDecision = { result: AutoSendResult; afterCommit: () => Promise<void> };

/**
 * A change that can make documents recognised (the recognition webhook, a type set by hand or by
 * the API, an upload with a type, a lifted duplicate hold) and auto-send's decision for each of
 * them, in one transaction: the document is recognised exactly when it is also on its way (its
 * dispatch, and on the PostgreSQL job driver its delivery's run), or when why not is noted on it.
 * So no process that dies between the two leaves a recognised document in the inbox that auto-send
 * never saw, and a send needs a transaction less (`npm run bench -- sustained` counts the commits
 * per send: 14.6 before, 11.9 after, at 40 a second).
 *
 * `change` runs in the transaction and returns the ids of the documents it made recognised
 * (`recognisedIdsOf`). Auto-send runs for each behind a savepoint: when it fails (the database
 * refused a statement), only its part is rolled back, the change commits, and the auto-send job
 * (lib/jobs/definitions/auto-send.ts) takes the document over with its retries; when even that
 * cannot be queued it is logged, not thrown: the type is stored either way, and the document can
 * still be sent by hand. `db` must not be an open transaction: the deliveries are handed to the
 * job driver once it committed. Returns the change's value and what auto-send did per document (no
 * entry for one left to the job).
 */
export async function withAutoSend<T>(
  db: DbOrTx,
  change: (tx: DbOrTx) => Promise<T>,
  recognisedIdsOf: (value: T) => readonly string[],
): Promise<{ value: T; autoSent: ReadonlyMap<string, AutoSendResult> }> {
  const autoSent = new Map<string, AutoSendResult>();
  const afterCommits: (() => Promise<void>)[] = [];
  const leftToJob: string[] = [];
  const value = await db.transaction(async (tx) => {
    const value = await change(tx);
    for (const documentId of recognisedIdsOf(value)) {
      try {
        const decision = await tx.transaction((savepoint) => autoSendInTransaction(savepoint, documentId));
        autoSent.set(documentId, decision.result);
        afterCommits.push(decision.afterCommit);
      } catch (error) {
        console.warn(
          `[auto-send] document ${documentId} could not be sent now; the auto-send job takes it over`,
          error,
        );
        leftToJob.push(documentId);
      }
    }
    return value;
  });
  for (const afterCommit of afterCommits) await afterCommit();
  for (const documentId of leftToJob) {
    try {
      await sendJobEvent(DOCUMENT_RECOGNISED, { documentId });
    } catch (error) {
      console.error(`[auto-send] document ${documentId} is recognised, but auto-send could not be queued`, error);
    }
  }
  return { value, autoSent };
}

/**
 * withAutoSend for a change of one document that answers with its view: the view as it is
 * afterwards, on its way ("sending") once auto-send sent it, so an upload or a typing answers the
 * status that is true. A document left without a type is not auto-send's business.
 */
export async function withAutoSendView<T extends { id: string; status: DocumentStatus; documentType: string | null }>(
  db: DbOrTx,
  change: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  const { value, autoSent } = await withAutoSend(db, change, (view) => (view.documentType === null ? [] : [view.id]));
  return autoSent.get(value.id)?.outcome === "sent" ? { ...value, status: "sending" } : value;
}

/**
 * Decides and does auto-send for one document (the auto-send job, for a document whose auto-send
 * could not run with its recognition): autoSendInTransaction in a transaction of its own, then hands
 * the delivery to the job driver.
 */
export async function autoSend(
  db: DbOrTx,
  documentId: string,
  options: RequestSendOptions = {},
): Promise<AutoSendResult> {
  const { result, afterCommit } = await db.transaction((tx) => autoSendInTransaction(tx, documentId, options));
  await afterCommit();
  return result;
}

/**
 * Decides and does auto-send for one document within the caller's transaction (withAutoSend, and
 * autoSend): sends it when it is recognised and in the inbox, its dossier's auto-send is on and
 * its integration is usable, as the system (trigger "auto"). Otherwise it records why not in
 * documents.auto_send_skip_reason (auto-send off, no integration, "no integration needed",
 * connection needs re-authorisation, …), which a successful send clears again. Safe to repeat:
 * requestSend's conditional update lets only one dispatch through, and a document that left the
 * inbox is not touched. The caller commits, then calls `afterCommit` (requestSendInTransaction).
 */
export async function autoSendInTransaction(
  tx: DbOrTx,
  documentId: string,
  options: RequestSendOptions = {},
): Promise<AutoSendDecision> {
  const [row] = await tx
    .select({
      dossierId: documents.dossierId,
      portalId: documents.portalId,
      status: documents.status,
      documentType: documents.documentType,
      archivedAt: documents.archivedAt,
      isAutoSendEnabled: dossiers.isAutoSendEnabled,
    })
    .from(documents)
    .innerJoin(dossiers, and(eq(dossiers.id, documents.dossierId), eq(dossiers.portalId, documents.portalId)))
    .where(eq(documents.id, documentId))
    .limit(1);
  if (row?.status !== "inbox" || row.archivedAt) return { result: { outcome: "not_applicable" }, afterCommit: nothing };

  let reason: AutoSendSkipReason;
  if (!row.documentType) reason = "not_recognised";
  else if (!row.isAutoSendEnabled) reason = "auto_send_off";
  else {
    const { result, afterCommit } = await requestSendInTransaction(
      tx,
      systemActor("auto-send"),
      { dossierId: row.dossierId, documentIds: [documentId], trigger: "auto" },
      options,
    );
    const accepted = result.accepted[0];
    if (accepted) return { result: { outcome: "sent", dispatchId: accepted.dispatchId }, afterCommit };
    const refusal = result.refused[0]?.reason ?? "not_found";
    // Someone (or an earlier run of this job) is sending it already: nothing was skipped.
    if (refusal === "already_sending" || refusal === "already_sent") {
      return { result: { outcome: "not_applicable" }, afterCommit: nothing };
    }
    reason = refusal;
  }
  await noteAutoSendSkipped(tx, { portalId: row.portalId, documentId, reason });
  return { result: { outcome: "skipped", reason }, afterCommit: nothing };
}

const nothing = async () => {};
