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
import { type RequestSendOptions, requestSend } from "./request-send";

export type AutoSendResult =
  | { outcome: "sent"; dispatchId: string }
  /** Left in the inbox; the reason is stored on the document for people to see. */
  | { outcome: "skipped"; reason: AutoSendSkipReason }
  /** Nothing to decide: the document is gone or no longer in the inbox (sent, sending, …). */
  | { outcome: "not_applicable" };

/**
 * Auto-send's chance for a document that just became recognised (the recognition webhook, a type
 * set by hand, an upload with a type, a lifted duplicate hold), called once that change is
 * committed (`db` is no open transaction: the delivery is queued once the send commits). It runs
 * autoSend here and now, in the caller's request: the delivery is queued before the caller hears
 * back, with no job between "recognised" and "queued" (the job hop cost a claim, a stored step
 * and a completion: its run alone took 41 ms p50 on the postgres driver, `npm run bench --
 * auto-send-latency`, and every send paid its commits). When that fails (the database hiccuped),
 * the auto-send job (lib/jobs/definitions/auto-send.ts) takes the document over with its retries;
 * when even that cannot be queued it is logged, not thrown: the type is stored either way, and the
 * document can still be sent by hand. Returns what auto-send did, or null when it was left to the
 * job.
 */
export async function autoSendRecognised(db: DbOrTx, documentId: string): Promise<AutoSendResult | null> {
  try {
    return await autoSend(db, documentId);
  } catch (error) {
    console.warn(`[auto-send] document ${documentId} could not be sent now; the auto-send job takes it over`, error);
  }
  try {
    await sendJobEvent(DOCUMENT_RECOGNISED, { documentId });
  } catch (error) {
    console.error(`[auto-send] document ${documentId} is recognised, but auto-send could not be queued`, error);
  }
  return null;
}

/**
 * autoSendRecognised for a document the caller answers with: its view as it is afterwards, on its
 * way ("sending") once auto-send sent it, so an upload or a typing answers the status that is true.
 */
export async function autoSendRecognisedView<T extends { id: string; status: DocumentStatus }>(
  db: DbOrTx,
  view: T,
): Promise<T> {
  const result = await autoSendRecognised(db, view.id);
  return result?.outcome === "sent" ? { ...view, status: "sending" } : view;
}

/**
 * Decides and does auto-send for one document (autoSendRecognised, and the auto-send job when that
 * could not): sends it when it is recognised and in the inbox, its dossier's auto-send is on and
 * its integration is usable, as the system (trigger "auto"). Otherwise it records why not in documents.auto_send_skip_reason
 * (auto-send off, no integration, "no integration needed", connection needs re-authorisation, …),
 * which a successful send clears again. Safe to repeat: requestSend's conditional update lets only
 * one dispatch through, and a document that left the inbox is not touched.
 */
export async function autoSend(
  db: DbOrTx,
  documentId: string,
  options: RequestSendOptions = {},
): Promise<AutoSendResult> {
  const [row] = await db
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
  if (row?.status !== "inbox" || row.archivedAt) return { outcome: "not_applicable" };

  let reason: AutoSendSkipReason;
  if (!row.documentType) reason = "not_recognised";
  else if (!row.isAutoSendEnabled) reason = "auto_send_off";
  else {
    const result = await requestSend(
      db,
      systemActor("auto-send"),
      { dossierId: row.dossierId, documentIds: [documentId], trigger: "auto" },
      options,
    );
    const accepted = result.accepted[0];
    if (accepted) return { outcome: "sent", dispatchId: accepted.dispatchId };
    const refusal = result.refused[0]?.reason ?? "not_found";
    // Someone (or an earlier run of this job) is sending it already: nothing was skipped.
    if (refusal === "already_sending" || refusal === "already_sent") return { outcome: "not_applicable" };
    reason = refusal;
  }
  await noteAutoSendSkipped(db, { portalId: row.portalId, documentId, reason });
  return { outcome: "skipped", reason };
}
