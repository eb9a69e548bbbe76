import "server-only";
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { sendEmail } from "@/lib/email/send";
import { translatorFor } from "@/lib/i18n/translator";

/**
 * Mails a magic link, in the user's language, to known users only. Unknown addresses get the
 * same "check your mail" page and no mail, so the form does not reveal who has an account.
 */
export async function sendSignInLink(email: string, url: string): Promise<void> {
  const db = await getDb();
  const [user] = await db
    .select({ locale: users.locale, name: users.name })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .limit(1);
  if (!user) return;
  const t = translatorFor(user.locale);
  const escapedUrl = url.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  await sendEmail({
    to: [email],
    subject: t("auth.email.subject"),
    text: `${t("auth.email.intro")}\n\n${url}\n\n${t("auth.email.ignore")}`,
    html: `<p>${t("auth.email.intro")}</p><p><a href="${escapedUrl}">${t("auth.email.button")}</a></p><p>${t("auth.email.ignore")}</p>`,
    idempotencyKey: `sign-in:${createHash("sha256").update(url).digest("hex")}`,
  });
}
