import "server-only";
import { createHash } from "node:crypto";
import { appBaseUrl } from "@/lib/email/app-url";
import { sendEmail } from "@/lib/email/send";
import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { escapeHtml } from "@/lib/text/html";

export type InvitationKind = "office_sign_up" | "sign_up_invite" | "portal_member" | "dossier_member";

export type InvitationMail = {
  kind: InvitationKind;
  email: string;
  locale: Locale;
  token: string;
  expiresAt: Date;
  /** Who invited, as the invitee knows them (absent for sign-ups and the operator). */
  inviterName?: string | null;
  officeName?: string | null;
  dossierName?: string | null;
  role?: "admin" | "accountant" | null;
};

/** Where the mail's button leads: the sign-up form for operator invites, the invitation page otherwise. */
export function invitationUrl(kind: InvitationKind, token: string): string {
  const path = kind === "sign_up_invite" ? `/sign-up?invite=${token}` : `/invitations/${token}`;
  return `${appBaseUrl()}${path}`;
}

/**
 * The invitation mail, in the invitee's language: one column, a large button, the link written
 * out too (some mail apps hide buttons), and when it stops working.
 */
export function renderInvitationMail(mail: InvitationMail): { subject: string; text: string; html: string } {
  const t = translatorFor(mail.locale);
  const values = {
    inviter: mail.inviterName ?? "",
    office: mail.officeName ?? "",
    dossier: mail.dossierName ?? "",
    role: mail.role ? t(`invitations.roles.${mail.role}`) : "",
    expires: new Intl.DateTimeFormat(`${mail.locale}-BE`, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "Europe/Brussels",
    }).format(mail.expiresAt),
  };
  const variant = mail.kind === "portal_member" && !mail.inviterName ? "portal_member_operator" : mail.kind;
  const subject = t(`invitations.mail.${variant}.subject`, values);
  const body = t(`invitations.mail.${variant}.body`, values);
  const button = t(`invitations.mail.${variant}.button`);
  const validity = t("invitations.mail.validUntil", values);
  const ignore = t("invitations.mail.ignore");
  const url = invitationUrl(mail.kind, mail.token);
  const text = `${body}\n\n${button}: ${url}\n\n${validity}\n\n${ignore}`;
  const html = `<!doctype html><html lang="${mail.locale}"><body style="margin:0;background:#f8fafc;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#0f172a">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:480px;background:#ffffff;border:1px solid #e2e8f0;border-radius:12px">
<tr><td style="padding:24px 24px 8px;font-size:20px;font-weight:600;color:#1b4794">Koppel</td></tr>
<tr><td style="padding:8px 24px;font-size:16px;line-height:1.5">${escapeHtml(body)}</td></tr>
<tr><td style="padding:16px 24px"><a href="${escapeHtml(url)}" style="display:block;text-align:center;background:#1f57b8;color:#ffffff;text-decoration:none;font-weight:600;font-size:16px;padding:14px 20px;border-radius:8px">${escapeHtml(button)}</a></td></tr>
<tr><td style="padding:0 24px 8px;font-size:13px;line-height:1.5;color:#475569;word-break:break-all">${escapeHtml(url)}</td></tr>
<tr><td style="padding:8px 24px 24px;font-size:13px;line-height:1.5;color:#475569">${escapeHtml(validity)}<br>${escapeHtml(ignore)}</td></tr>
</table></td></tr></table></body></html>`;
  return { subject, text, html };
}

/**
 * Mails an invitation. The key is the token's hash: a retry of the same send is one mail, a
 * resend (a new token) is a new one. Answers false when the mail could not be sent: the
 * invitation stays open and the page offers to send it again, so nothing is lost.
 */
export async function mailInvitation(mail: InvitationMail): Promise<boolean> {
  const rendered = renderInvitationMail(mail);
  try {
    await sendEmail({
      to: [mail.email],
      ...rendered,
      idempotencyKey: `invitation:${createHash("sha256").update(mail.token).digest("hex")}`,
    });
    return true;
  } catch (error) {
    console.error(`[invitations] mail to an invitee failed (${mail.kind})`, error);
    return false;
  }
}
