import { apiRoute } from "@/lib/api/operation";
import { getDossier } from "@/lib/api/operations/dossiers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getDossier);
