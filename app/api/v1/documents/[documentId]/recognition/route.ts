import { apiRoute } from "@/lib/api/operation";
import { setDocumentRecognition } from "@/lib/api/operations/documents";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PUT = apiRoute(setDocumentRecognition);
