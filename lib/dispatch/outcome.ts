import "server-only";
import { and, eq, ne, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import type { ConnectorErrorKind } from "@/lib/connectors/errors";

/**
 * What a try's end means for the records, shared by the deliver job and "Send a test document" so
 * the two record a failure alike.
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

/**
 * The package refused the connection's credentials: every dossier on it is affected until an admin
 * re-authorises it. A disabled connection stays disabled. `onlyIf` narrows it further (the deliver
 * job: only when this run failed the dispatch). The update, to run or to use as a CTE.
 */
export function connectionNeedsReauthUpdate(
  db: DbOrTx,
  input: { connectionId: string; portalId: string; errorCode: string; at: Date; onlyIf?: SQL },
) {
  return db
    .update(connections)
    .set({ status: "needs_reauth", lastErrorCode: input.errorCode, lastErrorAt: input.at, updatedAt: input.at })
    .where(
      and(
        eq(connections.id, input.connectionId),
        eq(connections.portalId, input.portalId),
        ne(connections.status, "disabled"),
        input.onlyIf,
      ),
    )
    .returning({ id: connections.id });
}

/** connectionNeedsReauthUpdate, run on its own. */
export async function markConnectionNeedsReauth(
  db: DbOrTx,
  input: { connectionId: string; portalId: string; errorCode: string; at: Date },
): Promise<void> {
  await connectionNeedsReauthUpdate(db, input);
}
