import { z } from "zod";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import { EmailSendError, sendEmail } from "@/lib/email/send";
import { DEFAULT_LOCALE, type Locale } from "@/lib/i18n/config";
import { ConnectorError } from "../errors";
import type { Connector, DeliveryDocument, DeliveryDossier } from "../types";

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
    // In the dossier's language: the mail is sent on its behalf.
    const mail = await buildDocumentEmail({
      dossier: ctx.dossier,
      document,
      reference: ctx.idempotencyKey,
      locale: ctx.dossier?.locale,
    });
    try {
      const sent = await sendEmail(
        {
          to: [to],
          subject: mail.subject,
          text: mail.text,
          attachments: [
            { filename: mail.attachmentName, content: file.content, contentType: document.mimeType },
            // A UBL e-invoice's XML next to its PDF, under the same stem: packages that read UBL
            // by mail (Clearfacts) pair the two by name.
            ...(file.companion
              ? [
                  {
                    filename: safeAttachmentName(file.companion.fileName),
                    content: file.companion.content,
                    contentType: "application/xml",
                  },
                ]
              : []),
          ],
          idempotencyKey: ctx.idempotencyKey,
        },
        { signal: ctx.signal },
      );
      return { packageReference: sent.id, target: { to, via: sent.via } };
    } catch (error) {
      throw classifySendError(error);
    }
  },

  /**
   * Nothing beyond the address, which the platform names (`to`): that is the whole of where a mail
   * went. The receipt's `via` (Resend or the local outbox) says how.
   */
  describeTarget: () => [],
} satisfies Connector<
  z.ZodObject<Record<string, never>>,
  z.ZodObject<Record<string, never>>,
  typeof emailDossierSettingsSchema
>;

/** Subjects stay short enough for every mail client's list view. */
const SUBJECT_MAX_LENGTH = 200;
const FILE_NAME_MAX_LENGTH = 150;

/**
 * One line of text that is safe in a mail header: CR, LF and every other control or line-separator
 * character (which could start a new header, "header injection") become spaces, runs of spaces
 * collapse, and the result is cut to `maxLength`. Applied to every header value built from user
 * data (dossier and supplier names, invoice numbers, file names).
 */
export function headerSafe(value: string, maxLength: number = SUBJECT_MAX_LENGTH): string {
  const oneLine = value
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1).trimEnd()}…` : oneLine;
}

/**
 * The attachment's name: the original file name on one line, without quotes or path separators
 * (it lands in a Content-Disposition header), keeping its extension when it has to be cut.
 */
export function safeAttachmentName(fileName: string): string {
  const cleaned = headerSafe(fileName, Number.MAX_SAFE_INTEGER).replace(/["\\/]/g, "_");
  if (cleaned === "") return "document";
  if (cleaned.length <= FILE_NAME_MAX_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
  return `${cleaned.slice(0, FILE_NAME_MAX_LENGTH - extension.length)}${extension}`;
}

function formatAmount(amount: number, currency: string | undefined, locale: Locale): string {
  try {
    return new Intl.NumberFormat(`${locale}-BE`, currency ? { style: "currency", currency } : {}).format(amount);
  } catch {
    // An unknown currency code from the recognition step: show it as given.
    return `${amount}${currency ? ` ${currency}` : ""}`;
  }
}

/**
 * The mail for one document: the subject names dossier, document type, supplier and invoice
 * number (those that are known); the body repeats them with the other recognised fields, says the
 * original is attached, and carries the dispatch id as reference. In `locale` (the connector passes
 * the dossier's language), Dutch unless told otherwise.
 */
export async function buildDocumentEmail(input: {
  dossier: Pick<DeliveryDossier, "name" | "companyNumber"> | null;
  document: DeliveryDocument;
  reference: string;
  locale?: Locale;
}): Promise<{ subject: string; text: string; attachmentName: string }> {
  const { document, reference } = input;
  const locale = input.locale ?? DEFAULT_LOCALE;
  // Loaded when a mail is written, not when the connector is: planning a send (requestSend, the
  // bench under the react-server condition) then never pulls next-intl's React entry points in.
  const { translatorFor } = await import("@/lib/i18n/translator");
  const t = translatorFor(locale);
  const line = (value: string | number | undefined | null) => headerSafe(String(value ?? ""), 500);
  const dossierName = line(input.dossier?.name);
  const attachmentName = safeAttachmentName(document.fileName);
  if (document.isTest) {
    return {
      subject: headerSafe(["[TEST]", dossierName, attachmentName].filter(Boolean).join(" · ")),
      text: t("dispatch.email.testIntro", { dossier: dossierName }),
      attachmentName,
    };
  }
  const fields = document.recognisedFields;
  const typeLabel = t(`documents.types.${document.documentType}`);
  const supplier = line(fields.supplierName);
  const invoiceNumber = line(fields.invoiceNumber);
  const subject = headerSafe([dossierName, typeLabel, supplier, invoiceNumber].filter(Boolean).join(" · "));
  const rows: [string, string][] = [
    [t("dispatch.email.fields.dossier"), dossierName],
    [
      t("dispatch.email.fields.companyNumber"),
      input.dossier?.companyNumber ? formatCompanyNumber(input.dossier.companyNumber) : "",
    ],
    [t("dispatch.email.fields.type"), typeLabel],
    [t("dispatch.email.fields.supplier"), supplier],
    [t("dispatch.email.fields.invoiceNumber"), invoiceNumber],
    [t("dispatch.email.fields.invoiceDate"), line(fields.invoiceDate)],
    [
      t("dispatch.email.fields.total"),
      typeof fields.totalAmount === "number" ? formatAmount(fields.totalAmount, fields.currency, locale) : "",
    ],
    [t("dispatch.email.fields.fileName"), attachmentName],
  ];
  const text = [
    t("dispatch.email.intro", { dossier: dossierName }),
    "",
    ...rows.filter(([, value]) => value !== "").map(([label, value]) => `${label}: ${value}`),
    "",
    t("dispatch.email.attachment"),
    t("dispatch.email.reference", { reference }),
  ].join("\n");
  return { subject, text, attachmentName };
}

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
