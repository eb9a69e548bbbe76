import { getDb } from "@/db";
import { readBodyWithLimit } from "@/lib/recognition/webhook";
import { EXACT_WEBHOOK_MAX_BYTES, processExactWebhook } from "@/lib/rejections/exact-webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Generic texts only: which check failed is in the status, never in the words. */
const TEXT: Record<number, string> = {
  200: "Received.",
  400: "Not a notification.",
  401: "Refused.",
  404: "Not found.",
  413: "Too large.",
  500: "Could not be processed. Try again later.",
};

function answer(status: number): Response {
  return Response.json({ message: TEXT[status] }, { status });
}

/** Exact Online's webhook notifications for one connection (lib/rejections/exact-webhook.ts). */
export async function POST(request: Request): Promise<Response> {
  // Read once, as text: the HashCode covers the Content exactly as it arrived.
  const rawBody = await readBodyWithLimit(request, EXACT_WEBHOOK_MAX_BYTES);
  if (rawBody === null) return answer(413);
  try {
    const outcome = await processExactWebhook(await getDb(), {
      connectionId: new URL(request.url).searchParams.get("connection"),
      rawBody,
    });
    return answer(outcome.status);
  } catch (error) {
    // Never the error's text: it may carry SQL. Exact retries; the read-back cron asks anyway.
    console.error("[exact-online webhook] failed", error);
    return answer(500);
  }
}
