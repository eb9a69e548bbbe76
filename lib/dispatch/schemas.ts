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

/** The tabs of a dossier's list whose documents can be sent (again): those "send all" takes. */
export const SENDABLE_TABS = ["inbox", "failed", "rejected"] as const;
export type SendableTab = (typeof SENDABLE_TABS)[number];

/**
 * Input of "send all N in this tab": the dossier, the tab (the list has no other filter), and on a
 * continuation the position where the previous call stopped. Never a list of ids (strict: an
 * input that carries one is refused): the server finds the documents itself, in the actor's scope.
 */
export const sendAllInTabInputSchema = z.strictObject({
  dossierId: z.string().max(100),
  tab: z.enum(SENDABLE_TABS),
  /** An opaque cursor from a previous answer's `nextCursor`. */
  after: z.string().max(200).optional(),
});
export type SendAllInTabInput = z.input<typeof sendAllInTabInputSchema>;
