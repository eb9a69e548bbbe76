import { apiRoute } from "@/lib/api/operation";
import { getDocumentFile } from "@/lib/api/operations/documents";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getDocumentFile);
