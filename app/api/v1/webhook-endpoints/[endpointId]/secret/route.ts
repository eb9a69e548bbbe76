import { apiRoute } from "@/lib/api/operation";
import { getWebhookEndpointSecret } from "@/lib/api/operations/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getWebhookEndpointSecret);
