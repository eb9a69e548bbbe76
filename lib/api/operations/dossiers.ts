import { z } from "zod";
import { getDossierOverview } from "@/lib/dossiers/get";
import { defineApiOperation } from "../operation";

export const dossierIdParamsSchema = z.object({
  dossierId: z.guid().meta({ description: "The dossier's id." }),
});

export const dossierSchema = z
  .object({
    id: z.guid(),
    name: z.string(),
    companyNumber: z.string().meta({ description: "The Belgian enterprise number, 10 digits." }),
    isAutoSendEnabled: z.boolean().meta({ description: "Recognised documents are sent to the package at once." }),
    integration: z.enum(["not_configured", "connection", "email", "free_email", "none"]).meta({
      description:
        "How the dossier delivers: not chosen yet, through a portal connection (API or FTP), by e-mail to its package, by free e-mail, or no integration needed. GET /dossiers/{dossierId}/integration tells more.",
    }),
  })
  .meta({ id: "Dossier" });

export const getDossier = defineApiOperation({
  operationId: "getDossier",
  method: "get",
  path: "/dossiers/{dossierId}",
  summary: "Get a dossier",
  tags: ["Dossiers"],
  scope: "dossiers:read",
  params: dossierIdParamsSchema,
  responses: { 200: { description: "The dossier.", schema: dossierSchema } },
  async handle({ db, actor, params }) {
    const dossier = await getDossierOverview(db, actor, params.dossierId);
    return {
      status: 200,
      body: {
        id: dossier.id,
        name: dossier.name,
        companyNumber: dossier.companyNumber,
        isAutoSendEnabled: dossier.isAutoSendEnabled,
        integration: dossier.integration.kind,
      } satisfies z.input<typeof dossierSchema>,
    };
  },
});
