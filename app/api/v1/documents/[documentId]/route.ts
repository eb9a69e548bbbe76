import { apiRoute } from "@/lib/api/operation";
import { deleteDocument, getDocument } from "@/lib/api/operations/documents";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getDocument);
export const DELETE = apiRoute(deleteDocument);
