import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { NotFoundError } from "@/lib/errors";
import { resolveDossierScope } from "./get";

/** Input of "switch auto-send", shared by the dossier page's action and the REST API. */
export const setAutoSendSchema = z.object({
  dossierId: z.string().max(100),
  enabled: z.boolean(),
});
export type SetAutoSendInput = z.infer<typeof setAutoSendSchema>;

/**
 * Switches a dossier's auto-send on or off (entrepreneurs of the dossier, accountants and admins).
 * It applies to documents recognised from now on: switching it on sends nothing that is already
 * waiting, and the reasons stored on documents that were not auto-sent stay true.
 * An unknown or foreign dossier throws NotFoundError.
 */
export async function setAutoSend(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  enabled: boolean,
): Promise<{ dossierId: string; isAutoSendEnabled: boolean }> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossier.autoSend");
  const [row] = await db
    .update(dossiers)
    .set({ isAutoSendEnabled: enabled, updatedAt: sql`now()` })
    .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)))
    .returning({ id: dossiers.id, isAutoSendEnabled: dossiers.isAutoSendEnabled });
  // Deleted between the check and the update.
  if (!row) throw new NotFoundError();
  return { dossierId: row.id, isAutoSendEnabled: row.isAutoSendEnabled };
}
