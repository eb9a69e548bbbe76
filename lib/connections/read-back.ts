import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { NotFoundError } from "@/lib/errors";
import { type ReadBackDeps, type ReadBackResult, readBackConnection } from "@/lib/read-back/service";

/**
 * "Check status now" on a connection card: the connection's read-back (what the package did with
 * the documents it was sent: imported, or refused with its reason) run at once instead of at the
 * next cron. It only reads from the package and records verdicts once, exactly as the cron does,
 * so accountants may run it as well as admins (connection.view); another portal's id is "not
 * found". Bounded: a button waits at most CHECK_STATUS_TIMEOUT_MS, the rest waits for the cron.
 */

export const CHECK_STATUS_TIMEOUT_MS = 20_000;

export const checkStatusNowSchema = z.object({ portalId: z.uuid(), connectionId: z.uuid() });

export async function checkConnectionStatusNow(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  connectionId: string,
  deps: Omit<ReadBackDeps, "packageReferences"> = {},
): Promise<ReadBackResult> {
  authorize(actor, "connection.view", { portalId });
  const ids = checkStatusNowSchema.safeParse({ portalId, connectionId });
  if (!ids.success) throw new NotFoundError();
  const [connection] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.id, ids.data.connectionId), eq(connections.portalId, ids.data.portalId)));
  if (!connection) throw new NotFoundError();
  return readBackConnection(db, connection.id, { timeoutMs: CHECK_STATUS_TIMEOUT_MS, ...deps });
}
