import "server-only";
import { env } from "@/lib/env";

/**
 * Under `next dev` without RESEND_API_KEY every mail, sign-in links included, lands in the local
 * outbox and nowhere else: the outbox must then be open and linked from the check-email page
 * whatever KOPPEL_DEMO or DATABASE_URL say, or nobody can sign in. A production build never
 * counts as development (its demo mode has demo sign-in instead of mailed links).
 */
export function isDevelopmentOutbox(): boolean {
  const current = env();
  return current.NODE_ENV === "development" && !current.RESEND_API_KEY;
}
