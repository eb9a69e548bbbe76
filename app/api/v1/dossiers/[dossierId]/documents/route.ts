import { apiRoute } from "@/lib/api/operation";
import { listDocuments, uploadDocuments } from "@/lib/api/operations/documents";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(listDocuments);
export const POST = apiRoute(uploadDocuments);
