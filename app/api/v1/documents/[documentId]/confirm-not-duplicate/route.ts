import { apiRoute } from "@/lib/api/operation";
import { confirmNotDuplicate } from "@/lib/api/operations/documents";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = apiRoute(confirmNotDuplicate);
