import { apiRoute } from "@/lib/api/operation";
import { sendDocument } from "@/lib/api/operations/documents";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute(sendDocument);
