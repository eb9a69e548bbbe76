import "server-only";
import { and, asc, count, eq, gt, isNotNull, isNull, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { documents, dossiers } from "@/db/schema";
import { type Actor, systemActor } from "@/lib/auth/actor";
import { clearAutoSendSkipNotes, noteAutoSendSkipped } from "@/lib/documents/life";
import type { AutoSendSkipReason, SendRefusal } from "@/lib/documents/refusals";
import { type DossierScope, resolveDossierScope } from "@/lib/dossiers/get";
import { type RequestSendOptions, requestSend } from "./request-send";
import { MAX_DOCUMENTS_PER_SEND } from "./schemas";

/**
 * The recognised documents of a dossier that wait in its inbox: what "Send the N waiting
 * recognised documents now" sends after an integration is saved, and what auto-send catches up on.
 */

/**
 * Why auto-send left a document, when the reason is the dossier's integration: a saved integration
 * replaces what these notes describe, so the save clears them (and auto-send notes afresh what
 * still stands).
 */
export const INTEGRATION_SKIP_REASONS = [
  "no_integration",
  "integration_none",
  "integration_incomplete",
  "connection_needs_reauth",
  "connection_disabled",
  "connector_unavailable",
] as const satisfies readonly AutoSendSkipReason[];

/**
 * Waiting: in the inbox (not archived), typed, and not held as a possible duplicate: exactly the
 * documents the send rule allows among the inbox's (lib/documents/life.ts, LIFE_RULES.send).
 */
function isWaiting(scope: DossierScope): SQL {
  return and(
    eq(documents.portalId, scope.portalId),
    eq(documents.dossierId, scope.dossierId),
    eq(documents.status, "inbox"),
    isNull(documents.archivedAt),
    isNotNull(documents.documentType),
    isNull(documents.possibleDuplicateOf),
  ) as SQL;
}

/** How many recognised documents wait in the dossier's inbox. */
export async function countWaitingDocuments(db: Db, scope: DossierScope): Promise<number> {
  const [row] = await db.select({ count: count() }).from(documents).where(isWaiting(scope));
  return row?.count ?? 0;
}

export type IntegrationSavedOutcome = {
  /** Sent at once by auto-send: the documents it had left for want of a usable integration. */
  autoSent: number;
  /** Recognised documents still waiting in the inbox afterwards (what the save offers to send). */
  waiting: number;
};

/**
 * What saving a dossier's integration does to its waiting documents (lib/integrations/save.ts):
 * 1. the "not sent automatically" notes about the integration no longer apply: they are cleared;
 * 2. with auto-send on, the documents auto-send left for want of a usable integration are sent
 *    now, as auto-send would have (system actor, trigger "auto", through requestSend, so at most
 *    once and by its rules); what it still cannot send gets its current reason noted again;
 * 3. how many recognised documents still wait, for the offer to send them. Documents left while
 *    auto-send was off are not sent here: switching auto-send on sends nothing already waiting
 *    (lib/dossiers/auto-send.ts), and the person who saved decides with the offer.
 * The caller has authorized the save (dossierIntegration.configure on this dossier).
 */
export async function afterIntegrationSaved(
  db: Db,
  scope: DossierScope,
  options: RequestSendOptions = {},
): Promise<IntegrationSavedOutcome> {
  const [dossier] = await db
    .select({ isAutoSendEnabled: dossiers.isAutoSendEnabled })
    .from(dossiers)
    .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)));
  const cleared = await clearAutoSendSkipNotes(db, { ...scope, reasons: INTEGRATION_SKIP_REASONS });

  let autoSent = 0;
  const skipped = cleared
    .filter((row) => row.documentType !== null)
    .map((row) => row.id)
    .sort();
  if (dossier?.isAutoSendEnabled) {
    for (let start = 0; start < skipped.length; start += MAX_DOCUMENTS_PER_SEND) {
      const batch = skipped.slice(start, start + MAX_DOCUMENTS_PER_SEND);
      const result = await requestSend(
        db,
        systemActor("auto-send"),
        { dossierId: scope.dossierId, documentIds: batch, trigger: "auto" },
        options,
      );
      autoSent += result.accepted.length;
      for (const { documentId, reason } of result.refused) {
        // Someone is sending it already, or it left the inbox meanwhile: nothing was skipped.
        if (reason === "already_sending" || reason === "already_sent" || reason === "not_found") continue;
        await noteAutoSendSkipped(db, { portalId: scope.portalId, documentId, reason });
      }
    }
  }
  return { autoSent, waiting: await countWaitingDocuments(db, scope) };
}

export type SendWaitingResult = {
  sent: number;
  /** Documents not sent, counted per reason. */
  refused: { reason: SendRefusal; count: number }[];
};

/**
 * "Send the N waiting recognised documents now": a bulk send (trigger "bulk", as the actor, so
 * document.send is checked) of every recognised document waiting in the dossier's inbox, chosen
 * on the server, in batches of at most MAX_DOCUMENTS_PER_SEND taken in id order. Each batch goes
 * through requestSend, so every rule and "at most once" hold per document.
 */
export async function sendWaitingDocuments(
  db: Db,
  actor: Actor,
  dossierId: string,
  options: RequestSendOptions = {},
): Promise<SendWaitingResult> {
  const scope = await resolveDossierScope(db, actor, dossierId, "document.send");
  let sent = 0;
  const refused = new Map<SendRefusal, number>();
  let after: string | null = null;
  for (;;) {
    const rows: { id: string }[] = await db
      .select({ id: documents.id })
      .from(documents)
      .where(and(isWaiting(scope), after ? gt(documents.id, after) : undefined))
      .orderBy(asc(documents.id))
      .limit(MAX_DOCUMENTS_PER_SEND);
    const last = rows.at(-1);
    if (!last) break;
    const result = await requestSend(
      db,
      actor,
      { dossierId: scope.dossierId, documentIds: rows.map((row) => row.id), trigger: "bulk" },
      options,
    );
    sent += result.accepted.length;
    for (const { reason } of result.refused) refused.set(reason, (refused.get(reason) ?? 0) + 1);
    if (rows.length < MAX_DOCUMENTS_PER_SEND) break;
    after = last.id;
  }
  return { sent, refused: [...refused].map(([reason, count]) => ({ reason, count })) };
}
