import { z } from "zod";
import { bodyFieldNameSchema, endpointPathSchema } from "../endpoint-path";
import {
  SYNETON_DEFAULT_KEYWORDS,
  SYNETON_DEFAULTS,
  SYNETON_DOCUMENT_PLACEHOLDERS,
  SYNETON_TOKEN_PLACEHOLDERS,
} from "./assumptions";

/**
 * The Syneton DMS connector's schemas (labels and hints under connectors.syneton.fields). The
 * Admin-Consult API runs at the office's own address and port, so the base URL is required; every
 * endpoint path and field name of the upload is a setting with the assumed default from
 * assumptions.ts.
 */

const LABELS = "connectors.syneton.fields";
const label = (name: string) => ({ labelKey: `${LABELS}.${name}.label`, hintKey: `${LABELS}.${name}.hint` });

const documentPathSchema = endpointPathSchema(SYNETON_DOCUMENT_PLACEHOLDERS);

export const synetonSettingsSchema = z.object({
  /** https://host:port of the Admin-Consult API (http only where custom API hosts are allowed). */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .trim()
    .max(200)
    .meta(label("baseUrl")),
  tokenPath: endpointPathSchema(SYNETON_TOKEN_PLACEHOLDERS)
    .refine((path) => path.includes("{apiKey}"), { message: "invalid" })
    .default(SYNETON_DEFAULTS.tokenPath)
    .meta(label("tokenPath")),
  customersPath: endpointPathSchema().default(SYNETON_DEFAULTS.customersPath).meta(label("customersPath")),
  uploadPath: documentPathSchema.default(SYNETON_DEFAULTS.uploadPath).meta(label("uploadPath")),
  lookupPath: documentPathSchema.default(SYNETON_DEFAULTS.lookupPath).meta(label("lookupPath")),
  lookupOnRetry: z.boolean().default(true).meta(label("lookupOnRetry")),
  customerIdField: bodyFieldNameSchema.default(SYNETON_DEFAULTS.customerIdField).meta(label("customerIdField")),
  categoryField: bodyFieldNameSchema.default(SYNETON_DEFAULTS.categoryField).meta(label("categoryField")),
  fileNameField: bodyFieldNameSchema.default(SYNETON_DEFAULTS.fileNameField).meta(label("fileNameField")),
  contentField: bodyFieldNameSchema.default(SYNETON_DEFAULTS.contentField).meta(label("contentField")),
  referenceField: bodyFieldNameSchema.default(SYNETON_DEFAULTS.referenceField).meta(label("referenceField")),
  responseIdField: bodyFieldNameSchema.default(SYNETON_DEFAULTS.responseIdField).meta(label("responseIdField")),
});
export type SynetonSettings = z.infer<typeof synetonSettingsSchema>;

export const synetonSecretsSchema = z.object({
  /** The API key made in Admin-IS / Admin-Consult; traded for a session token. */
  apiKey: z.string().trim().min(1).max(200).meta(label("apiKey")),
});
export type SynetonSecrets = z.infer<typeof synetonSecretsSchema>;

const keywordSchema = z.string().trim().min(1).max(50);

/** A dossier picks its customer record and may adjust the keyword per document category. */
export const synetonDossierSettingsSchema = z.object({
  customerId: z.number().int().positive().meta({ labelKey: "connectors.apiFields.customerId" }),
  purchaseKeyword: keywordSchema.default(SYNETON_DEFAULT_KEYWORDS.purchase).meta(label("purchaseKeyword")),
  salesKeyword: keywordSchema.default(SYNETON_DEFAULT_KEYWORDS.sales).meta(label("salesKeyword")),
  otherKeyword: keywordSchema.default(SYNETON_DEFAULT_KEYWORDS.other).meta(label("otherKeyword")),
});
export type SynetonDossierSettings = z.infer<typeof synetonDossierSettingsSchema>;
