import "server-only";
import { Resend } from "resend";
import { getDb } from "@/db";
import { outboxEmails } from "@/db/schema";
import { env } from "@/lib/env";

export type OutgoingEmail = {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; content: Uint8Array; contentType: string }[];
  /** Same key, same mail: Resend replays the first answer for 24 h, the outbox stores it once. */
  idempotencyKey: string;
};

export type SentEmail = { id: string; via: "resend" | "outbox" };

/**
 * Resend refused or could not be reached. `statusCode` is null when no answer came (network,
 * timeout); callers classify from it (4xx: the mail itself is wrong; 429 and 5xx: try again).
 */
export class EmailSendError extends Error {
  readonly statusCode: number | null;
  readonly providerCode: string;
  readonly retryAfterMs?: number;

  constructor(statusCode: number | null, providerCode: string, retryAfterMs?: number) {
    super(`Resend refused the mail: ${providerCode}${statusCode ? ` (${statusCode})` : ""}`);
    this.name = "EmailSendError";
    this.statusCode = statusCode;
    this.providerCode = providerCode;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Sends through Resend when RESEND_API_KEY is set, otherwise into the local outbox. */
export async function sendEmail(email: OutgoingEmail, options: { signal?: AbortSignal } = {}): Promise<SentEmail> {
  const { RESEND_API_KEY, RESEND_BASE_URL, EMAIL_FROM } = env();
  if (RESEND_API_KEY) {
    const resend = new Resend(RESEND_API_KEY, RESEND_BASE_URL ? { baseUrl: RESEND_BASE_URL } : undefined);
    const { data, error, headers } = await resend.emails.send(
      {
        from: EMAIL_FROM,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        attachments: email.attachments?.map((attachment) => ({
          filename: attachment.filename,
          content: Buffer.from(attachment.content),
          contentType: attachment.contentType,
        })),
      },
      { idempotencyKey: email.idempotencyKey, signal: options.signal },
    );
    if (error || !data) {
      const statusCode =
        error && "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : null;
      const retryAfterSeconds = Number(headers?.["retry-after"]);
      throw new EmailSendError(
        statusCode,
        error?.name ?? "unknown",
        Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : undefined,
      );
    }
    return { id: data.id, via: "resend" };
  }
  const db = await getDb();
  const [row] = await db
    .insert(outboxEmails)
    .values({
      from: EMAIL_FROM,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      idempotencyKey: email.idempotencyKey,
      // The outbox keeps what was attached, not the bytes: it is a developer's view of the mail.
      attachments: (email.attachments ?? []).map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        sizeBytes: attachment.content.byteLength,
      })),
    })
    .onConflictDoUpdate({
      target: outboxEmails.idempotencyKey,
      set: { idempotencyKey: email.idempotencyKey },
    })
    .returning({ id: outboxEmails.id });
  if (!row) throw new Error("outbox insert returned no row");
  return { id: row.id, via: "outbox" };
}
