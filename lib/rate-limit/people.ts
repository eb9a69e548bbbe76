import "server-only";
import type { DbOrTx } from "@/db";
import { RateLimitedError } from "@/lib/errors";
import { UNKNOWN_CLIENT } from "@/lib/http/client-address";
import { consumeRateLimit, type RateLimitPolicy } from "./index";

/**
 * Requests that mail someone a link (sign-in links, office sign-ups, invitations): at most
 * PER_EMAIL per address and PER_CLIENT per client address in 15 minutes, counted in the database
 * so the limit holds across instances. When no client address can be trusted (no
 * KOPPEL_TRUSTED_PROXIES, lib/http/client-address.ts), every such request shares one bucket; it
 * gets UNKNOWN_CLIENT_FACTOR times the limit, so one abuser cannot lock a whole office out of
 * signing in, while a flood is still capped.
 */
export const PEOPLE_POLICIES = {
  perEmail: { name: "people-email", limit: 5, windowSeconds: 15 * 60 },
  perClient: { name: "people-client", limit: 20, windowSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimitPolicy>;

export const UNKNOWN_CLIENT_FACTOR = 10;

export type PeopleRequest = {
  /** The addresses this request mails (an invitation to several entrepreneurs counts for each). */
  emails: readonly string[];
  clientAddress: string;
};

/**
 * Counts one request and throws RateLimitedError when it goes over a limit. The refusal is the
 * same whether or not an address has an account, so it reveals nothing.
 */
export async function limitPeopleRequest(db: DbOrTx, request: PeopleRequest, now: Date = new Date()): Promise<void> {
  const clientPolicy =
    request.clientAddress === UNKNOWN_CLIENT
      ? { ...PEOPLE_POLICIES.perClient, limit: PEOPLE_POLICIES.perClient.limit * UNKNOWN_CLIENT_FACTOR }
      : PEOPLE_POLICIES.perClient;
  const verdicts = [await consumeRateLimit(db, clientPolicy, request.clientAddress, now)];
  for (const email of new Set(request.emails.map((address) => address.trim().toLowerCase()))) {
    verdicts.push(await consumeRateLimit(db, PEOPLE_POLICIES.perEmail, email, now));
  }
  const refused = verdicts.filter((verdict) => !verdict.isAllowed);
  if (refused.length > 0) throw new RateLimitedError(Math.max(...refused.map((verdict) => verdict.resetSeconds)));
}
