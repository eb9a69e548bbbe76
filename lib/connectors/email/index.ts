import { z } from "zod";
import { EmailSendError, sendEmail } from "@/lib/email/send";
import { ConnectorError } from "../errors";
import type { Connector } from "../types";

const addressSchema = z.email().max(254);

/**
 * The resolved addresses a dossier delivers to, one per document category (null = this category
 * does not go by mail). Standard (yellow) addresses are computed from the package's rule by
 * lib/integrations before they reach the connector; individual (orange) and free (blue) ones are
 * stored as entered.
 */
const emailDossierSettingsSchema = z.object({
  addresses: z.object({
    purchase: addressSchema.nullable(),
    sales: addressSchema.nullable(),
    other: addressSchema.nullable(),
  }),
});

/**
 * One connector for every package that takes documents by mail, and for free mail. Mail goes out
 * through lib/email (Resend, or the local outbox in development) with the dispatch id as the
 * idempotency key, so a retried send is not delivered twice.
 */
export const emailConnector = {
  id: "email",
  channel: "email",
  settingsSchema: z.object({}),
  secretsSchema: z.object({}),
  dossierSettingsSchema: emailDossierSettingsSchema,
  async check() {
    // No portal connection for mail: there is nothing to log in to.
    return { ok: true, checkedAt: new Date() };
  },
  async deliver(ctx, document, file) {
    const settings = ctx.dossierSettings;
    const to = settings?.addresses[document.category];
    if (!to) throw new ConnectorError("permanent", "missing_address", { vendorDetail: document.category });
    const dossierName = ctx.dossier?.name ?? "";
    const subjectParts = [document.isTest ? "[TEST]" : null, dossierName, document.fileName].filter(Boolean);
    try {
      const sent = await sendEmail(
        {
          to: [to],
          subject: subjectParts.join(" · "),
          text: document.isTest
            ? `Test document from Koppel for ${dossierName}. You can delete it.`
            : `Document for ${dossierName}: ${document.fileName}`,
          attachments: [{ filename: document.fileName, content: file.content, contentType: document.mimeType }],
          idempotencyKey: ctx.idempotencyKey,
        },
        { signal: ctx.signal },
      );
      return { packageReference: sent.id, target: { to, via: sent.via } };
    } catch (error) {
      throw classifySendError(error);
    }
  },
} satisfies Connector<
  z.ZodObject<Record<string, never>>,
  z.ZodObject<Record<string, never>>,
  typeof emailDossierSettingsSchema
>;

/** Resend's answers, classified once: no answer, 429 and 5xx retry; other refusals are final. */
export function classifySendError(error: unknown): ConnectorError {
  if (!(error instanceof EmailSendError)) {
    return new ConnectorError("retryable", "unknown", {
      vendorDetail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  const vendorDetail = `${error.providerCode}${error.statusCode ? ` ${error.statusCode}` : ""}`;
  if (error.statusCode === null) return new ConnectorError("retryable", "network", { vendorDetail, cause: error });
  if (error.statusCode === 429) {
    return new ConnectorError("retryable", "rate_limited", {
      vendorDetail,
      retryAfterMs: error.retryAfterMs,
      cause: error,
    });
  }
  if (error.statusCode >= 500) return new ConnectorError("retryable", "server_error", { vendorDetail, cause: error });
  if (error.statusCode === 400 || error.statusCode === 422) {
    return new ConnectorError("permanent", "recipient_refused", { vendorDetail, cause: error });
  }
  // 401/403 and the rest: our mail provider account refuses us; retrying the same call cannot help.
  return new ConnectorError("permanent", "server_error", { vendorDetail, cause: error });
}
