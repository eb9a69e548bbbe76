// `npm run office:create -- --name "…" --enterprise-number 0123456749 --admin e-mail [--language fr]`:
// makes an office and invites its first admin (the only way under KOPPEL_SIGNUP=off). The admin
// becomes a member by accepting the invitation, which is mailed (Resend, or the local outbox
// without RESEND_API_KEY) and printed. On PGlite stop `npm run dev` first (one process per data dir).
import { isAppError } from "@/lib/errors";
import { translatorFor } from "@/lib/i18n/translator";
import { argsOrExit, parseOfficeCreateArgs, printInvitationLink, withOperatorDb } from "@/lib/invitations/operator-cli";
import { createOfficeByOperator } from "@/lib/invitations/sign-up";

const args = argsOrExit(parseOfficeCreateArgs(process.argv.slice(2)));

await withOperatorDb(async (db) => {
  try {
    const created = await createOfficeByOperator(db, args);
    console.log(`[koppel] office "${args.officeName}" created: ${created.portalId}`);
    console.log(
      `[koppel] invitation for its admin ${args.adminEmail} (${args.locale}), valid until ${created.expiresAt.toISOString()}`,
    );
    printInvitationLink(created);
  } catch (error) {
    // The office is already on Koppel (a field error of the enterprise number): say so plainly.
    if (!isAppError(error) || !error.fieldErrors) throw error;
    const t = translatorFor("en");
    const optionOf: Record<string, string> = { companyNumber: "enterprise-number" };
    for (const [field, keys] of Object.entries(error.fieldErrors)) {
      console.error(`--${optionOf[field] ?? field}: ${t(`errors.${keys[0]}` as Parameters<typeof t>[0])}`);
    }
    process.exitCode = 1;
  }
});
