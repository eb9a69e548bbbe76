import "server-only";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { portalMembers, portals, users, webhookEndpoints } from "@/db/schema";
import { portalRolesWith } from "@/lib/auth/permissions";
import { appBaseUrl } from "@/lib/email/app-url";
import { sendEmail } from "@/lib/email/send";
import type { Locale } from "@/lib/i18n/config";
import { awaitingDisabledNotice } from "./endpoints";

/*
 * When the sender disables an endpoint that failed for 5 days, the office's admins (the people who
 * manage its webhooks) get one mail each, in their own language. The disablement is recorded
 * first; the mails go out after it, from here, which the sweep calls every minute until they are
 * sent: a mail that fails is tried again, and the idempotency key (the endpoint, the moment it was
 * disabled, the admin) keeps a repeated run from mailing anyone twice.
 */

export async function buildEndpointDisabledEmail(input: {
  locale: Locale;
  portalId: string;
  portalName: string;
  endpointId: string;
  url: string;
  failingSince: Date | null;
}): Promise<{ subject: string; text: string }> {
  // Loaded when a mail is written, as in lib/digest: the job registry stays light.
  const { translatorFor } = await import("@/lib/i18n/translator");
  const t = translatorFor(input.locale);
  const since = input.failingSince
    ? new Intl.DateTimeFormat(input.locale, {
        dateStyle: "long",
        timeStyle: "short",
        timeZone: "Europe/Brussels",
      }).format(input.failingSince)
    : "?";
  const link = `${appBaseUrl()}/portals/${input.portalId}/settings/webhooks/${input.endpointId}`;
  const text = [
    t("webhooks.disabledEmail.intro", { portal: input.portalName, url: input.url, since }),
    "",
    t("webhooks.disabledEmail.what"),
    "",
    t("webhooks.disabledEmail.link", { url: link }),
  ].join("\n");
  const subject = t("webhooks.disabledEmail.subject", { portal: input.portalName }).replace(
    /[\r\n\u2028\u2029]+/g,
    " ",
  );
  return { subject, text };
}

/** Mails the admins of every endpoint disabled for failing and not yet told; resolves with the mails sent. */
export async function notifyDisabledEndpoints(db: Db): Promise<number> {
  const endpoints = await db
    .select({
      id: webhookEndpoints.id,
      portalId: webhookEndpoints.portalId,
      url: webhookEndpoints.url,
      failingSince: webhookEndpoints.failingSince,
      disabledAt: webhookEndpoints.disabledAt,
      portalName: portals.name,
    })
    .from(webhookEndpoints)
    .innerJoin(portals, eq(portals.id, webhookEndpoints.portalId))
    .where(awaitingDisabledNotice());
  let sent = 0;
  for (const endpoint of endpoints) {
    if (!endpoint.disabledAt) continue;
    const admins = await db
      .select({ memberId: portalMembers.id, email: users.email, locale: users.locale })
      .from(portalMembers)
      .innerJoin(users, eq(users.id, portalMembers.userId))
      .where(
        and(
          eq(portalMembers.portalId, endpoint.portalId),
          inArray(portalMembers.role, [...portalRolesWith("webhook.manage")]),
        ),
      );
    for (const admin of admins) {
      const mail = await buildEndpointDisabledEmail({
        locale: admin.locale,
        portalId: endpoint.portalId,
        portalName: endpoint.portalName,
        endpointId: endpoint.id,
        url: endpoint.url,
        failingSince: endpoint.failingSince,
      });
      await sendEmail({
        to: [admin.email],
        subject: mail.subject,
        text: mail.text,
        idempotencyKey: `webhook-disabled:${endpoint.id}:${endpoint.disabledAt.toISOString()}:${admin.memberId}`,
      });
      sent++;
    }
    await db
      .update(webhookEndpoints)
      .set({ disabledNoticeSentAt: new Date() })
      .where(
        and(
          eq(webhookEndpoints.id, endpoint.id),
          eq(webhookEndpoints.disabledAt, endpoint.disabledAt),
          isNull(webhookEndpoints.disabledNoticeSentAt),
        ),
      );
  }
  return sent;
}
