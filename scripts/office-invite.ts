// `npm run office:invite -- --email x@y.be [--language fr]`: a single-use link that opens /sign-up
// for that one address (what KOPPEL_SIGNUP=invite asks for). The link is mailed (Resend, or the
// local outbox without RESEND_API_KEY) and printed, so it can also be passed on another way. On
// PGlite stop `npm run dev` first (one process per data dir).
import { type OpenedDb, openDb } from "@/db";
import { env, signUpMode } from "@/lib/env";
import { parseOfficeInviteArgs } from "@/lib/invitations/operator-cli";
import { createSignUpInvite } from "@/lib/invitations/sign-up";

const args = parseOfficeInviteArgs(process.argv.slice(2));
if (!args.ok) {
  console.error(args.message);
  process.exit(1);
}

const opened: OpenedDb = await openDb({ url: env().DATABASE_URL });
// lib/email/send.ts writes the outbox through getDb(): the same handle, not a second PGlite.
globalThis.__koppelDb = Promise.resolve(opened);
try {
  const { url, expiresAt, isMailed } = await createSignUpInvite(opened.db, args.value);
  console.log(
    `[koppel] sign-up invitation for ${args.value.email} (${args.value.locale}), valid until ${expiresAt.toISOString()}`,
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
  const mode = signUpMode();
  // The link is only needed under "invite"; under "open" /sign-up needs none, under "off" it is closed.
  if (mode !== "invite")
    console.log(`[koppel] note: KOPPEL_SIGNUP is "${mode}" here, the link matters under "invite" only`);
} finally {
  await opened.close();
}
