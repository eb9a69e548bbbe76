/**
 * Whether an error means the database could not be reached, or dropped the connection (a restart,
 * a network cut, a failover), rather than a query that is wrong: what callers answer with 503
 * ("try again shortly") instead of 500. Drizzle wraps the driver's error, so causes are followed.
 */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** PostgreSQL SQLSTATEs: class 08 (connection exception), and 57P01–57P03 (shutting down, cannot connect now). */
function isConnectionSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03";
}

// node-postgres's own words when a connection ends or cannot start in time.
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDatabaseUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_CODES.has(code) || isConnectionSqlState(code))) return true;
    if (current instanceof Error && DRIVER_MESSAGES.test(current.message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnreachable)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** How long writeWhileDatabaseUnreachable keeps trying by default. */
export const DATABASE_WAIT_MAX_MS = 10 * 60_000;

/**
 * Runs `write` and, while it fails because the database cannot be reached, runs it again (after
 * 0.5 s, doubling to at most 5 s) for up to `maxMs`; any other error, or the last one, is thrown.
 * For writes that must not be lost to an outage: the record of a delivery the package already
 * took, or of a failure. A write that committed but whose answer was lost runs again, so `write`
 * must be safe to repeat (a conditional update is).
 */
export async function writeWhileDatabaseUnreachable<T>(
  write: () => Promise<T>,
  options: { maxMs?: number; label?: string; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.maxMs ?? DATABASE_WAIT_MAX_MS);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnreachable(error) || Date.now() + delay > deadline) throw error;
      console.warn(`[db] ${options.label ?? "a write"} could not reach the database; trying again in ${delay} ms`);
      await sleep(delay);
    }
  }
}

/** The Retry-After (seconds) of a 503 for a lost database: about when a restart is over. */
export const DATABASE_RETRY_AFTER_SECONDS = 10;
