// `npm run office:invite -- --email x@y.be [--language fr]`: a single-use link that opens /sign-up
// for that one address (what KOPPEL_SIGNUP=invite asks for). The link is mailed (Resend, or the
// local outbox without RESEND_API_KEY) and printed, so it can also be passed on another way. On
// PGlite stop `npm run dev` first (one process per data dir).
import { signUpMode } from "@/lib/env";
import { argsOrExit, parseOfficeInviteArgs, printInvitationLink, withOperatorDb } from "@/lib/invitations/operator-cli";
import { createSignUpInvite } from "@/lib/invitations/sign-up";

const args = argsOrExit(parseOfficeInviteArgs(process.argv.slice(2)));

await withOperatorDb(async (db) => {
  const invite = await createSignUpInvite(db, args);
  console.log(
    `[koppel] sign-up invitation for ${args.email} (${args.locale}), valid until ${invite.expiresAt.toISOString()}`,
  );
  printInvitationLink(invite);
  const mode = signUpMode();
  // The link is only needed under "invite"; under "open" /sign-up needs none, under "off" it is closed.
  if (mode !== "invite")
    console.log(`[koppel] note: KOPPEL_SIGNUP is "${mode}" here, the link matters under "invite" only`);
});
