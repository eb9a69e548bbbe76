import "server-only";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { deliveryBreakers, dispatches, documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { breakerLaneOf } from "./breaker";
import type { DispatchRequestedEvent } from "./request-send";
import { resumeUnfinishedDispatches } from "./resume";

const documentIdSchema = z.guid();

/**
 * "Try now" on a document that waits out an outage: its next try is brought to now and a deliver
 * run started for it (the run that slept on the old time finds itself superseded). When its lane's
 * breaker is open, this try is the lane's probe. Same permission as sending ("document.send");
 * unknown and foreign documents are NotFound. Refused (409) when the document is not waiting.
 */
export async function tryDeliveryNow(
  db: Db,
  actor: Actor,
  documentId: string,
  options: { enqueue?: (events: DispatchRequestedEvent[]) => Promise<void> } = {},
): Promise<{ dispatchId: string }> {
  if (!documentIdSchema.safeParse(documentId).success) throw new NotFoundError();
  const [document] = await db
    .select({ id: documents.id, portalId: documents.portalId, dossierId: documents.dossierId })
    .from(documents)
    .where(eq(documents.id, documentId))
    .limit(1);
  if (!document) throw new NotFoundError();
  authorize(actor, "document.send", { portalId: document.portalId, dossierId: document.dossierId });

  const now = new Date();
  const [dispatch] = await db
    .update(dispatches)
    .set({ nextAttemptAt: now, updatedAt: now })
    .where(
      and(
        eq(dispatches.documentId, document.id),
        eq(dispatches.portalId, document.portalId),
        inArray(dispatches.status, ["queued"]),
        isNotNull(dispatches.failingSince),
      ),
    )
    .returning({
      id: dispatches.id,
      portalId: dispatches.portalId,
      connectionId: dispatches.connectionId,
      target: dispatches.target,
    });
  if (!dispatch) throw new ConflictError("dispatch.tryNowNotWaiting");
  const lane = breakerLaneOf({
    portalId: dispatch.portalId,
    connectionId: dispatch.connectionId,
    channel: typeof dispatch.target.channel === "string" ? dispatch.target.channel : null,
  });
  if (lane) {
    await db
      .update(deliveryBreakers)
      .set({ nextProbeAt: now, updatedAt: now })
      .where(and(eq(deliveryBreakers.key, lane.key), isNotNull(deliveryBreakers.openedAt)));
  }
  await resumeUnfinishedDispatches(db, { dispatchIds: [dispatch.id], enqueue: options.enqueue });
  return { dispatchId: dispatch.id };
}
