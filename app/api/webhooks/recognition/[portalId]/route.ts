import { withBadSignatureLimit } from "@/lib/rate-limit/bad-signatures";
import { answerRecognitionRequest, processOfficeRecognitionDelivery } from "@/lib/recognition/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ portalId: string }> };

/**
 * An office's recognition step reports a document's type and fields, signed with that office's own
 * secret, for that office's documents only (lib/recognition/webhook.ts). Too many bad signatures:
 * 429 (lib/rate-limit/bad-signatures.ts).
 */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { portalId } = await params;
  return withBadSignatureLimit(request, `recognition:${portalId}`, () =>
    answerRecognitionRequest(request, (db, delivery) => processOfficeRecognitionDelivery(db, portalId, delivery)),
  );
}
