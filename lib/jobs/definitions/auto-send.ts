import { z } from "zod";
import { defineJob } from "../types";

export const DOCUMENT_RECOGNISED = "documents/document.recognised";

/**
 * Auto-send with retries, for a document whose auto-send could not run at once: a document that
 * becomes recognised (recognition webhook, sales module, upload with a type) gets auto-send in the
 * transaction that recognised it (lib/dispatch/auto-send.ts, withAutoSend), and only when that
 * part fails is this event sent. Sends the document if its dossier's auto-send is on and its integration is usable,
 * otherwise records why not on the document (lib/jobs/handlers/auto-send.ts). Safe to repeat: the
 * document must still be in the inbox, and requestSend's conditional update lets only one dispatch
 * through.
 */
export const autoSend = defineJob({
  id: "auto-send",
  trigger: { event: DOCUMENT_RECOGNISED },
  payloadSchema: z.object({ documentId: z.uuid() }),
  retries: 3,
});
