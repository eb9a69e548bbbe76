import "server-only";
import { and, asc, count, eq, exists, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import {
  connections,
  dossierIntegrations,
  dossierMembers,
  dossiers,
  invitations,
  portalMembers,
  portals,
  recognitionSecrets,
} from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { NotFoundError } from "@/lib/errors";
import { hasRecognitionDeliverySql } from "@/lib/recognition/step";

/** The first steps of a new office, in the order the overview shows them. */
export const ONBOARDING_STEPS = ["connection", "dossier", "colleague", "client", "recognition"] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export type OnboardingChecklist = {
  done: Record<OnboardingStep, boolean>;
  /** The office's oldest dossier: where "invite a client" leads (null: create one first). */
  firstDossierId: string | null;
  /** The office has a recognition secret but no delivery signed yet: "waiting for the first report". */
  hasRecognitionSecret: boolean;
  isComplete: boolean;
};

const portalIdSchema = z.uuid();

/**
 * Where a new office stands on its first steps, read from what exists (nothing is stored about
 * the checklist itself), in one round trip:
 * - connection: the office has a portal connection (API or FTP), or a dossier delivers by e-mail,
 *   which needs none;
 * - dossier: the office has a dossier;
 * - colleague: a second member, or an invitation to join the office that a person sent and did
 *   not withdraw (the operator's invitation of the first admin, `office:create`, has no sender and
 *   does not count);
 * - client: an entrepreneur on one of its dossiers, or an invitation to one not withdrawn;
 * - recognition: the recognition step has reported at least one of the office's documents (a
 *   recorded recognition delivery). That is the only proof it is connected: a recognition secret
 *   exists as soon as an admin opens the webhook page, used or not, so a secret alone is shown as
 *   "waiting for the first report", never as done.
 */
export async function getOnboardingChecklist(db: DbOrTx, actor: Actor, portalId: string): Promise<OnboardingChecklist> {
  authorize(actor, "portal.view", { portalId });
  const parsed = portalIdSchema.safeParse(portalId);
  if (!parsed.success) throw new NotFoundError();
  const id = parsed.data;
  const one = { one: sql`1` };
  const ofOffice = (portalIdColumn: AnyPgColumn) => eq(portalIdColumn, id);
  const either = (a: SQL, b: SQL) => sql<boolean>`(${a} or ${b})`.mapWith(Boolean);
  const [row] = await db
    .select({
      hasConnection: either(
        exists(db.select(one).from(connections).where(ofOffice(connections.portalId))),
        exists(
          db
            .select(one)
            .from(dossierIntegrations)
            .where(
              and(ofOffice(dossierIntegrations.portalId), inArray(dossierIntegrations.kind, ["email", "free_email"])),
            ),
        ),
      ),
      firstDossierId: sql<string | null>`${db
        .select({ id: dossiers.id })
        .from(dossiers)
        .where(ofOffice(dossiers.portalId))
        .orderBy(asc(dossiers.createdAt), asc(dossiers.id))
        .limit(1)}`,
      hasColleague: either(
        sql`${db.select({ n: count() }).from(portalMembers).where(ofOffice(portalMembers.portalId))} > 1`,
        exists(
          db
            .select(one)
            .from(invitations)
            .where(
              and(
                eq(invitations.portalId, id),
                eq(invitations.kind, "portal_member"),
                isNull(invitations.revokedAt),
                isNotNull(invitations.invitedByUserId),
              ),
            ),
        ),
      ),
      hasClient: either(
        exists(db.select(one).from(dossierMembers).where(ofOffice(dossierMembers.portalId))),
        exists(
          db
            .select(one)
            .from(invitations)
            .where(
              and(eq(invitations.portalId, id), eq(invitations.kind, "dossier_member"), isNull(invitations.revokedAt)),
            ),
        ),
      ),
      hasRecognitionSecret: exists(
        db.select(one).from(recognitionSecrets).where(ofOffice(recognitionSecrets.portalId)),
      ).mapWith(Boolean),
      hasRecognitionDelivery: hasRecognitionDeliverySql(db, id),
    })
    .from(portals)
    .where(eq(portals.id, id));
  if (!row) throw new NotFoundError();
  const done: Record<OnboardingStep, boolean> = {
    connection: row.hasConnection,
    dossier: row.firstDossierId !== null,
    colleague: row.hasColleague,
    client: row.hasClient,
    recognition: row.hasRecognitionDelivery,
  };
  return {
    done,
    firstDossierId: row.firstDossierId,
    hasRecognitionSecret: row.hasRecognitionSecret,
    isComplete: ONBOARDING_STEPS.every((step) => done[step]),
  };
}
