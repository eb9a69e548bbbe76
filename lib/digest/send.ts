import "server-only";
import { and, count, desc, eq, gt, inArray, isNull, lt, lte, or } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db";
import { documents, dossiers, portalMembers, portals, users } from "@/db/schema";
import { portalRolesWith } from "@/lib/auth/permissions";
import { appBaseUrl } from "@/lib/email/app-url";
import { sendEmail } from "@/lib/email/send";
import type { Locale } from "@/lib/i18n/config";

/*
 * The daily failure digest: each admin of a portal who has not switched it off gets one mail
 * listing the portal's documents that failed or were rejected since the last digest that admin
 * got, in the admin's language, with a link to the portal's failure queue. No new failures, no
 * mail. At most one a day (a day in Belgium), even when the cron runs twice: the mail's
 * idempotency key is the admin's membership and the day, and the last-sent time only moves
 * forward from the value this run read.
 */

/** The offices are Belgian: "once a day" means once per calendar day in Brussels. */
const DIGEST_TIME_ZONE = "Europe/Brussels";
/** An admin's first digest looks back this far, not to the beginning of the portal. */
const FIRST_DIGEST_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** Lines in one mail; the rest is counted and the link shows them all. */
export const DIGEST_MAX_LINES = 50;
const FAILED_STATUSES = ["failed", "rejected"] as const;

/** The calendar day of `date` in Brussels, as YYYY-MM-DD. */
export function digestDayOf(date: Date): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: DIGEST_TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(date);
}

export type DigestRecipient = { memberId: string; portalId: string };

/** The memberships whose role has the digest (its admins): the recipients are those who have the setting. */
const hasDigestRole = () => inArray(portalMembers.role, [...portalRolesWith("failureDigest.manage")]);

/** Every admin membership whose digest is switched on: the cron runs one step per entry. */
export async function listFailureDigestRecipients(db: DbOrTx): Promise<DigestRecipient[]> {
  return db
    .select({ memberId: portalMembers.id, portalId: portalMembers.portalId })
    .from(portalMembers)
    .where(and(hasDigestRole(), eq(portalMembers.isFailureDigestEnabled, true)))
    .orderBy(portalMembers.portalId, portalMembers.id);
}

export type DigestFailure = {
  documentId: string;
  dossierName: string;
  fileName: string;
  status: (typeof FAILED_STATUSES)[number];
  lastErrorReason: string | null;
};

/** A portal's documents that failed or were rejected in (since, until], newest first. */
export async function listNewFailures(
  db: DbOrTx,
  params: { portalId: string; since: Date; until: Date; limit: number },
): Promise<{ failures: DigestFailure[]; total: number }> {
  const inWindow = and(
    eq(documents.portalId, params.portalId),
    inArray(documents.status, [...FAILED_STATUSES]),
    gt(documents.updatedAt, params.since),
    lte(documents.updatedAt, params.until),
  );
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        documentId: documents.id,
        dossierName: dossiers.name,
        fileName: documents.fileName,
        status: documents.status,
        lastErrorReason: documents.lastErrorReason,
      })
      .from(documents)
      .innerJoin(dossiers, and(eq(dossiers.id, documents.dossierId), eq(dossiers.portalId, documents.portalId)))
      .where(inWindow)
      .orderBy(desc(documents.updatedAt), desc(documents.id))
      .limit(params.limit),
    db.select({ total: count() }).from(documents).where(inWindow),
  ]);
  return {
    failures: rows.map((row) => ({ ...row, status: row.status as DigestFailure["status"] })),
    total: counted?.total ?? 0,
  };
}

/** Message keys that services store as a reason (the same rule as components/documents' useReasonText). */
const STORED_REASON_KEY = /^(connectors|dispatch)\.[A-Za-z0-9_.]+$/;

/** The digest mail in the admin's language: plain text, one line per document. */
export async function buildFailureDigestEmail(input: {
  locale: Locale;
  portalId: string;
  portalName: string;
  failures: DigestFailure[];
  total: number;
}): Promise<{ subject: string; text: string }> {
  // Loaded when a mail is written, as in lib/connectors/email: the job registry stays light.
  const { translatorFor } = await import("@/lib/i18n/translator");
  const t = translatorFor(input.locale);
  type Key = Parameters<typeof t>[0];
  const reasonText = (reason: string | null): string => {
    if (!reason) return t("documents.noReason");
    if (!STORED_REASON_KEY.test(reason)) return reason;
    return t.has(reason as Key) ? t(reason as Key) : t("errors.generic");
  };
  const portal = input.portalName;
  const base = appBaseUrl();
  const lines = input.failures.map(
    (failure) =>
      `- ${t("portal.digest.email.line", {
        dossier: failure.dossierName,
        file: failure.fileName,
        status: t(`documents.status.${failure.status}`),
        reason: reasonText(failure.lastErrorReason),
      })}`,
  );
  const hidden = input.total - input.failures.length;
  const text = [
    t("portal.digest.email.intro", { portal }),
    "",
    ...lines,
    ...(hidden > 0 ? [t("portal.digest.email.more", { count: hidden })] : []),
    "",
    t("portal.digest.email.link", { url: `${base}/portals/${input.portalId}/failures` }),
    "",
    "--",
    t("portal.digest.email.footer", {
      portal,
      settingsUrl: `${base}/portals/${input.portalId}/settings/notifications`,
    }),
  ].join("\n");
  // One line: portal names come from users, and the subject is a mail header.
  const subject = t("portal.digest.email.subject", { portal, count: input.total }).replace(/[\r\n\u2028\u2029]+/g, " ");
  return { subject, text };
}

export type FailureDigestOutcome =
  | { outcome: "sent"; count: number; emailId: string }
  | { outcome: "no_failures" | "already_sent_today" | "not_recipient" };

/**
 * One admin's digest for one portal, from fresh state: the membership must still be an admin's
 * with the digest on. Sends only when there are new failures, then records the end of the window
 * as last-sent (a conditional update, so two runs cannot both move it).
 */
export async function sendFailureDigest(
  db: Db,
  memberId: string,
  options: { now?: Date } = {},
): Promise<FailureDigestOutcome> {
  const now = options.now ?? new Date();
  const [member] = await db
    .select({
      portalId: portalMembers.portalId,
      sentAt: portalMembers.failureDigestSentAt,
      email: users.email,
      locale: users.locale,
      portalName: portals.name,
    })
    .from(portalMembers)
    .innerJoin(users, eq(users.id, portalMembers.userId))
    .innerJoin(portals, eq(portals.id, portalMembers.portalId))
    .where(and(eq(portalMembers.id, memberId), hasDigestRole(), eq(portalMembers.isFailureDigestEnabled, true)))
    .limit(1);
  if (!member) return { outcome: "not_recipient" };
  const today = digestDayOf(now);
  if (member.sentAt && digestDayOf(member.sentAt) === today) return { outcome: "already_sent_today" };

  const since = member.sentAt ?? new Date(now.getTime() - FIRST_DIGEST_LOOKBACK_MS);
  const { failures, total } = await listNewFailures(db, {
    portalId: member.portalId,
    since,
    until: now,
    limit: DIGEST_MAX_LINES,
  });
  if (total === 0) return { outcome: "no_failures" };

  const mail = await buildFailureDigestEmail({
    locale: member.locale,
    portalId: member.portalId,
    portalName: member.portalName,
    failures,
    total,
  });
  const sent = await sendEmail({
    to: [member.email],
    subject: mail.subject,
    text: mail.text,
    // A second run the same day sends the same key: Resend and the outbox keep the first mail.
    idempotencyKey: `failure-digest:${memberId}:${today}`,
  });
  await db
    .update(portalMembers)
    .set({ failureDigestSentAt: now, updatedAt: now })
    .where(
      and(
        eq(portalMembers.id, memberId),
        member.sentAt
          ? eq(portalMembers.failureDigestSentAt, member.sentAt)
          : isNull(portalMembers.failureDigestSentAt),
        // Never backwards, whatever clock a late run brings.
        or(isNull(portalMembers.failureDigestSentAt), lt(portalMembers.failureDigestSentAt, now)),
      ),
    );
  return { outcome: "sent", count: total, emailId: sent.id };
}
