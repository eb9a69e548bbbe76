// `npm run office:create -- --name "…" --enterprise-number 0123456749 --admin e-mail [--language fr]`:
// makes an office and invites its first admin (the only way under KOPPEL_SIGNUP=off). The admin
// becomes a member by accepting the invitation, which is mailed (Resend, or the local outbox
// without RESEND_API_KEY) and printed. On PGlite stop `npm run dev` first (one process per data dir).
import { type OpenedDb, openDb } from "@/db";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { translatorFor } from "@/lib/i18n/translator";
import { parseOfficeCreateArgs } from "@/lib/invitations/operator-cli";
import { createOfficeByOperator } from "@/lib/invitations/sign-up";

const args = parseOfficeCreateArgs(process.argv.slice(2));
if (!args.ok) {
  console.error(args.message);
  process.exit(1);
}

const opened: OpenedDb = await openDb({ url: env().DATABASE_URL });
// lib/email/send.ts writes the outbox through getDb(): the same handle, not a second PGlite.
globalThis.__koppelDb = Promise.resolve(opened);
try {
  const { portalId, url, expiresAt, isMailed } = await createOfficeByOperator(opened.db, args.value);
  console.log(`[koppel] office "${args.value.officeName}" created: ${portalId}`);
  console.log(
    `[koppel] invitation for its admin ${args.value.adminEmail} (${args.value.locale}), valid until ${expiresAt.toISOString()}`,
  );
  console.log(url);
  if (!isMailed) {
    console.error("[koppel] the mail could not be sent: pass the link on yourself");
  } else {
    console.log(
      env().RESEND_API_KEY
        ? "[koppel] mailed through Resend"
        : "[koppel] no RESEND_API_KEY: the mail is in the local outbox",
    );
  }
} catch (error) {
  // The office is already on Koppel (a field error of the enterprise number): say so plainly.
  if (!isAppError(error) || !error.fieldErrors) throw error;
  const t = translatorFor("en");
  const optionOf: Record<string, string> = { companyNumber: "enterprise-number" };
  for (const [field, keys] of Object.entries(error.fieldErrors)) {
    console.error(`--${optionOf[field] ?? field}: ${t(`errors.${keys[0]}` as Parameters<typeof t>[0])}`);
  }
  process.exitCode = 1;
} finally {
  await opened.close();
}
