import "server-only";
import { desc } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { outboxEmails } from "@/db/schema";
import { env, isDemoEnabled } from "@/lib/env";
import { isDevelopmentOutbox } from "./dev-outbox";

/**
 * The local outbox is only readable where mail is not really sent (no RESEND_API_KEY) and the
 * server is a development or explicit demo server: it holds sign-in links. Under `next dev` it is
 * the only way to a sign-in link, so KOPPEL_DEMO=0 does not close it there.
 */
export function isOutboxVisible(): boolean {
  return isDevelopmentOutbox() || (!env().RESEND_API_KEY && isDemoEnabled());
}

export async function listOutboxEmails(db: DbOrTx, limit = 50) {
  return db
    .select({
      id: outboxEmails.id,
      to: outboxEmails.to,
      subject: outboxEmails.subject,
      text: outboxEmails.text,
      createdAt: outboxEmails.createdAt,
    })
    .from(outboxEmails)
    .orderBy(desc(outboxEmails.createdAt))
    .limit(limit);
}
