import { z } from "zod";

/**
 * The Yuki connector's schemas. The connections page and the dossier tab generate their forms from
 * them (lib/connections/form.ts, lib/integrations/connector-fields.ts), so every field is a
 * top-level string, integer or enum with `.meta({ labelKey, hintKey })`. Refinements fail with
 * the message "invalid", which the forms translate; the hint says what a valid value looks like.
 */

const LABELS = "connectors.yuki.fields";
const label = (name: string) => ({ labelKey: `${LABELS}.${name}.label`, hintKey: `${LABELS}.${name}.hint` });

/** Yuki runs one API host per region; an administration only exists on its own region's host. */
export const YUKI_REGIONS = ["be", "nl"] as const;
export type YukiRegion = (typeof YUKI_REGIONS)[number];

/** The vendor's hosts; a configured base URL must be one of them unless custom hosts are allowed. */
export const YUKI_ALLOWED_HOST = /^api\.yukiworks\.(be|nl)$/;

export function defaultYukiBaseUrl(region: YukiRegion): string {
  return `https://api.yukiworks.${region}`;
}

/** A .NET GUID as Yuki prints them (8-4-4-4-12 hex digits); braces and case are tolerated. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guidSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/^\{(.*)\}$/, "$1"))
  .refine((value) => GUID.test(value), { message: "invalid" });

/** An archive folder number as DocumentFolders lists it (never hard-coded: they are not public). */
const folderIdSchema = z.number().int().min(0).max(2_147_483_647);

/** The portal connection's public settings (the access key is in the secrets). */
export const yukiSettingsSchema = z.object({
  /** Belgium by default; a Dutch domain uses api.yukiworks.nl. */
  region: z.enum(YUKI_REGIONS).default("be").meta(label("region")),
  /**
   * Only for tests and local runs (a fake Yuki); the deployment must allow custom API hosts
   * (KOPPEL_ALLOW_CUSTOM_API_HOSTS=1), otherwise only Yuki's own hosts are accepted.
   */
  baseUrl: z.url().max(300).optional().meta(label("baseUrl")),
});
export type YukiSettings = z.infer<typeof yukiSettingsSchema>;

/** Write-only in the UI, encrypted at rest. */
export const yukiSecretsSchema = z.object({
  /** The WebServiceAccessKey (a GUID) made in Yuki at domain or administration level. */
  accessKey: guidSchema.meta(label("accessKey")),
});
export type YukiSecrets = z.infer<typeof yukiSecretsSchema>;

/**
 * What a dossier gives: its administration and the archive folders per category, all picked from
 * the lists Yuki returns (listDossierChoices). "Other" documents need their own folder; without
 * one they are refused rather than guessed into purchase.
 */
export const yukiDossierSettingsSchema = z.object({
  administrationId: guidSchema.meta({ labelKey: "connectors.apiFields.administrationId" }),
  purchaseFolderId: folderIdSchema.meta(label("purchaseFolderId")),
  salesFolderId: folderIdSchema.meta(label("salesFolderId")),
  otherFolderId: folderIdSchema.optional().meta(label("otherFolderId")),
});
export type YukiDossierSettings = z.infer<typeof yukiDossierSettingsSchema>;
