import { getDb } from "@/db";
import { isDatabaseUnreachable } from "@/db/unreachable";
import { readTextWithLimit } from "@/lib/http/body";
import { withBadSignatureLimit } from "@/lib/rate-limit/bad-signatures";
import { findWebhookReceiver, processPackageWebhook } from "@/lib/read-back/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ packageId: string }> };

/** Generic texts only: which check failed is in the status, never in the words. */
const TEXT: Record<number, string> = {
  200: "Received.",
  400: "Not a notification.",
  401: "Refused.",
  404: "Not found.",
  413: "Too large.",
  500: "Could not be processed. Try again later.",
  503: "Temporarily unavailable. Try again later.",
};

function answer(status: number): Response {
  return Response.json({ message: TEXT[status] }, { status });
}

/**
 * A package's webhook notifications for one connection (`?connection=<id>`), e.g. Exact Online's at
 * /api/webhooks/exact-online (lib/read-back/webhook.ts). The static routes beside this one
 * (recognition, resend) take precedence over the package id. Too many bad signatures (401): 429
 * (lib/rate-limit/bad-signatures.ts).
 */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { packageId } = await params;
  return withBadSignatureLimit(request, `package:${packageId}`, () => answerNotification(request, packageId));
}

async function answerNotification(request: Request, packageId: string): Promise<Response> {
  try {
    const receiver = await findWebhookReceiver(packageId);
    if (!receiver) return answer(404);
    // Read once, as text: a signature covers the body exactly as it arrived.
    const rawBody = await readTextWithLimit(request, receiver.webhook.maxBytes);
    if (rawBody === null) return answer(413);
    const outcome = await processPackageWebhook(await getDb(), {
      receiver,
      connectionId: new URL(request.url).searchParams.get("connection"),
      rawBody,
    });
    return answer(outcome.status);
  } catch (error) {
    // Never the error's text: it may carry SQL. The package retries; the read-back cron asks anyway.
    console.error("[package webhook] failed", { packageId: packageId.slice(0, 64) }, error);
    return answer(isDatabaseUnreachable(error) ? 503 : 500);
  }
}
