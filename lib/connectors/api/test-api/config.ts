import { z } from "zod";

/**
 * The Test API connector's schemas (labels and hints under connectors.testApi.fields). The Test
 * API exists only in tests (tests/fakes/test-api.ts); its default address can never resolve, so a
 * connection must point at the fake, which only a deployment with custom API hosts allows.
 */

const LABELS = "connectors.testApi.fields";
const label = (name: string) => ({ labelKey: `${LABELS}.${name}.label`, hintKey: `${LABELS}.${name}.hint` });

/** Where the "real service" would be: a reserved name (RFC 2606 .invalid) that never resolves. */
export const TEST_API_DEFAULT_BASE_URL = "https://api.test-api.invalid";
export const TEST_API_HOST = /^api\.test-api\.invalid$/;

export const testApiSettingsSchema = z.object({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .trim()
    .max(200)
    .default(TEST_API_DEFAULT_BASE_URL)
    .meta(label("baseUrl")),
});
export type TestApiSettings = z.infer<typeof testApiSettingsSchema>;

export const testApiSecretsSchema = z.object({
  apiKey: z.string().trim().min(1).max(200).meta(label("apiKey")),
});
export type TestApiSecrets = z.infer<typeof testApiSecretsSchema>;

/** A dossier names the ledger its documents are filed in. */
export const testApiDossierSettingsSchema = z.object({
  ledgerId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,40}$/)
    .meta(label("ledgerId")),
});
export type TestApiDossierSettings = z.infer<typeof testApiDossierSettingsSchema>;
