import { apiRoute } from "@/lib/api/operation";
import { createWebhookEndpoint, listWebhookEndpoints } from "@/lib/api/operations/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(listWebhookEndpoints);
export const POST = apiRoute(createWebhookEndpoint);
