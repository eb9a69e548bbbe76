import "server-only";
import { and, desc, eq, inArray, notInArray, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dossierMembers, outboxEmails, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { env, isDemoEnabled } from "@/lib/env";

/**
 * The local outbox holds the mails Koppel would have sent where no RESEND_API_KEY is set, sign-in
 * links included, so who may read it is narrow:
 * - under `next dev`: anyone who can reach the developer's server, whatever KOPPEL_DEMO says (a
 *   sign-in link must always be reachable in development; the check-email page links here);
 * - in a demo server (a production build with KOPPEL_DEMO=1): signed-in admins only, and only
 *   mails whose every recipient belongs to the admin's offices and to no other office (a sign-in
 *   link for someone who is also in another office would open that office too);
 * - nowhere else, and never while mail really goes out through Resend.
 */
export type OutboxAccess = { scope: "all" } | { scope: "offices"; portalIds: readonly string[] };

export function outboxAccessFor(actor: Actor | null): OutboxAccess | null {
  const { RESEND_API_KEY, NODE_ENV } = env();
  if (RESEND_API_KEY) return null;
  if (NODE_ENV === "development") return { scope: "all" };
  if (!isDemoEnabled() || actor?.kind !== "user") return null;
  const portalIds = Object.entries(actor.portalRoles)
    .filter(([, role]) => role === "admin")
    .map(([portalId]) => portalId);
  return portalIds.length > 0 ? { scope: "offices", portalIds } : null;
}

/** Whether the check-email page may point an anonymous visitor at the outbox (`next dev` only). */
export function isOutboxOpenToAnyone(): boolean {
  return outboxAccessFor(null)?.scope === "all";
}

/** The lower-cased addresses of everyone in the given offices (members and entrepreneurs) and in no other. */
async function addressesOnlyIn(db: DbOrTx, portalIds: readonly string[]): Promise<string[]> {
  const ids = [...portalIds];
  const [memberRows, entrepreneurRows] = await Promise.all([
    db
      .select({ userId: users.id, email: users.email })
      .from(portalMembers)
      .innerJoin(users, eq(users.id, portalMembers.userId))
      .where(inArray(portalMembers.portalId, ids)),
    db
      .select({ userId: users.id, email: users.email })
      .from(dossierMembers)
      .innerJoin(users, eq(users.id, dossierMembers.userId))
      .where(inArray(dossierMembers.portalId, ids)),
  ]);
  const people = new Map([...memberRows, ...entrepreneurRows].map(({ userId, email }) => [userId, email]));
  if (people.size === 0) return [];
  const userIds = [...people.keys()];
  const [otherMemberships, otherDossiers] = await Promise.all([
    db
      .select({ userId: portalMembers.userId })
      .from(portalMembers)
      .where(and(inArray(portalMembers.userId, userIds), notInArray(portalMembers.portalId, ids))),
    db
      .select({ userId: dossierMembers.userId })
      .from(dossierMembers)
      .where(and(inArray(dossierMembers.userId, userIds), notInArray(dossierMembers.portalId, ids))),
  ]);
  for (const { userId } of [...otherMemberships, ...otherDossiers]) people.delete(userId);
  return [...people.values()].map((email) => email.toLowerCase());
}

/** The newest outbox mails the access allows, newest first. */
export async function listOutboxEmails(db: DbOrTx, access: OutboxAccess, limit = 50) {
  let visible: SQL | undefined;
  if (access.scope === "offices") {
    const addresses = await addressesOnlyIn(db, access.portalIds);
    if (addresses.length === 0) return [];
    // Every recipient must be one of the addresses (case as typed does not matter).
    visible = and(
      sql`cardinality(${outboxEmails.to}) > 0`,
      sql`array(select lower(recipient) from unnest(${outboxEmails.to}) as recipient) <@ ${sql.param(addresses)}::text[]`,
    );
  }
  return db
    .select({
      id: outboxEmails.id,
      to: outboxEmails.to,
      subject: outboxEmails.subject,
      text: outboxEmails.text,
      createdAt: outboxEmails.createdAt,
    })
    .from(outboxEmails)
    .where(visible)
    .orderBy(desc(outboxEmails.createdAt))
    .limit(limit);
}
