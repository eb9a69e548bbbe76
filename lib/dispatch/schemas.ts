import { z } from "zod";

/** What can start a delivery of a document ("test" sends have no document and live elsewhere). */
export const SEND_TRIGGERS = ["manual", "bulk", "auto", "retry"] as const;
export type SendTrigger = (typeof SEND_TRIGGERS)[number];

/** One bulk send carries at most this many documents (a page of checkboxes is far fewer). */
export const MAX_DOCUMENTS_PER_SEND = 1_000;

/**
 * Input of requestSend, shared by server actions and the REST API. Ids are plain strings here:
 * a malformed id is refused as `not_found` per document, not as a failure of the whole request.
 */
export const requestSendInputSchema = z.object({
  dossierId: z.string().max(100),
  documentIds: z.array(z.string().max(100)).min(1).max(MAX_DOCUMENTS_PER_SEND),
  trigger: z.enum(SEND_TRIGGERS),
});
export type RequestSendInput = z.input<typeof requestSendInputSchema>;
