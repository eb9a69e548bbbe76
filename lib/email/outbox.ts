import "server-only";
import { desc } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { outboxEmails } from "@/db/schema";
import { env, isDemoEnabled } from "@/lib/env";

/**
 * The local outbox is only readable where mail is not really sent (no RESEND_API_KEY) and the
 * server is a development or explicit demo server: it holds sign-in links.
 */
export function isOutboxVisible(): boolean {
  return !env().RESEND_API_KEY && isDemoEnabled();
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
