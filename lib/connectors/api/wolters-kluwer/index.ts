import { ConnectorError, toConnectorError } from "../../errors";
import { targetCategory, targetDetails, targetValue } from "../../target";
import { parseAnswer } from "../../transports/http";
import { type Connector, categoryOf, type DeliveryReceipt } from "../../types";
import { WK_MAX_PAGES, WK_PAGE_SIZE } from "./assumptions";
import { administrationsPageSchema, type WoltersKluwerAdministration } from "./client";
import {
  type WoltersKluwerDossierSettings,
  woltersKluwerDossierSettingsSchema,
  woltersKluwerSecretsSchema,
  woltersKluwerSettingsSchema,
} from "./config";
import { administrationChoices, categoryValueFor, storedUnderReference, uploadedIdOf, uploadForm } from "./map";
import { woltersKluwerOAuth } from "./oauth";
import { WoltersKluwerSession } from "./session";

/** One page of the administrations the connection's user reaches (a real, authorised call). */
async function administrationsPage(session: WoltersKluwerSession, page: number, pageSize: number) {
  const answer = await session.call({
    method: "GET",
    path: session.settings.administrationsPath,
    query: { Page: String(page), PageSize: String(pageSize) },
  });
  return parseAnswer(answer, administrationsPageSchema);
}

/**
 * The administration and the Wolters Kluwer category: the one the document was filed under (the
 * receipt's `category` replaces our purchase/sales/other), or before a delivery the one its
 * category maps to in the dossier's settings (their defaults included).
 */
function describeWoltersKluwerTarget(target: Readonly<Record<string, unknown>>) {
  const ours = targetCategory(target);
  const settings = woltersKluwerDossierSettingsSchema.safeParse(target);
  const mapped = ours && settings.success ? categoryValueFor(settings.data, ours) : null;
  return targetDetails({
    administrationId: targetValue(target, "administrationId"),
    category: ours ? mapped : targetValue(target, "category"),
  });
}

function dossierSettingsOf(dossierSettings: WoltersKluwerDossierSettings | null): WoltersKluwerDossierSettings {
  if (!dossierSettings) {
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "no administration chosen" });
  }
  return dossierSettings;
}

/**
 * Wolters Kluwer over the Adsolut Public API (reference §4.1; every assumption in assumptions.ts,
 * listed on docs/integrations/wolters-kluwer.md). The connection is made by OAuth through Wolters
 * Kluwer's login (oauth.ts); a dossier picks its administration from Adsolut's list and may adjust
 * the category value per document category. A delivery POSTs the file as multipart to the
 * connection's upload path with the category and our reference (the dispatch id) in the
 * configured fields. A try that may follow an earlier one (ctx.isFirstTry false) first asks the
 * lookup path for that reference and uploads only when nothing is there.
 */
export const woltersKluwerConnector = {
  id: "wolters-kluwer",
  channel: "api",
  settingsSchema: woltersKluwerSettingsSchema,
  secretsSchema: woltersKluwerSecretsSchema,
  dossierSettingsSchema: woltersKluwerDossierSettingsSchema,
  oauth: woltersKluwerOAuth,

  /** Lists one administration with the stored grant (refreshing it when due). */
  async check(ctx) {
    const checkedAt = new Date();
    try {
      await administrationsPage(new WoltersKluwerSession(ctx), 1, 1);
      return { ok: true, checkedAt };
    } catch (error) {
      return { ok: false, checkedAt, error: toConnectorError(error) };
    }
  },

  /** The administrations the connection's user reaches, as choices for `administrationId`. */
  async listDossierChoices(ctx) {
    const session = new WoltersKluwerSession(ctx);
    const administrations: WoltersKluwerAdministration[] = [];
    for (let page = 1; page <= WK_MAX_PAGES; page++) {
      const answer = await administrationsPage(session, page, WK_PAGE_SIZE);
      administrations.push(...answer.items);
      if (page >= answer.totalPages || answer.items.length === 0) break;
    }
    return { administrationId: administrationChoices(administrations) };
  },

  async deliver(ctx, document, file) {
    // The DMS upload takes one file (its contract is assumed, see assumptions.ts); a UBL companion
    // (file.companion) is not sent. The catalog gives this package UBL as "pdf", so none comes.
    const dossier = dossierSettingsOf(ctx.dossierSettings);
    const { settings } = ctx;
    const session = new WoltersKluwerSession(ctx);
    const reference = ctx.idempotencyKey;
    const category = categoryValueFor(dossier, categoryOf(document.documentType));
    const receipt = (packageReference: string | null, isAlreadyThere: boolean): DeliveryReceipt => ({
      packageReference,
      target: { administrationId: dossier.administrationId, category, isAlreadyThere },
    });

    if (!ctx.isFirstTry && settings.lookupOnRetry) {
      // An earlier try may have been stored with its answer lost: find it by our reference.
      const found = await session.call({
        method: "GET",
        path: settings.lookupPath,
        administrationId: dossier.administrationId,
        query: { [settings.referenceField]: reference },
      });
      const stored = storedUnderReference(
        found.text,
        { referenceField: settings.referenceField, idField: settings.responseIdField },
        reference,
      );
      if (stored) return receipt(stored.id, true);
    }

    const answer = await session.call({
      method: "POST",
      path: settings.uploadPath,
      administrationId: dossier.administrationId,
      body: uploadForm(settings, { document, content: file.content, category, reference }),
    });
    return receipt(uploadedIdOf(answer.text, settings.responseIdField), false);
  },

  describeTarget: describeWoltersKluwerTarget,
} satisfies Connector<
  typeof woltersKluwerSettingsSchema,
  typeof woltersKluwerSecretsSchema,
  typeof woltersKluwerDossierSettingsSchema
>;
