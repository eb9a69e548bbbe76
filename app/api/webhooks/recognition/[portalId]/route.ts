import { answerRecognitionRequest, processOfficeRecognitionDelivery } from "@/lib/recognition/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ portalId: string }> };

/**
 * An office's recognition step reports a document's type and fields, signed with that office's own
 * secret, for that office's documents only (lib/recognition/webhook.ts).
 */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { portalId } = await params;
  return answerRecognitionRequest(request, (db, delivery) => processOfficeRecognitionDelivery(db, portalId, delivery));
}
