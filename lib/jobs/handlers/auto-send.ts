import { getDb } from "@/db";
import { autoSend as autoSendDocument } from "@/lib/dispatch/auto-send";
import { autoSend } from "../definitions/auto-send";
import { defineJobHandler } from "../types";

/** The work of the auto-send job (lib/jobs/definitions/auto-send.ts): lib/dispatch/auto-send.ts does it. */
export const handler = defineJobHandler(autoSend, {
  async run({ payload, step }) {
    return step.run("auto-send", async () => autoSendDocument(await getDb(), payload.documentId));
  },
});
