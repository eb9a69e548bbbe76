import { getDb } from "@/db";
import { recognitionWebhookSecret } from "@/lib/recognition/secret";
import {
  problem,
  processRecognitionDelivery,
  readBodyWithLimit,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  toResponse,
} from "@/lib/recognition/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The recognition step reports a document's type and fields (lib/recognition/webhook.ts). */
export async function POST(request: Request): Promise<Response> {
  let secret: string;
  try {
    secret = recognitionWebhookSecret();
  } catch (error) {
    // A deployment with its own database and no RECOGNITION_WEBHOOK_SECRET: refuse everything.
    console.error("[recognition webhook] no secret configured", error);
    return toResponse(problem("notConfigured", "The recognition webhook has no secret configured."));
  }
  // Read once, as text: the signature covers these exact bytes.
  const rawBody = await readBodyWithLimit(request);
  if (rawBody === null) return toResponse(problem("tooLarge", "The body is larger than 64 KB."));
  try {
    const outcome = await processRecognitionDelivery(
      await getDb(),
      {
        timestamp: request.headers.get(TIMESTAMP_HEADER),
        signature: request.headers.get(SIGNATURE_HEADER),
        rawBody,
      },
      { secret },
    );
    return toResponse(outcome);
  } catch (error) {
    // Never the error's text: it may carry SQL. The sender retries with a new signed delivery.
    console.error("[recognition webhook] failed", error);
    return toResponse(problem("internal", "The delivery could not be processed. Try again later."));
  }
}
