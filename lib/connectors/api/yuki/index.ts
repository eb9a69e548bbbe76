import { ConnectorError, toConnectorError } from "../../errors";
import { targetCategory, targetDetails, targetValue } from "../../target";
import { type Connector, type ConnectorContext, categoryOf, type DeliveryReceipt } from "../../types";
import { apiBaseUrl } from "../base-url";
import { YUKI_ATTACHMENT_DEFAULTS, YUKI_POLL_BATCH } from "./assumptions";
import { createYukiClient, type YukiDocument } from "./client";
import {
  defaultYukiBaseUrl,
  YUKI_ALLOWED_HOST,
  type YukiDossierSettings,
  type YukiSecrets,
  type YukiSettings,
  yukiDossierSettingsSchema,
  yukiSecretsSchema,
  yukiSettingsSchema,
} from "./config";
import { dossierChoicesOf, folderForCategory, referenceTokenOf, yukiCompanionFileNameOf, yukiFileNameOf } from "./map";

/** Forgets cached Yuki sessions (tests, shutdown). */
export { clearYukiSessions } from "./client";

type YukiContext = ConnectorContext<YukiSettings, YukiSecrets, YukiDossierSettings>;

function clientFor(ctx: YukiContext) {
  const baseUrl = apiBaseUrl(ctx.settings.baseUrl, defaultYukiBaseUrl(ctx.settings.region), YUKI_ALLOWED_HOST);
  return createYukiClient({ baseUrl, accessKey: ctx.secrets.accessKey, signal: ctx.signal });
}

function dossierSettingsOf(ctx: YukiContext): YukiDossierSettings {
  if (!ctx.dossierSettings)
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "no administration and folders chosen" });
  return ctx.dossierSettings;
}

/** Whether a document Yuki returned is the one this dispatch uploaded (its name carries our reference). */
function carriesReference(document: YukiDocument, token: string): boolean {
  const needle = token.toLowerCase();
  return [document.fileName, document.subject].some((text) => text?.toLowerCase().includes(needle));
}

/**
 * The administration and the archive folder: the one the document went to (the receipt's), or
 * before a delivery the one its category maps to in the dossier's settings.
 */
function describeYukiTarget(target: Readonly<Record<string, unknown>>) {
  const settings = yukiDossierSettingsSchema.safeParse(target);
  const category = targetCategory(target);
  const mapped = settings.success && category ? folderForCategory(settings.data, category) : null;
  return targetDetails({
    administrationId: targetValue(target, "administrationId"),
    folder: targetValue(target, "folder") ?? mapped,
  });
}

/**
 * Yuki over its SOAP web services (Archive.asmx). The connection holds the region and the
 * WebServiceAccessKey; a dossier picks its administration and maps purchase / sales / other to
 * archive folders, all from Yuki's own lists. Delivery uploads one file (or a PDF with its UBL
 * file) under a deterministic name carrying the dispatch's reference; a retry after an unclear try
 * looks that name up before uploading again. See README.md and docs/integrations/yuki.md.
 */
export const yukiConnector = {
  id: "yuki",
  channel: "api",
  settingsSchema: yukiSettingsSchema,
  secretsSchema: yukiSecretsSchema,
  dossierSettingsSchema: yukiDossierSettingsSchema,

  /**
   * Logs in with the key (always a new session, never a cached one) and lists the
   * administrations: proves the key and the region (the wrong region faults on that data call).
   */
  async check(ctx) {
    const checkedAt = new Date();
    try {
      await clientFor(ctx).administrations({ freshSession: true });
      return { ok: true, checkedAt };
    } catch (error) {
      return { ok: false, checkedAt, error: toConnectorError(error) };
    }
  },

  /** Administrations (with VAT number, for the suggestion) and archive folders, read from Yuki. */
  async listDossierChoices(ctx) {
    const client = clientFor(ctx);
    const administrations = await client.administrations();
    const folders = await client.documentFolders();
    return dossierChoicesOf(administrations, folders);
  },

  /**
   * Uploads the document into the folder of its category (UploadDocument, or
   * UploadDocumentWithAttachment when a UBL file accompanies it). Resolves with Yuki's document id.
   */
  async deliver(ctx, document, file) {
    const settings = dossierSettingsOf(ctx);
    const category = categoryOf(document.documentType);
    const folder = folderForCategory(settings, category);
    if (folder === null) {
      throw new ConnectorError("permanent", "invalid_settings", {
        vendorDetail: `no archive folder chosen for ${category} documents`,
      });
    }
    const client = clientFor(ctx);
    const fileName = yukiFileNameOf(document, ctx.idempotencyKey);
    const receipt = (documentId: string, isAlreadyThere: boolean): DeliveryReceipt => ({
      packageReference: documentId,
      target: { administrationId: settings.administrationId, folder, fileName, isAlreadyThere },
    });

    if (!ctx.isFirstTry) {
      // An earlier try may have been stored with its answer lost: find it by our reference.
      const token = referenceTokenOf(ctx.idempotencyKey);
      const found = (await client.searchDocuments(token)).find((candidate) => carriesReference(candidate, token));
      if (found) return receipt(found.id, true);
    }

    const documentId = file.companion
      ? await client.uploadDocumentWithAttachment({
          fileName,
          data: file.content,
          attachmentFileName: yukiCompanionFileNameOf(fileName),
          attachment: file.companion.content,
          folder,
          administrationId: settings.administrationId,
          extra: YUKI_ATTACHMENT_DEFAULTS,
        })
      : await client.uploadDocument({
          fileName,
          data: file.content,
          folder,
          administrationId: settings.administrationId,
        });
    return receipt(documentId, false);
  },

  /**
   * Read-back. Rejections first: Backoffice GetWorkflow lists the administration's documents Yuki
   * could not process (one call); a reference on that list is rejected with Yuki's reason. The
   * others: FindDocument per reference, found → imported, not found → pending (assumed, see
   * assumptions.ts "read-back" and "rejections"). The administration comes from the dossier
   * settings the read-back hands over (the ones the documents were sent with). At most
   * YUKI_POLL_BATCH references per call, each FindDocument one call of the daily quota; the
   * others are not reported and wait for the next run.
   */
  async pollStatus(ctx, packageReferences) {
    const client = clientFor(ctx);
    const batch = packageReferences.slice(0, YUKI_POLL_BATCH);
    const refused = new Map<string, string | null>();
    if (ctx.dossierSettings) {
      for (const item of await client.workflow(ctx.dossierSettings.administrationId)) {
        refused.set(item.documentId.toLowerCase(), item.reason);
      }
    }
    const results: Array<{ packageReference: string; state: "pending" | "imported" | "rejected"; reason?: string }> =
      [];
    for (const packageReference of batch) {
      const key = packageReference.toLowerCase();
      if (refused.has(key)) {
        results.push({ packageReference, state: "rejected", reason: refused.get(key) ?? undefined });
        continue;
      }
      const found = await client.findDocument(packageReference);
      results.push({ packageReference, state: found ? "imported" : "pending" });
    }
    return results;
  },

  describeTarget: describeYukiTarget,
} satisfies Connector<typeof yukiSettingsSchema, typeof yukiSecretsSchema, typeof yukiDossierSettingsSchema>;
