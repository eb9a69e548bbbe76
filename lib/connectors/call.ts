import { ConnectorError, toConnectorError } from "./errors";
import type { ConnectorContext } from "./types";

/**
 * Runs a connector call and guarantees it ends by the context's deadline even if the connector
 * ignores the signal; every failure comes out as a ConnectorError.
 */
export async function runConnectorCall<T>(
  ctx: ConnectorContext<unknown, unknown, unknown>,
  call: () => Promise<T>,
): Promise<T> {
  return runUntilAborted(ctx.signal, call);
}

/**
 * The same guarantee for connector calls made outside a context (an OAuth code exchange): ends
 * when `signal` aborts, whatever the call does, and every failure comes out as a ConnectorError.
 */
export async function runUntilAborted<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ConnectorError("retryable", "timeout"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([call(), aborted]);
  } catch (error) {
    throw toConnectorError(error);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
