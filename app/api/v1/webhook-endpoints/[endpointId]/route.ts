import { apiRoute } from "@/lib/api/operation";
import { deleteWebhookEndpoint, getWebhookEndpoint, updateWebhookEndpoint } from "@/lib/api/operations/webhooks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getWebhookEndpoint);
export const PATCH = apiRoute(updateWebhookEndpoint);
export const DELETE = apiRoute(deleteWebhookEndpoint);
