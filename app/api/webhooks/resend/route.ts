import { getDb } from "@/db";
import { isDatabaseUnreachable } from "@/db/unreachable";
import {
  processResendWebhook,
  resendWebhookProblem,
  resendWebhookResponse,
  SVIX_ID_HEADER,
  SVIX_SIGNATURE_HEADER,
  SVIX_TIMESTAMP_HEADER,
} from "@/lib/email/webhook";
import { env } from "@/lib/env";
import { readTextWithLimit } from "@/lib/http/body";
import { withBadSignatureLimit } from "@/lib/rate-limit/bad-signatures";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A Resend event is a small JSON object; anything larger is refused before it is read in full. */
const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Resend reports bounces, complaints and deliveries of our mails (lib/email/webhook.ts). Too many bad
 * signatures: 429 (lib/rate-limit/bad-signatures.ts).
 */
export async function POST(request: Request): Promise<Response> {
  return withBadSignatureLimit(request, "resend", () => answerResendEvent(request));
}

async function answerResendEvent(request: Request): Promise<Response> {
  const secret = env().RESEND_WEBHOOK_SECRET;
  if (!secret) {
    // Without the secret nothing can be verified: refuse, and say why, rather than trust anyone.
    return resendWebhookResponse(
      resendWebhookProblem("notConfigured", "RESEND_WEBHOOK_SECRET is not set; see docs/api/resend-webhook.md."),
    );
  }
  // Read once, as text: the signature covers these exact bytes.
  const rawBody = await readTextWithLimit(request, MAX_EVENT_BYTES);
  if (rawBody === null)
    return resendWebhookResponse(resendWebhookProblem("tooLarge", "The body is larger than 64 KB."));
  try {
    const outcome = await processResendWebhook(
      await getDb(),
      {
        messageId: request.headers.get(SVIX_ID_HEADER),
        timestamp: request.headers.get(SVIX_TIMESTAMP_HEADER),
        signature: request.headers.get(SVIX_SIGNATURE_HEADER),
        rawBody,
      },
      { secret },
    );
    return resendWebhookResponse(outcome);
  } catch (error) {
    // Never the error's text: it may carry SQL. Svix redelivers the message later.
    console.error("[resend webhook] failed", error);
    const problem = isDatabaseUnreachable(error)
      ? resendWebhookProblem("databaseUnavailable", "The database cannot be reached. Try again later.")
      : resendWebhookProblem("internal", "The message could not be processed. Try again later.");
    return resendWebhookResponse(problem);
  }
}
