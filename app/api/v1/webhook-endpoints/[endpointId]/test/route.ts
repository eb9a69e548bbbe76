import { apiRoute } from "@/lib/api/operation";
import { sendWebhookTestMessage } from "@/lib/api/operations/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute(sendWebhookTestMessage);
