import { apiRoute } from "@/lib/api/operation";
import { getDossier, updateDossier } from "@/lib/api/operations/dossiers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getDossier);
export const PATCH = apiRoute(updateDossier);
