import "server-only";
import type { ConnectorErrorKind } from "@/lib/connectors/errors";

/**
 * What a try's end means for the records, shared by the deliver job and "Send a test document" so
 * the two record a failure alike. What it means for the connection's health is decided in
 * lib/connections/health.ts (deliveryHealthEvent), for both as well.
 */

const OUTCOME_OF = {
  retryable: "retryable_error",
  permanent: "permanent_error",
  auth: "auth_error",
} as const satisfies Record<ConnectorErrorKind, string>;

/** The attempt outcome of a connector error's kind. */
export function attemptOutcomeOf(kind: ConnectorErrorKind): (typeof OUTCOME_OF)[ConnectorErrorKind] {
  return OUTCOME_OF[kind];
}
