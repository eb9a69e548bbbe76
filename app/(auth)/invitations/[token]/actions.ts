"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { signIn, signOut } from "@/lib/auth/auth";

export type AcceptInvitationState = { error?: "unknown" | "expired" | "revoked" | "used" | "officeExists" | "failed" };

const tokenSchema = z.object({ token: z.string().min(1).max(200) });
const STATES = new Set(["unknown", "expired", "revoked", "used", "officeExists"]);

/**
 * Accepts the invitation and signs its person in (lib/auth/auth.ts, the "invitation" provider,
 * which runs lib/invitations/accept.ts). Lands back on the invitation's page, which sends the
 * person who accepted it on to their office or dossier.
 */
export async function acceptInvitationAction(
  _previous: AcceptInvitationState,
  formData: FormData,
): Promise<AcceptInvitationState> {
  const parsed = tokenSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { error: "unknown" };
  try {
    await signIn("invitation", { token: parsed.data.token, redirectTo: `/invitations/${parsed.data.token}` });
  } catch (error) {
    if (error instanceof CredentialsSignin) {
      return { error: STATES.has(error.code) ? (error.code as AcceptInvitationState["error"]) : "failed" };
    }
    if (error instanceof AuthError) return { error: "failed" };
    throw error;
  }
  return {};
}

/** Someone signed in under another address: sign out and come back to the invitation. */
export async function switchAccountForInvitationAction(formData: FormData): Promise<void> {
  const parsed = tokenSchema.safeParse(Object.fromEntries(formData));
  await signOut({ redirectTo: parsed.success ? `/invitations/${parsed.data.token}` : "/sign-in" });
}
