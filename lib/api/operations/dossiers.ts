import { z } from "zod";
import { channelEnum, connectionStatusEnum } from "@/db/schema";
// Services are imported under other names: the operations carry the operationIds' names.
import { createDossier as createOfficeDossier } from "@/lib/dossiers/create";
import type { DossierSummary } from "@/lib/dossiers/get";
import { getDossierOverview, loadDossierSummary } from "@/lib/dossiers/get";
import {
  DOSSIER_PAGE_SIZE_DEFAULT,
  DOSSIER_PAGE_SIZE_MAX,
  encodedDossierCursorSchema,
  listDossiers as listOfficeDossiers,
} from "@/lib/dossiers/list";
import { createDossierSchema, dossierLocaleSchema, updateDossierSchema } from "@/lib/dossiers/schemas";
import { updateDossier as changeDossier } from "@/lib/dossiers/update";
import { translatorFor } from "@/lib/i18n/translator";
import { getDossierIntegration as readDossierIntegration } from "@/lib/integrations/get";
import { INTEGRATION_PROBLEM_CODES } from "@/lib/integrations/status";
import { defineApiOperation } from "../operation";

export const dossierIdParamsSchema = z.object({
  dossierId: z.guid().meta({ description: "The dossier's id." }),
});

export const dossierSchema = z
  .object({
    id: z.guid(),
    name: z.string(),
    companyNumber: z.string().meta({ description: "The Belgian enterprise number, 10 digits." }),
    vatNumber: z
      .string()
      .nullable()
      .meta({ description: "`BE` + 10 digits; by default `BE` + the company number. Null on older dossiers." }),
    locale: dossierLocaleSchema,
    isAutoSendEnabled: z.boolean().meta({ description: "Recognised documents are sent to the package at once." }),
    integration: z.enum(["not_configured", "connection", "email", "free_email", "none"]).meta({
      description:
        "How the dossier delivers: not chosen yet, through a portal connection (API or FTP), by e-mail to its package, by free e-mail, or no integration needed. GET /dossiers/{dossierId}/integration tells more.",
    }),
  })
  .meta({ id: "Dossier" });

type DossierBody = z.input<typeof dossierSchema>;

function dossierBodyOf(dossier: DossierSummary): DossierBody {
  return {
    id: dossier.id,
    name: dossier.name,
    companyNumber: dossier.companyNumber,
    vatNumber: dossier.vatNumber,
    locale: dossier.locale,
    isAutoSendEnabled: dossier.isAutoSendEnabled,
    integration: dossier.integration.kind,
  };
}

/** Where a dossier lives in the API: the Location of a created one. */
function dossierLocation(dossierId: string): string {
  return `/api/v1/dossiers/${dossierId}`;
}

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
    return { status: 200, body: dossierBodyOf(dossier) };
  },
});

const limitMessage = "api.invalidLimit";

export const listDossiersQuerySchema = z.object({
  search: z
    .string()
    .trim()
    .max(100, "invalid")
    .optional()
    .meta({ description: "Only dossiers whose name, enterprise number or VAT number contains this text." }),
  cursor: encodedDossierCursorSchema
    .optional()
    .meta({ description: "The `nextCursor` of the previous page; leave it out for the first page." }),
  limit: z.coerce
    .number({ error: limitMessage })
    .int(limitMessage)
    .min(1, limitMessage)
    .max(DOSSIER_PAGE_SIZE_MAX, limitMessage)
    .default(DOSSIER_PAGE_SIZE_DEFAULT)
    .meta({ description: `Dossiers per page, 1 to ${DOSSIER_PAGE_SIZE_MAX}.` }),
});

export const dossierPageSchema = z
  .object({
    items: z.array(dossierSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass it as `cursor` for the next page; null on the last page. Opaque." }),
  })
  .meta({ id: "DossierPage" });

export const listDossiers = defineApiOperation({
  operationId: "listDossiers",
  method: "get",
  path: "/dossiers",
  summary: "List the office's dossiers",
  description:
    "By name, then id, one page at a time: follow `nextCursor` until it is null. A dossier added or removed between two pages never makes another one repeat or go missing.",
  tags: ["Dossiers"],
  scope: "dossiers:read",
  query: listDossiersQuerySchema,
  responses: { 200: { description: "One page of dossiers.", schema: dossierPageSchema } },
  async handle({ db, actor, query }) {
    const page = await listOfficeDossiers(db, actor, {
      portalId: actor.portalId,
      search: query.search,
      after: query.cursor ?? null,
      limit: query.limit,
    });
    return {
      status: 200,
      body: { items: page.items.map(dossierBodyOf), nextCursor: page.nextCursor } satisfies z.input<
        typeof dossierPageSchema
      >,
    };
  },
});

export const newDossierSchema = createDossierSchema.omit({ portalId: true }).meta({
  id: "NewDossier",
  description:
    "The company number in any common notation (0123.456.749, BE 0123 456 749). Without a VAT number the dossier gets `BE` + the company number; without a language it is Dutch (`nl`).",
});

const locationHeader = z.object({
  Location: z.string().meta({ description: "The new dossier's address: /api/v1/dossiers/{dossierId}." }),
});

export const createDossier = defineApiOperation({
  operationId: "createDossier",
  method: "post",
  path: "/dossiers",
  summary: "Create a dossier",
  description:
    "In the key's office. An office has one dossier per company: a second one with the same enterprise number is refused (400, `errors` names `companyNumber`).",
  tags: ["Dossiers"],
  scope: "dossiers:write",
  body: { kind: "json", schema: newDossierSchema },
  responses: { 201: { description: "The new dossier.", schema: dossierSchema, headers: locationHeader } },
  async handle({ db, actor, body }) {
    const created = await createOfficeDossier(db, actor, { ...body, portalId: actor.portalId });
    const dossier = await loadDossierSummary(db, { portalId: actor.portalId, dossierId: created.dossierId });
    return { status: 201, body: dossierBodyOf(dossier), headers: { Location: dossierLocation(dossier.id) } };
  },
});

export const dossierChangeSchema = updateDossierSchema.meta({
  id: "DossierChange",
  // The schema's refine (at least one field) in JSON Schema's words.
  minProperties: 1,
  description:
    "Only the fields sent change. A VAT number still at its default follows a new enterprise number; `vatNumber: null` puts the default back. `locale` is the language of the mails sent to the dossier's package from then on. `isAutoSendEnabled` needs no more than seeing the dossier; the other fields need the admin or accountant role.",
});

export const updateDossier = defineApiOperation({
  operationId: "updateDossier",
  method: "patch",
  path: "/dossiers/{dossierId}",
  summary: "Change a dossier",
  tags: ["Dossiers"],
  scope: "dossiers:write",
  params: dossierIdParamsSchema,
  body: { kind: "json", schema: dossierChangeSchema },
  responses: { 200: { description: "The dossier as it is now.", schema: dossierSchema } },
  async handle({ db, actor, params, body }) {
    const dossier = await changeDossier(db, actor, params.dossierId, body);
    return { status: 200, body: dossierBodyOf(dossier) };
  },
});

const addressesSchema = z
  .object({ purchase: z.string().nullable(), sales: z.string().nullable(), other: z.string().nullable() })
  .meta({ id: "CategoryAddresses", description: "Where mail for each kind of document goes; null: not by mail." });

export const dossierIntegrationSchema = z
  .object({
    dossierId: z.guid(),
    kind: z.enum(["not_configured", "connection", "email", "free_email", "none", "unreadable"]).meta({
      description:
        "Not chosen yet; a portal connection (API or FTP); e-mail to a package; free e-mail; no integration needed; or stored settings that no longer read (the health says what to fix).",
    }),
    channel: z.enum(channelEnum.enumValues).nullable().meta({ description: "How documents leave; null without one." }),
    packageId: z
      .string()
      .nullable()
      .meta({ description: "The package's id in Koppel's catalogue, e.g. `exact-online`." }),
    packageName: z.string().nullable(),
    connection: z
      .object({
        label: z.string().meta({ description: "The name the office gave the connection." }),
        status: z.enum(connectionStatusEnum.enumValues),
      })
      .nullable()
      .meta({ description: "The portal connection, for kind `connection`." }),
    settings: z.record(z.string(), z.string()).nullable().meta({
      description: "The dossier's own settings on the connection (administration, division, folder), as text.",
    }),
    addressMode: z
      .enum(["standard", "individual"])
      .nullable()
      .meta({ description: "For kind `email`: the package's standard addresses or the dossier's own." }),
    addresses: addressesSchema.nullable().meta({ description: "For kinds `email` and `free_email`." }),
    health: z
      .object({
        state: z.enum(["not_configured", "ok", "needs_attention"]),
        problems: z.array(
          z.object({
            code: z.enum(INTEGRATION_PROBLEM_CODES),
            message: z.string().meta({ description: "What is wrong and what to do, in the caller's language." }),
          }),
        ),
      })
      .meta({ description: "Is it set up correctly, and if not, exactly what is missing." }),
    updatedAt: z.iso.datetime().nullable().meta({ description: "When the current choice was saved." }),
  })
  .meta({ id: "DossierIntegration" });

export const getDossierIntegration = defineApiOperation({
  operationId: "getDossierIntegration",
  method: "get",
  path: "/dossiers/{dossierId}/integration",
  summary: "Get a dossier's integration",
  description: "The way the dossier delivers and its health, as the dossier's Integrations tab shows them.",
  tags: ["Dossiers"],
  scope: "dossiers:read",
  params: dossierIdParamsSchema,
  responses: { 200: { description: "The dossier's integration.", schema: dossierIntegrationSchema } },
  async handle({ db, actor, params, locale }) {
    const view = await readDossierIntegration(db, actor, params.dossierId);
    const t = translatorFor(locale);
    const current = view.current;
    const body: z.input<typeof dossierIntegrationSchema> = {
      dossierId: view.dossier.id,
      kind: current?.kind ?? "not_configured",
      channel:
        current?.kind === "connection"
          ? current.channel
          : current?.kind === "email" || current?.kind === "free_email"
            ? "email"
            : null,
      packageId: current?.kind === "connection" || current?.kind === "email" ? current.packageId : null,
      packageName:
        current?.kind === "connection" || current?.kind === "email" || current?.kind === "free_email"
          ? current.packageName
          : null,
      connection:
        current?.kind === "connection" ? { label: current.connectionLabel, status: current.connectionStatus } : null,
      settings: current?.kind === "connection" ? current.settings : null,
      addressMode: current?.kind === "email" ? current.addressMode : null,
      addresses: current?.kind === "email" || current?.kind === "free_email" ? current.addresses : null,
      health: {
        state: view.evaluation.state,
        problems: view.evaluation.problems.map((problem) => ({
          code: problem.code,
          message: t(problem.messageKey as never),
        })),
      },
      updatedAt: view.updatedAt?.toISOString() ?? null,
    };
    return { status: 200, body };
  },
});
