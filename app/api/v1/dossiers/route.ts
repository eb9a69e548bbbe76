import { apiRoute } from "@/lib/api/operation";
import { createDossier, listDossiers } from "@/lib/api/operations/dossiers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = apiRoute(listDossiers);
export const POST = apiRoute(createDossier);
