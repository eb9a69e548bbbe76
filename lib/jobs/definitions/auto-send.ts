import { z } from "zod";
import { getDb } from "@/db";
import { autoSend as autoSendDocument } from "@/lib/dispatch/auto-send";
import { defineJob } from "../types";

export const DOCUMENT_RECOGNISED = "documents/document.recognised";

/**
 * When a document becomes recognised (recognition webhook, sales module, upload with a type):
 * sends it if its dossier's auto-send is on and its integration is usable, otherwise records why
 * not on the document. autoSend is safe to repeat: the document must still be in the inbox, and
 * requestSend's conditional update lets only one dispatch through.
 */
export const autoSend = defineJob({
  id: "auto-send",
  trigger: { event: DOCUMENT_RECOGNISED },
  payloadSchema: z.object({ documentId: z.uuid() }),
  retries: 3,
  async handler({ payload, step }) {
    return step.run("auto-send", async () => autoSendDocument(await getDb(), payload.documentId));
  },
});
