import "server-only";
import { eq, exists, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documents, portals, recognitionDeliveries } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";

/**
 * Whether the office has a recognition step connected, as SQL (for a larger select such as the
 * onboarding checklist): the step has reported at least one of the office's documents, a recorded
 * recognition delivery, on the office's own address or the operator's. That is the only proof: a
 * recognition secret exists as soon as an admin opens the webhook page, used or not.
 */
export function hasRecognitionDeliverySql(db: DbOrTx, portalId: string): SQL<boolean> {
  return exists(
    db
      .select({ one: sql`1` })
      .from(recognitionDeliveries)
      .innerJoin(documents, eq(documents.id, recognitionDeliveries.documentId))
      .where(eq(documents.portalId, portalId)),
  ).mapWith(Boolean);
}

/**
 * Whether the office of this dossier has a recognition step connected (see
 * hasRecognitionDeliverySql), for anyone who may see the dossier's documents: the dossier page
 * then says an unrecognised upload is being recognised instead of asking for its type.
 */
export async function hasRecognitionStep(
  db: DbOrTx,
  actor: Actor,
  scope: { portalId: string; dossierId: string },
): Promise<boolean> {
  authorize(actor, "document.view", scope);
  const [row] = await db
    .select({ isConnected: hasRecognitionDeliverySql(db, scope.portalId) })
    .from(portals)
    .where(eq(portals.id, scope.portalId));
  return row?.isConnected ?? false;
}
