import { ConnectorError, toConnectorError } from "../../errors";
import type { Connector, ConnectorContext, DeliveryReceipt } from "../../types";
import { apiBaseUrl } from "../base-url";
import { createTestApiClient } from "./client";
import {
  TEST_API_DEFAULT_BASE_URL,
  TEST_API_HOST,
  type TestApiDossierSettings,
  type TestApiSecrets,
  type TestApiSettings,
  testApiDossierSettingsSchema,
  testApiSecretsSchema,
  testApiSettingsSchema,
} from "./config";
import { idFiledUnder, uploadBody } from "./map";

type TestApiContext = ConnectorContext<TestApiSettings, TestApiSecrets, TestApiDossierSettings>;

function clientFor(ctx: TestApiContext) {
  const baseUrl = apiBaseUrl(ctx.settings.baseUrl, TEST_API_DEFAULT_BASE_URL, TEST_API_HOST);
  return createTestApiClient({ baseUrl, apiKey: ctx.secrets.apiKey, signal: ctx.signal });
}

/**
 * The Test API (tests only, see README.md): the smallest real API connector. The connection holds
 * the address and an API key; a dossier names its ledger. A delivery POSTs the file with our
 * reference (the dispatch id); a try that may follow an earlier one first looks the reference up,
 * so a lost answer never files a document twice. It declares none of the optional hooks.
 */
export const testApiConnector = {
  id: "test-api",
  channel: "api",
  settingsSchema: testApiSettingsSchema,
  secretsSchema: testApiSecretsSchema,
  dossierSettingsSchema: testApiDossierSettingsSchema,

  async check(ctx) {
    const checkedAt = new Date();
    try {
      await clientFor(ctx).ping();
      return { ok: true, checkedAt };
    } catch (error) {
      return { ok: false, checkedAt, error: toConnectorError(error) };
    }
  },

  async deliver(ctx, document, file) {
    const ledgerId = ctx.dossierSettings?.ledgerId;
    if (!ledgerId) throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "no ledger chosen" });
    const client = clientFor(ctx);
    const reference = ctx.idempotencyKey;
    const receipt = (packageReference: string, isAlreadyThere: boolean): DeliveryReceipt => ({
      packageReference,
      target: { ledgerId, isAlreadyThere },
    });
    if (!ctx.isFirstTry) {
      const filed = idFiledUnder(await client.findByReference(ledgerId, reference), reference);
      if (filed) return receipt(filed, true);
    }
    return receipt(await client.upload(ledgerId, uploadBody(document, file.content, reference)), false);
  },
} satisfies Connector<typeof testApiSettingsSchema, typeof testApiSecretsSchema, typeof testApiDossierSettingsSchema>;
