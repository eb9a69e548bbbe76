import { ConnectorError, toConnectorError } from "../../errors";
import { targetCategory, targetDetails, targetValue } from "../../target";
import { parseAnswer } from "../../transports/http";
import { type Connector, type ConnectorContext, categoryOf, type DeliveryReceipt } from "../../types";
import { endpointUrl } from "../endpoint-path";
import { SYNETON_MAX_PAGES, SYNETON_PAGE_SIZE } from "./assumptions";
import {
  createSynetonClient,
  customersPageSchema,
  nextLinkOf,
  type SynetonClient,
  type SynetonCustomer,
  synetonBaseUrl,
} from "./client";
import {
  type SynetonDossierSettings,
  type SynetonSecrets,
  type SynetonSettings,
  synetonDossierSettingsSchema,
  synetonSecretsSchema,
  synetonSettingsSchema,
} from "./config";
import { customerChoices, keywordFor, lookupFilter, storedUnderReference, uploadBody, uploadedIdOf } from "./map";

export { clearSynetonTokens } from "./client";

type SynetonContext = ConnectorContext<SynetonSettings, SynetonSecrets, SynetonDossierSettings>;

/**
 * The customer record and the keyword: the one the document was filed under (the receipt's), or
 * before a delivery the one its category maps to in the dossier's settings (their defaults included).
 */
function describeSynetonTarget(target: Readonly<Record<string, unknown>>) {
  const settings = synetonDossierSettingsSchema.safeParse(target);
  const category = targetCategory(target);
  const mapped = settings.success && category ? keywordFor(settings.data, category) : null;
  return targetDetails({
    customerId: targetValue(target, "customerId"),
    keyword: targetValue(target, "keyword") ?? mapped,
  });
}

async function clientFor(ctx: SynetonContext): Promise<{ client: SynetonClient; baseUrl: string }> {
  const baseUrl = await synetonBaseUrl(ctx.settings);
  const client = createSynetonClient({
    baseUrl,
    settings: ctx.settings,
    apiKey: ctx.secrets.apiKey,
    signal: ctx.signal,
  });
  return { client, baseUrl };
}

function customersUrl(baseUrl: string, settings: SynetonSettings, perPage: number): string {
  return `${endpointUrl(baseUrl, settings.customersPath)}?${new URLSearchParams({ per_page: String(perPage) })}`;
}

/** A next-page link may only lead to the same customers endpoint (the token never leaves it). */
function isSameEndpoint(next: string, first: string): boolean {
  try {
    const a = new URL(next);
    const b = new URL(first);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/**
 * Syneton DMS over the Admin-IS / Admin-Consult REST API (reference §5; every assumption in
 * assumptions.ts, listed on docs/integrations/syneton-dms.md). The connection holds the API's
 * address and an API key, traded for a session token sent in the synetonToken header. A dossier
 * picks its customer record and may adjust the keyword per document category. A delivery POSTs
 * the file (base64 JSON) with the customer, keyword and our reference (the dispatch id) to the
 * connection's upload path; a try that may follow an earlier one first looks that reference up.
 */
export const synetonDmsConnector = {
  id: "syneton-dms",
  channel: "api",
  settingsSchema: synetonSettingsSchema,
  secretsSchema: synetonSecretsSchema,
  dossierSettingsSchema: synetonDossierSettingsSchema,

  /** A new token from the key (never a cached one), then one customer record: key, rights, address. */
  async check(ctx) {
    const checkedAt = new Date();
    try {
      const { client, baseUrl } = await clientFor(ctx);
      await client.call({
        method: "GET",
        url: customersUrl(baseUrl, ctx.settings, 1),
        isCustomerScoped: false,
        allowNothingFound: true,
        freshToken: true,
      });
      return { ok: true, checkedAt };
    } catch (error) {
      return { ok: false, checkedAt, error: toConnectorError(error) };
    }
  },

  /** Customer records (with VAT number, for the suggestion), following the Link header's pages. */
  async listDossierChoices(ctx) {
    const { client, baseUrl } = await clientFor(ctx);
    const first = customersUrl(baseUrl, ctx.settings, SYNETON_PAGE_SIZE);
    const customers: SynetonCustomer[] = [];
    let url: string | null = first;
    for (let page = 1; url !== null && page <= SYNETON_MAX_PAGES; page++) {
      const answer = await client.call({ method: "GET", url, isCustomerScoped: false, allowNothingFound: true });
      if (answer.status === 404) break;
      customers.push(...parseAnswer(answer, customersPageSchema));
      const next = nextLinkOf(answer.headers);
      url = next !== null && isSameEndpoint(next, first) ? next : null;
    }
    return { customerId: customerChoices(customers) };
  },

  async deliver(ctx, document, file) {
    // Admin-DMS stores one file per document; a UBL companion (file.companion) is not sent. The
    // catalog gives this package UBL as "pdf", so none comes (lib/ubl/delivery-file.ts).
    const dossier = ctx.dossierSettings;
    if (!dossier)
      throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "no customer record chosen" });
    const { settings } = ctx;
    const { client, baseUrl } = await clientFor(ctx);
    const reference = ctx.idempotencyKey;
    const keyword = keywordFor(dossier, categoryOf(document.documentType));
    const values = { customerId: String(dossier.customerId) };
    const receipt = (packageReference: string | null, isAlreadyThere: boolean): DeliveryReceipt => ({
      packageReference,
      target: { customerId: dossier.customerId, keyword, isAlreadyThere },
    });

    if (!ctx.isFirstTry && settings.lookupOnRetry) {
      // An earlier try may have been filed with its answer lost: find it by our reference.
      const query = new URLSearchParams({ Filter: lookupFilter(settings, reference, dossier.customerId) });
      const found = await client.call({
        method: "GET",
        url: `${endpointUrl(baseUrl, settings.lookupPath, values)}?${query}`,
        isCustomerScoped: true,
        allowNothingFound: true,
      });
      const stored =
        found.status === 404
          ? null
          : storedUnderReference(
              found.text,
              { referenceField: settings.referenceField, idField: settings.responseIdField },
              reference,
            );
      if (stored) return receipt(stored.id, true);
    }

    const answer = await client.call({
      method: "POST",
      url: endpointUrl(baseUrl, settings.uploadPath, values),
      body: uploadBody(settings, {
        customerId: dossier.customerId,
        keyword,
        document,
        content: file.content,
        reference,
      }),
      isCustomerScoped: true,
    });
    return receipt(uploadedIdOf(answer.text, settings.responseIdField), false);
  },

  describeTarget: describeSynetonTarget,
} satisfies Connector<typeof synetonSettingsSchema, typeof synetonSecretsSchema, typeof synetonDossierSettingsSchema>;
