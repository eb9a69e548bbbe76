import { withBadSignatureLimit } from "@/lib/rate-limit/bad-signatures";
import { answerRecognitionRequest, processInstallationRecognitionDelivery } from "@/lib/recognition/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The operator's own recognition service reports a document's type and fields, signed with
 * RECOGNITION_WEBHOOK_SECRET, for any office (lib/recognition/webhook.ts). Offices post to
 * /api/webhooks/recognition/{portalId} with their own secret. Too many bad signatures: 429
 * (lib/rate-limit/bad-signatures.ts).
 */
export async function POST(request: Request): Promise<Response> {
  return withBadSignatureLimit(request, "recognition", () =>
    answerRecognitionRequest(request, (db, delivery) => processInstallationRecognitionDelivery(db, delivery)),
  );
}
