import { apiRoute } from "@/lib/api/operation";
import { getDossierIntegration } from "@/lib/api/operations/dossiers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(getDossierIntegration);
