import type { IntegrationState } from "@/lib/portals/integration-state";
import type { AllowedDocumentActions } from "./get";

// No server-only import: the dossier and document pages use it, and so do their render tests.

/**
 * Whether a dossier's documents can be sent at all: a dossier set to "no integration needed"
 * sends nothing, so it gets no Send, Retry, Send again or "Send selected" (requestSend still
 * refuses with integration_none, whoever asks).
 */
export function sendsDocuments(integration: Pick<IntegrationState, "kind">): boolean {
  return integration.kind !== "none";
}

/** The buttons of a document of a dossier that sends nothing: everything but the sending ones. */
export function withoutSending(allowed: AllowedDocumentActions): AllowedDocumentActions {
  return { ...allowed, send: false, retry: false, sendAgain: false };
}

/** Whether a document has a sending button. */
function hasSending(allowed: AllowedDocumentActions): boolean {
  return allowed.send || allowed.retry || allowed.sendAgain;
}

/**
 * What a list of a dossier's documents offers for sending: the rows with their buttons, whether
 * they can be ticked for "Send selected" (`isSelectable`: what the tab and the actor allow), and
 * whether to say once, above the list, why nothing can be sent (`isSendingOff`: only where there
 * would have been something to send). Said once, the rows drop the same reason as their own
 * "not sent automatically" line.
 */
export function sendingViewOf<Row extends { allowed: AllowedDocumentActions; autoSendSkipReason: string | null }>(
  integration: Pick<IntegrationState, "kind">,
  rows: readonly Row[],
  isSelectable: boolean,
): { rows: Row[]; isSelectable: boolean; isSendingOff: boolean } {
  if (sendsDocuments(integration)) return { rows: [...rows], isSelectable, isSendingOff: false };
  return {
    rows: rows.map((row) => ({
      ...row,
      allowed: withoutSending(row.allowed),
      autoSendSkipReason: row.autoSendSkipReason === "integration_none" ? null : row.autoSendSkipReason,
    })),
    isSelectable: false,
    isSendingOff: isSelectable || rows.some((row) => hasSending(row.allowed)),
  };
}

/** The buttons of one document and whether to say why it has no sending ones (the document page). */
export function documentSendingViewOf(
  integration: Pick<IntegrationState, "kind">,
  allowed: AllowedDocumentActions,
): { allowed: AllowedDocumentActions; isSendingOff: boolean } {
  if (sendsDocuments(integration)) return { allowed, isSendingOff: false };
  return { allowed: withoutSending(allowed), isSendingOff: hasSending(allowed) };
}
