import { z } from "zod";
import { bodyFieldNameSchema, endpointPathSchema } from "../endpoint-path";
import {
  WK_DEFAULT_CATEGORIES,
  WK_DEFAULT_SCOPE,
  WK_DEFAULTS,
  WK_ENVIRONMENTS,
  WK_PATH_PLACEHOLDERS,
} from "./assumptions";

/**
 * The Wolters Kluwer (Adsolut) connector's schemas. The connections page and the dossier tab
 * generate their forms from them (labels and hints under connectors.woltersKluwer.fields). Every
 * endpoint path and field name of the document upload is a setting with the assumed default from
 * assumptions.ts, so a customer who has the real API spec corrects it without a code change. The
 * grant's fields are `.meta({ managed: true })`: the OAuth platform fills them.
 */

const LABELS = "connectors.woltersKluwer.fields";
const label = (name: string) => ({ labelKey: `${LABELS}.${name}.label`, hintKey: `${LABELS}.${name}.hint` });
const managed = { managed: true } as const;

const uploadPathSchema = endpointPathSchema(WK_PATH_PLACEHOLDERS);

export const woltersKluwerSettingsSchema = z.object({
  /** Production unless Wolters Kluwer gave the office a UAT (test) installation. */
  environment: z.enum(WK_ENVIRONMENTS).default("production").meta(label("environment")),
  /** Another API URL (tests and the local demo); only WK's hosts unless custom API hosts are allowed. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .trim()
    .max(200)
    .optional()
    .meta(label("baseUrl")),
  /** Another identity server URL, with the same restriction. */
  loginUrl: z
    .url({ protocol: /^https?$/ })
    .trim()
    .max(200)
    .optional()
    .meta(label("loginUrl")),
  /** The office's own app; blank = the deployment's (WOLTERS_KLUWER_CLIENT_ID). */
  clientId: z.string().trim().min(1).max(100).optional().meta(label("clientId")),
  scope: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]+(?: [A-Za-z0-9_.:-]+)*$/, { message: "invalid" })
    .max(400)
    .default(WK_DEFAULT_SCOPE)
    .meta(label("scope")),
  administrationsPath: endpointPathSchema().default(WK_DEFAULTS.administrationsPath).meta(label("administrationsPath")),
  uploadPath: uploadPathSchema.default(WK_DEFAULTS.uploadPath).meta(label("uploadPath")),
  lookupPath: uploadPathSchema.default(WK_DEFAULTS.lookupPath).meta(label("lookupPath")),
  /** Off when the documents endpoint cannot be searched by our reference (see assumptions "lookup"). */
  lookupOnRetry: z.boolean().default(true).meta(label("lookupOnRetry")),
  fileField: bodyFieldNameSchema.default(WK_DEFAULTS.fileField).meta(label("fileField")),
  documentCategoryField: bodyFieldNameSchema
    .default(WK_DEFAULTS.documentCategoryField)
    .meta(label("documentCategoryField")),
  referenceField: bodyFieldNameSchema.default(WK_DEFAULTS.referenceField).meta(label("referenceField")),
  responseIdField: bodyFieldNameSchema.default(WK_DEFAULTS.responseIdField).meta(label("responseIdField")),
});
export type WoltersKluwerSettings = z.infer<typeof woltersKluwerSettingsSchema>;

const isoTimestamp = z.iso.datetime({ offset: true });

export const woltersKluwerSecretsSchema = z.object({
  /** Secret of the office's own app (with settings.clientId). */
  clientSecret: z.string().min(1).max(200).optional().meta(label("clientSecret")),
  accessToken: z.string().min(1).optional().meta(managed),
  accessTokenExpiresAt: isoTimestamp.optional().meta(managed),
  /** Replaced on every refresh. */
  refreshToken: z.string().min(1).optional().meta(managed),
  /** When the grant was last used: it dies some time later unused (assumptions "grant-lifetime"). */
  refreshedAt: isoTimestamp.optional().meta(managed),
});
export type WoltersKluwerSecrets = z.infer<typeof woltersKluwerSecretsSchema>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A category value as the upload sends it. */
const categoryValueSchema = z.string().trim().min(1).max(100);

/**
 * A dossier picks its administration from Adsolut's list and may adjust the category value sent
 * per document category (defaults in assumptions.ts).
 */
export const woltersKluwerDossierSettingsSchema = z.object({
  administrationId: z
    .string()
    .trim()
    .refine((value) => GUID.test(value), { message: "invalid" })
    .meta({ labelKey: "connectors.apiFields.administrationId" }),
  purchaseCategory: categoryValueSchema.default(WK_DEFAULT_CATEGORIES.purchase).meta(label("purchaseCategory")),
  salesCategory: categoryValueSchema.default(WK_DEFAULT_CATEGORIES.sales).meta(label("salesCategory")),
  otherCategory: categoryValueSchema.default(WK_DEFAULT_CATEGORIES.other).meta(label("otherCategory")),
});
export type WoltersKluwerDossierSettings = z.infer<typeof woltersKluwerDossierSettingsSchema>;
