import "server-only";
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

const RESEND_API_URL = "https://api.resend.com";

/**
 * POST /emails of Resend's HTTP API, the request its SDK makes, called directly so that the
 * answer's HTTP status decides what a failure is: the SDK hands back a JSON error body as it is,
 * and a 500 whose body has no `statusCode` looked like no answer at all (a "network" error). The
 * body's `name` only refines the status, for the log.
 */
async function sendThroughResend(
  email: OutgoingEmail,
  apiKey: string,
  baseUrl: string,
  from: string,
  options: { signal?: AbortSignal },
): Promise<SentEmail> {
  const body = JSON.stringify({
    from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments?.map((attachment) => ({
      filename: attachment.filename,
      content: Buffer.from(attachment.content).toString("base64"),
      content_type: attachment.contentType,
    })),
  });
  let response: Response;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, "")}/emails`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        "idempotency-key": email.idempotencyKey,
      },
      body,
      signal: options.signal,
    });
  } catch (error) {
    // No answer at all: refused, reset, unknown host, or our own deadline.
    throw new EmailSendError(
      null,
      options.signal?.aborted
        ? "timeout"
        : ((error as { cause?: { code?: unknown } }).cause?.code ?? "no_answer").toString(),
    );
  }
  const text = await response.text().catch(() => "");
  const answer = parseJsonObject(text);
  if (!response.ok) {
    const retryAfterSeconds = Number(response.headers.get("retry-after"));
    throw new EmailSendError(
      response.status,
      typeof answer?.name === "string" ? answer.name.slice(0, 100) : `http_${response.status}`,
      Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : undefined,
    );
  }
  // Accepted: the mail goes out whatever the body says. Without an id, its bounces cannot be
  // matched to it later, which the log says; failing it would invite a second mail.
  if (typeof answer?.id !== "string") console.warn(`[email] Resend accepted a mail (${response.status}) without an id`);
  return { id: typeof answer?.id === "string" ? answer.id : `no-id:${email.idempotencyKey}`, via: "resend" };
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Sends through Resend when RESEND_API_KEY is set, otherwise into the local outbox. */
export async function sendEmail(email: OutgoingEmail, options: { signal?: AbortSignal } = {}): Promise<SentEmail> {
  const { RESEND_API_KEY, RESEND_BASE_URL, EMAIL_FROM } = env();
  if (RESEND_API_KEY)
    return sendThroughResend(email, RESEND_API_KEY, RESEND_BASE_URL ?? RESEND_API_URL, EMAIL_FROM, options);
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
