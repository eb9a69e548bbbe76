import "server-only";
import { and, count, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { documents, dossierIntegrations, dossiers } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { clearAutoSendSkipNotes, noteAutoSendSkipped } from "@/lib/documents/life";
import { type AutoSendSkipReason, ROUTE_REFUSALS } from "@/lib/documents/refusals";
import type { DossierScope } from "@/lib/dossiers/get";
import { type RequestSendOptions, requestSend } from "./request-send";
import { MAX_DOCUMENTS_PER_SEND } from "./schemas";

/**
 * The recognised documents of a dossier that wait in its inbox: what auto-send catches up on after
 * an integration is saved, and what the save then offers to send ("Send the N waiting recognised
 * documents now", which is the list's own "send all in this tab" of the Inbox:
 * lib/dispatch/send-all.ts).
 */

/**
 * Why auto-send left a document, when the reason is the dossier's integration: a saved integration
 * replaces what these notes describe, so the save clears them (and auto-send notes afresh what
 * still stands).
 */
export const INTEGRATION_SKIP_REASONS: readonly AutoSendSkipReason[] = ROUTE_REFUSALS;

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
  options: RequestSendOptions & { reasons?: readonly AutoSendSkipReason[] } = {},
): Promise<IntegrationSavedOutcome> {
  const [dossier] = await db
    .select({ isAutoSendEnabled: dossiers.isAutoSendEnabled })
    .from(dossiers)
    .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)));
  const cleared = await clearAutoSendSkipNotes(db, { ...scope, reasons: options.reasons ?? INTEGRATION_SKIP_REASONS });

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

/** What auto-send notes while a connection cannot be used, and what stops being true when it can. */
export const CONNECTION_SKIP_REASONS = [
  "connection_needs_reauth",
  "connection_disabled",
] as const satisfies readonly AutoSendSkipReason[];

/**
 * A person made a connection usable again (connected it anew through OAuth, or re-enabled it): in
 * every dossier delivering through it, the "not sent automatically: the connection needs signing
 * in again / is disabled" notes no longer apply. They are cleared, and with auto-send on those
 * documents go now, as auto-send (the same catch-up as after saving an integration). Only dossiers
 * that hold such a note are visited (an index lookup per dossier of the connection). The caller
 * has authorized the change (connection.authorize / connection.manage in the portal).
 */
export async function afterConnectionRestored(
  db: Db,
  target: { portalId: string; connectionId: string },
  options: RequestSendOptions = {},
): Promise<{ dossiers: number; autoSent: number }> {
  const rows = await db
    .selectDistinct({ dossierId: documents.dossierId })
    .from(documents)
    .innerJoin(
      dossierIntegrations,
      and(eq(dossierIntegrations.dossierId, documents.dossierId), eq(dossierIntegrations.portalId, documents.portalId)),
    )
    .where(
      and(
        eq(dossierIntegrations.portalId, target.portalId),
        eq(dossierIntegrations.connectionId, target.connectionId),
        eq(documents.portalId, target.portalId),
        eq(documents.status, "inbox"),
        inArray(documents.autoSendSkipReason, [...CONNECTION_SKIP_REASONS]),
      ),
    );
  let autoSent = 0;
  for (const { dossierId } of rows) {
    const outcome = await afterIntegrationSaved(
      db,
      { portalId: target.portalId, dossierId },
      { ...options, reasons: CONNECTION_SKIP_REASONS },
    );
    autoSent += outcome.autoSent;
  }
  return { dossiers: rows.length, autoSent };
}
