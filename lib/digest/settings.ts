import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { portalMembers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { portalRolesWith } from "@/lib/auth/permissions";
import { NotFoundError } from "@/lib/errors";

/** Input of "switch my failure digest", shared by the settings page's action and any API. */
export const setFailureDigestSchema = z.object({
  portalId: z.guid(),
  enabled: z.boolean(),
});
export type SetFailureDigestInput = z.infer<typeof setFailureDigestSchema>;

export type FailureDigestSetting = { portalId: string; isEnabled: boolean };

/**
 * The digest is a setting of one admin in one portal, so only that admin reads or switches it
 * (failureDigest.manage in lib/auth/permissions.ts). Anyone else, accountants, tokens and the
 * system included, gets NotFoundError, like any portal they may not see. The row is the signed-in
 * person's own membership, still holding a role with the digest as the update runs.
 */
function ownMembership(actor: Actor, portalId: string) {
  authorize(actor, "failureDigest.manage", { portalId });
  // authorize let only a person through; this narrows the type and keeps malformed ids out of SQL.
  if (actor.kind !== "user" || !z.guid().safeParse(portalId).success) throw new NotFoundError();
  return and(
    eq(portalMembers.portalId, portalId),
    eq(portalMembers.userId, actor.userId),
    inArray(portalMembers.role, [...portalRolesWith("failureDigest.manage")]),
  );
}

/** Whether the signed-in admin gets this portal's daily failure digest. */
export async function getFailureDigestSetting(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
): Promise<FailureDigestSetting> {
  const [row] = await db
    .select({ isEnabled: portalMembers.isFailureDigestEnabled })
    .from(portalMembers)
    .where(ownMembership(actor, portalId))
    .limit(1);
  if (!row) throw new NotFoundError();
  return { portalId, isEnabled: row.isEnabled };
}

/** Switches the signed-in admin's failure digest for this portal on or off. */
export async function setFailureDigestEnabled(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  enabled: boolean,
): Promise<FailureDigestSetting> {
  const [row] = await db
    .update(portalMembers)
    .set({ isFailureDigestEnabled: enabled, updatedAt: sql`now()` })
    .where(ownMembership(actor, portalId))
    .returning({ isEnabled: portalMembers.isFailureDigestEnabled });
  if (!row) throw new NotFoundError();
  return { portalId, isEnabled: row.isEnabled };
}
