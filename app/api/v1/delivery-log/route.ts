import { apiRoute } from "@/lib/api/operation";
import { getDeliveryLog } from "@/lib/api/operations/delivery-log";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getDeliveryLog);
