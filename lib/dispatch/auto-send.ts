import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { documents, dossiers } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { noteAutoSendSkipped } from "@/lib/documents/life";
import type { AutoSendSkipReason } from "@/lib/documents/refusals";
import { type RequestSendOptions, requestSend } from "./request-send";

export type AutoSendResult =
  | { outcome: "sent"; dispatchId: string }
  /** Left in the inbox; the reason is stored on the document for people to see. */
  | { outcome: "skipped"; reason: AutoSendSkipReason }
  /** Nothing to decide: the document is gone or no longer in the inbox (sent, sending, …). */
  | { outcome: "not_applicable" };

/**
 * Runs when a document becomes recognised (the `documents/document.recognised` job): sends it when
 * it is recognised and in the inbox, its dossier's auto-send is on and its integration is usable,
 * as the system (trigger "auto"). Otherwise it records why not in documents.auto_send_skip_reason
 * (auto-send off, no integration, "no integration needed", connection needs re-authorisation, …),
 * which a successful send clears again. Safe to repeat: requestSend's conditional update lets only
 * one dispatch through, and a document that left the inbox is not touched.
 */
export async function autoSend(db: Db, documentId: string, options: RequestSendOptions = {}): Promise<AutoSendResult> {
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
