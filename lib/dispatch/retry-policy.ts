import type { ConnectorErrorCode } from "@/lib/connectors/errors";
import { env } from "@/lib/env";
import type { PackageEntry } from "@/lib/packages/catalog";

/**
 * How deliveries ride out an outage (issue 20): a retryable failure (network, timeouts, 5xx,
 * 421/425/426/450/451, 429) is tried again with capped exponential backoff and jitter, honouring
 * the Retry-After the other side asked for, until the retry horizon has passed since the first
 * failure of the dispatch; only then does the document end Failed. The one place with the numbers.
 * Every duration is multiplied by KOPPEL_RETRY_TIME_SCALE (tests and fault drills compress time),
 * but for BREAKER_PROBE_MAX_MS: a lane that is back is seen within 30 s of real time.
 */

/** The horizon when the package's catalog entry names none. */
export const DEFAULT_RETRY_HORIZON_HOURS = 24;
/** The first wait after a failed try, doubled per try … */
export const RETRY_BACKOFF_BASE_MS = 30_000;
/** … up to this. */
export const RETRY_BACKOFF_MAX_MS = 15 * 60_000;
/**
 * The longest wait between two probes of an open breaker (lib/dispatch/breaker.ts), in real time:
 * not scaled. A probe is one cheap call (the connection check, or one mail) and the lane goes on
 * only after one succeeded: probes on the delivery backoff alone (doubling to 15 minutes) left a
 * lane that came back waiting up to 15 minutes (3 at the drill's scale of 0.2) for its probe, over
 * the minute issue 20 allows from an outage's end to the last document sent — a promise in real
 * seconds, whatever the scale.
 */
export const BREAKER_PROBE_MAX_MS = 30_000;

/** A Retry-After longer than this is taken as this (a misbehaving server must not park us for days). */
export const MAX_RETRY_AFTER_MS = 6 * 60 * 60_000;

/**
 * Unreachable-type failures of a connection or the mail service: these (and only these) count
 * towards its breaker (lib/dispatch/breaker.ts). A 429 or a refused file says the other side is up.
 */
export const UNREACHABLE_CODES: readonly ConnectorErrorCode[] = [
  "network",
  "timeout",
  "connection_refused",
  "host_not_found",
  "server_error",
  "tls_failed",
  "ssh_failed",
];

export function isUnreachableCode(code: string): boolean {
  return (UNREACHABLE_CODES as readonly string[]).includes(code);
}

/** KOPPEL_RETRY_TIME_SCALE, 1 unless set. */
export function retryTimeScale(): number {
  return env().KOPPEL_RETRY_TIME_SCALE ?? 1;
}

export function scaled(ms: number): number {
  return Math.max(1, Math.round(ms * retryTimeScale()));
}

/** The retry horizon of a package, scaled. */
export function retryHorizonMs(entry: Pick<PackageEntry, "retryHorizonHours"> | null | undefined): number {
  return scaled((entry?.retryHorizonHours ?? DEFAULT_RETRY_HORIZON_HOURS) * 60 * 60_000);
}

/**
 * The wait after failed try number `failures` (1 for the first): 30 s doubling up to 15 minutes,
 * "equal jitter" (half fixed, half random) so a bulk that failed together does not come back in
 * one instant, scaled; never shorter than what the other side asked for (Retry-After, unscaled).
 */
export function retryDelayMs(failures: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_BACKOFF_MAX_MS, RETRY_BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
  const backoff = scaled(exponential / 2 + (exponential / 2) * random());
  // What the other side asked for is real time: not compressed.
  const asked = retryAfterMs ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
  return Math.max(backoff, asked);
}

/**
 * The wait before an open breaker's probe number `probe` (1 for the first): the delivery backoff's
 * step (retryDelayMs, scaled), never more than BREAKER_PROBE_MAX_MS. So a lane that came back is
 * seen within 30 s however long it was away.
 */
export function breakerProbeDelayMs(probe: number, random: () => number = Math.random): number {
  return Math.min(retryDelayMs(probe, undefined, random), BREAKER_PROBE_MAX_MS);
}
