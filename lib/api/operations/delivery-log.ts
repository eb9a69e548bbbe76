import { z } from "zod";
import { attemptOutcomeEnum, channelEnum, dispatchTriggerEnum } from "@/db/schema";
import { contentDisposition } from "@/lib/documents/content-disposition";
import {
  DELIVERY_LOG_MAX_DAYS,
  type DeliveryLogRangeError,
  encodedDeliveryLogCursorSchema,
  exportDeliveryLog,
  listDeliveryLogPage,
} from "@/lib/failures/delivery-log";
import { reasonTextOf } from "@/lib/failures/reason";
import { translatorFor } from "@/lib/i18n/translator";
import { ApiProblemError, defineApiOperation } from "../operation";

export const DELIVERY_LOG_API_PAGE_SIZE_DEFAULT = 100;
export const DELIVERY_LOG_API_PAGE_SIZE_MAX = 100;

const dateMessage = "api.invalidDate";
const limitMessage = "api.invalidLimit";

export const deliveryLogQuerySchema = z.object({
  from: z.iso.date({ error: dateMessage }).meta({ description: "The first day, YYYY-MM-DD (UTC)." }),
  to: z.iso.date({ error: dateMessage }).meta({
    description: `The last day, included, YYYY-MM-DD (UTC); at most ${DELIVERY_LOG_MAX_DAYS} days after \`from\`.`,
  }),
  format: z.enum(["json", "csv"], { error: "api.invalidFormat" }).optional().meta({
    description:
      "`json` (pages) or `csv` (the whole period in one file, as the office's delivery-log download). Without it, `Accept: text/csv` asks for the CSV.",
  }),
  cursor: encodedDeliveryLogCursorSchema
    .optional()
    .meta({ description: "JSON only: the `nextCursor` of the previous page; leave it out for the first page." }),
  limit: z.coerce
    .number({ error: limitMessage })
    .int(limitMessage)
    .min(1, limitMessage)
    .max(DELIVERY_LOG_API_PAGE_SIZE_MAX, limitMessage)
    .default(DELIVERY_LOG_API_PAGE_SIZE_DEFAULT)
    .meta({ description: `JSON only: attempts per page, 1 to ${DELIVERY_LOG_API_PAGE_SIZE_MAX}.` }),
});

export const deliveryLogEntrySchema = z
  .object({
    attemptId: z.guid(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable().meta({ description: "Null while the attempt runs." }),
    dossier: z.object({ id: z.guid(), name: z.string(), companyNumber: z.string() }),
    documentId: z.guid().nullable().meta({ description: "Null for a test send (no document)." }),
    fileName: z
      .string()
      .nullable()
      .meta({ description: "The document's file name when the attempt started; null for a test send." }),
    channel: z.enum(channelEnum.enumValues).nullable(),
    packageName: z.string().nullable().meta({ description: "Null for free mail or a package no longer known." }),
    target: z
      .array(z.object({ key: z.string(), value: z.string() }))
      .meta({ description: "Where it went: connection, address, folder, administration… (never a secret)." }),
    attemptNumber: z.number().int().min(1),
    outcome: z.enum(attemptOutcomeEnum.enumValues),
    errorCode: z.string().nullable(),
    reason: z.string().nullable().meta({
      description: "Why it failed: our message in the caller's language, or the package's own words.",
    }),
    packageReference: z.string().nullable().meta({ description: "The package's own id for what it received." }),
    trigger: z.enum(dispatchTriggerEnum.enumValues),
    requestedBy: z
      .string()
      .nullable()
      .meta({ description: "The e-mail address of the person who sent it; null for auto-send and API keys." }),
  })
  .meta({ id: "DeliveryLogEntry" });

export const deliveryLogPageSchema = z
  .object({
    items: z.array(deliveryLogEntrySchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass it as `cursor` for the next page; null on the last page. Opaque." }),
  })
  .meta({ id: "DeliveryLogPage" });

/** Does the Accept header rank text/csv above application/json? Wildcards mean JSON, our default. */
export function prefersCsv(accept: string | null): boolean {
  const quality = (type: string): number => {
    for (const part of (accept ?? "").split(",")) {
      const [range = "", ...params] = part.trim().toLowerCase().split(";");
      if (range.trim() !== type) continue;
      const q = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
      const value = q ? Number(q.slice(2)) : 1;
      return Number.isFinite(value) ? value : 0;
    }
    return 0;
  };
  const csv = quality("text/csv");
  return csv > 0 && csv > quality("application/json");
}

/** A refused period, as a field error on the day that is wrong, in the caller's words. */
function rangeProblem(error: DeliveryLogRangeError, locale: Parameters<typeof translatorFor>[0]): ApiProblemError {
  const t = translatorFor(locale);
  const path = error === "reversed" || error === "too_long" ? "query.to" : "query.from";
  return new ApiProblemError({
    status: 400,
    code: "validation_failed",
    messageKey: "validationFailed",
    errors: [{ path, message: t(`failures.export.errors.${error}`) }],
  });
}

export const getDeliveryLog = defineApiOperation({
  operationId: "getDeliveryLog",
  method: "get",
  path: "/delivery-log",
  summary: "Read the delivery log",
  description: `Every delivery attempt of the key's office whose start falls in the period (UTC days, both included, at most ${DELIVERY_LOG_MAX_DAYS}), oldest first. As JSON one page at a time (follow \`nextCursor\`), or as one CSV file (\`format=csv\` or \`Accept: text/csv\`) with the columns of the office's delivery-log download, in the caller's language.`,
  tags: ["Delivery log"],
  scope: "documents:read",
  query: deliveryLogQuerySchema,
  responses: {
    200: {
      description: "One page of attempts, or the whole period as CSV.",
      schema: deliveryLogPageSchema,
      alternatives: {
        "text/csv": z.string().meta({ description: "RFC 4180, UTF-8 with a byte-order mark, a header row." }),
      },
    },
  },
  async handle({ db, actor, query, request, locale }) {
    const format = query.format ?? (prefersCsv(request.headers.get("accept")) ? "csv" : "json");
    if (format === "csv") {
      const result = await exportDeliveryLog(db, actor, {
        portalId: actor.portalId,
        from: query.from,
        to: query.to,
        locale,
      });
      if (!result.ok) throw rangeProblem(result.error, locale);
      return new Response(result.stream, {
        status: 200,
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": contentDisposition("attachment", result.fileName),
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        },
      });
    }
    const page = await listDeliveryLogPage(db, actor, {
      portalId: actor.portalId,
      from: query.from,
      to: query.to,
      after: query.cursor ?? null,
      limit: query.limit,
    });
    if (!page.ok) throw rangeProblem(page.error, locale);
    const t = translatorFor(locale);
    type Key = Parameters<typeof t>[0];
    const translate = (key: string) => (t.has(key as Key) ? String(t(key as Key)) : null);
    const generic = t("errors.generic");
    const body: z.input<typeof deliveryLogPageSchema> = {
      items: page.entries.map((entry) => ({
        attemptId: entry.attemptId,
        startedAt: entry.startedAt.toISOString(),
        finishedAt: entry.finishedAt?.toISOString() ?? null,
        dossier: { id: entry.dossierId, name: entry.dossierName, companyNumber: entry.companyNumber },
        documentId: entry.documentId,
        fileName: entry.fileName,
        channel: entry.targetDescription.channel,
        packageName: entry.targetDescription.packageName,
        target: entry.targetDescription.details.map(({ key, value }) => ({ key, value })),
        attemptNumber: entry.attemptNumber,
        outcome: entry.outcome,
        errorCode: entry.errorCode,
        reason: reasonTextOf(entry.reason, translate, generic),
        packageReference: entry.packageReference,
        trigger: entry.trigger,
        requestedBy: entry.requestedByEmail,
      })),
      nextCursor: page.nextCursor,
    };
    return { status: 200, body };
  },
});
