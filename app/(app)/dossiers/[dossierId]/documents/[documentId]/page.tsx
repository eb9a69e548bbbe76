import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { cache, type ReactNode } from "react";
import { DocumentTypeLabel } from "@/components/documents/document-type-label";
import { AutoSendSkipText, ReasonText } from "@/components/documents/reason-text";
import { SendingOffNotice } from "@/components/documents/sending-off-notice";
import { DocumentStatusBadge } from "@/components/documents/status-badge";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { ClientMessages } from "@/components/ui/client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { targetDetailsText } from "@/lib/connectors/target";
import { waitingLine } from "@/lib/dispatch/waiting-state";
import { type EInvoiceNotice, eInvoiceNoticeOf } from "@/lib/documents/einvoice";
import {
  type AttemptEntry,
  type DispatchEntry,
  type DocumentDetail,
  getDocumentDetail,
  getDocumentFile,
  type PossibleDuplicateSummary,
  summarizeUbl,
  type UblSummary,
} from "@/lib/documents/get";
import { documentSendingViewOf } from "@/lib/documents/sending-view";
import { UBL_MIME_TYPE } from "@/lib/documents/sniff";
import { getDossierOverview } from "@/lib/dossiers/get";
import { NotFoundError } from "@/lib/errors";
import { findPackage } from "@/lib/packages/catalog";
import { type RecognitionView, recognitionViewOf } from "@/lib/recognition/pending";
import { hasRecognitionStep } from "@/lib/recognition/step";
import { formatFileSize } from "@/lib/text/file-size";
import { type UblPdfPreview, ublPdfPreviewOf } from "@/lib/ubl/preview";
import { DocumentControls } from "./_components/document-controls";
import { PossibleDuplicateHold } from "./_components/possible-duplicate-hold";
import { TryNow } from "./_components/try-now";

type Props = { params: Promise<{ dossierId: string; documentId: string }> };

/** Shared by the metadata and the page within one request. */
const loadDetail = cache(async (dossierId: string, documentId: string) => {
  const actor = await requireActor();
  return getDocumentDetail(await getDb(), actor, dossierId, documentId);
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { dossierId, documentId } = await params;
  const detail = await orNotFound(loadDetail(dossierId, documentId));
  return { title: detail.fileName };
}

const OUTCOME_TONES: Record<AttemptEntry["outcome"], BadgeTone> = {
  running: "blue",
  succeeded: "green",
  retryable_error: "yellow",
  permanent_error: "red",
  auth_error: "red",
};
const DISPATCH_TONES: Record<DispatchEntry["status"], BadgeTone> = {
  queued: "grey",
  running: "blue",
  succeeded: "green",
  failed: "red",
};

/**
 * One document: a preview (PDF in a frame, an image, or what a UBL file says), its status with the
 * reason, the recognised data, the buttons its rules allow, and every delivery request with its
 * attempts (when, what triggered it, who, through which connector, to where, the outcome, the
 * reason and the package's reference).
 */
export default function DocumentPage(props: Props) {
  return (
    <ClientMessages area="document">
      <DocumentPageContent {...props} />
    </ClientMessages>
  );
}

async function DocumentPageContent({ params }: Props) {
  const { dossierId, documentId } = await params;
  const actor = await requireActor();
  const db = await getDb();
  const overviewRead = orNotFound(getDossierOverview(db, actor, dossierId));
  const [overview, detail, t, format, hasRecognition] = await Promise.all([
    overviewRead,
    orNotFound(loadDetail(dossierId, documentId)),
    getTranslations(),
    getFormatter(),
    // Asked as soon as the dossier is known, beside the document's own reads.
    overviewRead.then((known) => hasRecognitionStep(db, actor, { portalId: known.portalId, dossierId: known.id })),
  ]);

  let ubl: UblSummary | null = null;
  let ublPdf: UblPdfPreview | null = null;
  let eInvoiceNotice: EInvoiceNotice | null = null;
  let isFileMissing = false;
  if (detail.mimeType === UBL_MIME_TYPE) {
    try {
      const { content } = await getDocumentFile(db, actor, detail.id);
      ubl = summarizeUbl(content);
      ublPdf = ublPdfPreviewOf(content);
      // Why an e-invoice the XML could not type waits here (until a person types it).
      if (detail.documentType === null) eInvoiceNotice = eInvoiceNoticeOf(content, overview);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      isFileMissing = true;
    }
  }

  // "Being recognised" or "not recognised", on the server's clock, as the dossier's list says it.
  const recognition = recognitionViewOf(
    { ...detail, isEInvoice: detail.mimeType === UBL_MIME_TYPE },
    {
      hasRecognitionStep: hasRecognition,
      now: new Date(),
    },
  );
  const dossierPath = `/dossiers/${overview.id}`;
  // A dossier set to "no integration needed": no sending buttons, and one line that says why.
  const { allowed, isSendingOff } = documentSendingViewOf(overview.integration, detail.allowed);
  const fileUrl = `/api/documents/${detail.id}/file`;
  const dateTime = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });
  const canTryNow = can(actor, "document.send", { portalId: overview.portalId, dossierId: overview.id });

  return (
    <div className="flex flex-col gap-6">
      <div>
        <Link
          href={dossierPath}
          className="-my-2 mb-1 inline-flex min-h-11 items-center gap-1.5 text-sm font-medium text-brand-700 hover:text-brand-600 hover:underline"
        >
          <span aria-hidden="true">←</span>
          {t("documents.detail.back", { dossier: overview.name })}
        </Link>
        <PageHeader
          title={<span className="break-all">{detail.fileName}</span>}
          description={t("documents.detail.received", { date: dateTime(detail.createdAt) })}
        />
      </div>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex min-w-0 flex-col gap-6">
          <Preview detail={detail} fileUrl={fileUrl} ubl={ubl} ublPdf={ublPdf} isFileMissing={isFileMissing} />
        </div>

        {/* On phones the status and its buttons come first; the preview follows. */}
        <div className="order-first flex min-w-0 flex-col gap-6 lg:order-none">
          <Card title={t("documents.detail.status.title")} id="status-title">
            <div className="flex flex-col gap-3" data-testid="document-status">
              <div className="flex flex-wrap items-center gap-2">
                <DocumentStatusBadge status={detail.status} />
                {detail.status === "sent" && detail.importedAt ? (
                  <Badge tone="brand">{t("documents.imported")}</Badge>
                ) : null}
                {detail.archivedAt ? <Badge tone="grey">{t("documents.tabs.archived")}</Badge> : null}
              </div>
              {detail.status === "failed" || detail.status === "rejected" ? (
                <p
                  className={`rounded-md px-3 py-2 text-sm ${
                    detail.status === "failed" ? "bg-red-50 text-red-800" : "bg-orange-50 text-orange-900"
                  }`}
                >
                  <span className="font-semibold">
                    {detail.status === "rejected" ? t("documents.packageReason") : t("documents.reason")}:{" "}
                  </span>
                  <ReasonText reason={detail.lastErrorReason} fallback={t("documents.noReason")} />
                </p>
              ) : null}
              {detail.waiting ? (
                <div
                  className="flex flex-col gap-2 rounded-md bg-amber-50 px-3 py-2.5 text-sm text-amber-950"
                  data-testid="document-waiting"
                >
                  <p className="font-medium">
                    {waitingLine(detail.waiting, {
                      t,
                      time: (date) => format.dateTime(date, { timeStyle: "short" }),
                      since: (date) => format.dateTime(date, { dateStyle: "short", timeStyle: "short" }),
                    })}
                  </p>
                  <p className="text-amber-900">
                    {t("dispatch.waiting.explanation", { until: dateTime(detail.waiting.givesUpAt) })}
                  </p>
                  {canTryNow && !isSendingOff ? <TryNow dossierId={overview.id} documentId={detail.id} /> : null}
                </div>
              ) : null}
              {detail.possibleDuplicateOf ? (
                <PossibleDuplicateHold
                  dossierId={overview.id}
                  documentId={detail.id}
                  other={
                    detail.possibleDuplicate
                      ? {
                          href: `${dossierPath}/documents/${detail.possibleDuplicate.id}`,
                          label: detail.possibleDuplicate.fileName,
                          details: possibleDuplicateDetails(detail.possibleDuplicate, {
                            number: (number) => t("duplicates.number", { number }),
                            date: (date) => format.dateTime(date, { dateStyle: "medium", timeZone: "UTC" }),
                            amount: (amount, currency) => format.number(amount, { style: "currency", currency }),
                          }),
                        }
                      : null
                  }
                  isAmountCompared={
                    typeof detail.recognisedFields.totalAmount === "number" &&
                    typeof detail.possibleDuplicate?.totalAmount === "number"
                  }
                  canConfirm={detail.allowed.confirmNotDuplicate}
                  canDelete={detail.allowed.delete}
                />
              ) : null}
              {isSendingOff ? <SendingOffNotice /> : null}
              {eInvoiceNotice ? <EInvoiceNoticeText notice={eInvoiceNotice} /> : null}
              {detail.status === "inbox" && detail.autoSendSkipReason && !isSendingOff ? (
                <p className="text-sm text-slate-600">
                  <AutoSendSkipText code={detail.autoSendSkipReason} />
                </p>
              ) : null}
              <ul className="flex flex-col gap-0.5 text-sm text-slate-600">
                {detail.sentAt ? (
                  <li>{t("documents.detail.status.sentAt", { date: dateTime(detail.sentAt) })}</li>
                ) : null}
                {detail.archivedAt ? (
                  <li>{t("documents.detail.status.archivedAt", { date: dateTime(detail.archivedAt) })}</li>
                ) : null}
                {detail.packageReference ? (
                  <li className="break-all">
                    {t("documents.detail.status.packageReference", { reference: detail.packageReference })}
                  </li>
                ) : null}
              </ul>
              <DocumentControls
                dossierId={overview.id}
                href={`${dossierPath}/documents/${detail.id}`}
                status={detail.status}
                target={{
                  id: detail.id,
                  fileName: detail.fileName,
                  documentType: detail.documentType,
                  allowed,
                }}
              />
            </div>
          </Card>

          <RecognisedFields detail={detail} recognition={recognition} />
          <FileFacts detail={detail} />
        </div>
      </div>

      <History history={detail.history} />
    </div>
  );
}

/** "no. F-2026-017 · 3 Mar 2026 · € 1,656.25": what the other document says about itself. */
function possibleDuplicateDetails(
  other: PossibleDuplicateSummary,
  format: {
    number: (number: string) => string;
    date: (date: Date) => string;
    amount: (amount: number, currency: string) => string;
  },
): string {
  const parts: string[] = [];
  if (other.invoiceNumber) parts.push(format.number(other.invoiceNumber));
  const date = other.invoiceDate ? new Date(`${other.invoiceDate}T00:00:00Z`) : null;
  if (date && !Number.isNaN(date.getTime())) parts.push(format.date(date));
  if (other.totalAmount !== null) {
    const currency = other.currency && /^[A-Z]{3}$/.test(other.currency) ? other.currency : "EUR";
    parts.push(format.amount(other.totalAmount, currency));
  }
  return parts.join(" · ");
}

async function EInvoiceNoticeText({ notice }: { notice: EInvoiceNotice }) {
  const t = await getTranslations("documents.detail.eInvoice");
  return (
    <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="einvoice-notice">
      {notice.kind === "otherCompany"
        ? t("otherCompany", { customer: notice.customerName ?? t("someoneElse") })
        : t(`unreadable.${notice.reason}`)}
    </p>
  );
}

function Card({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <section aria-labelledby={id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <h2 id={id} className="mb-3 text-base font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

async function Preview({
  detail,
  fileUrl,
  ubl,
  ublPdf,
  isFileMissing,
}: {
  detail: DocumentDetail;
  fileUrl: string;
  ubl: UblSummary | null;
  /** The PDF of a UBL e-invoice (the one it carries, or Koppel's rendering), shown above its summary. */
  ublPdf: UblPdfPreview | null;
  isFileMissing: boolean;
}) {
  const t = await getTranslations("documents.detail.preview");
  const format = await getFormatter();
  const links = (
    <div className="flex flex-wrap gap-2">
      <a
        href={fileUrl}
        target="_blank"
        rel="noopener"
        className="inline-flex min-h-10 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50"
      >
        {t("open")}
      </a>
      <a
        href={`${fileUrl}?download=1`}
        className="inline-flex min-h-10 items-center rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50"
      >
        {t("download")}
      </a>
    </div>
  );

  let body: ReactNode;
  if (isFileMissing) {
    body = <p className="text-sm text-slate-600">{t("unavailable")}</p>;
  } else if (detail.mimeType === "application/pdf") {
    body = (
      <>
        {/* Phones show PDFs in their own viewer; the frame is for larger screens. */}
        <iframe
          src={fileUrl}
          title={t("frameTitle", { fileName: detail.fileName })}
          className="hidden h-[70vh] min-h-96 w-full rounded-lg border border-slate-200 bg-slate-100 md:block"
        />
        <div className="flex items-center gap-3 rounded-lg bg-slate-50 p-4 md:hidden">
          <span
            aria-hidden="true"
            className="flex size-12 shrink-0 items-center justify-center rounded-md bg-red-100 text-xs font-bold text-red-700"
          >
            PDF
          </span>
          <span className="min-w-0 text-sm break-all text-slate-700">{detail.fileName}</span>
        </div>
      </>
    );
  } else if (detail.mimeType.startsWith("image/")) {
    body = (
      // biome-ignore lint/performance/noImgElement: the original photo, served by our own route; no optimisation wanted.
      <img
        src={fileUrl}
        alt={t("imageAlt", { fileName: detail.fileName })}
        className="max-h-[70vh] w-full rounded-lg border border-slate-200 bg-slate-100 object-contain"
      />
    );
  } else if (ubl) {
    const rows: [string, string | null][] = [
      [t("ubl.number"), ubl.number],
      [t("ubl.issueDate"), ubl.issueDate],
      [t("ubl.dueDate"), ubl.dueDate],
      [t("ubl.supplier"), ubl.supplierName],
      [t("ubl.customer"), ubl.customerName],
      [t("ubl.payable"), ubl.payableAmount ? `${ubl.payableAmount}${ubl.currency ? ` ${ubl.currency}` : ""}` : null],
      [t("ubl.lines"), format.number(ubl.lineCount)],
    ];
    body = (
      <div className="flex flex-col gap-3">
        {ublPdf ? <UblPdfFrame fileUrl={fileUrl} fileName={detail.fileName} isRendering={ublPdf.isRendering} /> : null}
        <p className="text-sm font-medium text-slate-900">{t(`ubl.${ubl.kind}`)}</p>
        <p className="text-sm text-slate-600">{t("ubl.note")}</p>
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-1.5 text-sm">
          {rows
            .filter((row): row is [string, string] => row[1] !== null)
            .map(([label, value]) => (
              <div key={label} className="contents">
                <dt className="text-slate-500">{label}</dt>
                <dd className="break-words text-slate-900">{value}</dd>
              </div>
            ))}
        </dl>
      </div>
    );
  } else {
    body = <p className="text-sm text-slate-600">{t("unavailable")}</p>;
  }

  return (
    <Card title={t("title")} id="preview-title">
      <div className="flex flex-col gap-3">
        {body}
        {isFileMissing ? null : links}
      </div>
    </Card>
  );
}

/**
 * A UBL e-invoice's PDF (`?view=pdf`): framed like a PDF's preview on larger screens, a link on
 * phones, and labelled as Koppel's rendering when it is one, so nobody takes it for the original.
 */
async function UblPdfFrame({
  fileUrl,
  fileName,
  isRendering,
}: {
  fileUrl: string;
  fileName: string;
  isRendering: boolean;
}) {
  const t = await getTranslations("ublRendering.preview");
  const pdfUrl = `${fileUrl}?view=pdf`;
  const label = isRendering ? t("renderingLabel") : t("embeddedLabel");
  return (
    <div className="flex flex-col gap-2">
      <p className={isRendering ? "text-sm font-medium text-amber-800" : "text-sm text-slate-600"}>{label}</p>
      <iframe
        src={pdfUrl}
        title={`${t("title")}: ${fileName}`}
        className="hidden h-[70vh] min-h-96 w-full rounded-lg border border-slate-200 bg-slate-100 md:block"
      />
      <a
        href={pdfUrl}
        target="_blank"
        rel="noopener"
        className="inline-flex min-h-10 items-center self-start rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 md:hidden"
      >
        {t("title")}
      </a>
    </div>
  );
}

async function RecognisedFields({ detail, recognition }: { detail: DocumentDetail; recognition: RecognitionView }) {
  const t = await getTranslations("documents.detail.fields");
  const format = await getFormatter();
  const fields = detail.recognisedFields;
  const currency = fields.currency && /^[A-Z]{3}$/.test(fields.currency) ? fields.currency : "EUR";
  const rows: [string, ReactNode][] = [];
  if (fields.supplierName) rows.push([t("supplierName"), fields.supplierName]);
  if (fields.invoiceNumber) rows.push([t("invoiceNumber"), fields.invoiceNumber]);
  const day = (isoDate: string) => {
    const date = new Date(`${isoDate}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? isoDate : format.dateTime(date, { dateStyle: "medium", timeZone: "UTC" });
  };
  if (fields.invoiceDate) rows.push([t("invoiceDate"), day(fields.invoiceDate)]);
  if (fields.dueDate) rows.push([t("dueDate"), day(fields.dueDate)]);
  if (typeof fields.totalAmount === "number") {
    rows.push([t("totalAmount"), format.number(fields.totalAmount, { style: "currency", currency })]);
  }
  if (typeof fields.vatAmount === "number") {
    rows.push([t("vatAmount"), format.number(fields.vatAmount, { style: "currency", currency })]);
  }
  if (fields.vatNumber) rows.push([t("vatNumber"), fields.vatNumber]);
  if (detail.recognitionConfidence !== null) {
    rows.push([t("confidence"), format.number(detail.recognitionConfidence, { style: "percent" })]);
  }
  return (
    <Card title={t("title")} id="fields-title">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-1.5 text-sm">
        <dt className="text-slate-500">{t("type")}</dt>
        <dd className="text-slate-900">
          <DocumentTypeLabel type={detail.documentType} recognition={recognition} />
        </dd>
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd className="break-words text-slate-900 tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      {rows.length === 0 && detail.documentType === null ? (
        <p className="mt-3 text-sm text-slate-600">{t("none")}</p>
      ) : null}
    </Card>
  );
}

async function FileFacts({ detail }: { detail: DocumentDetail }) {
  const t = await getTranslations("documents.detail.file");
  const locale = await getLocale();
  const rows: [string, string][] = [
    [t("format"), detail.mimeType],
    [t("size"), formatFileSize(detail.sizeBytes, `${locale}-BE`)],
    [t("source"), t(`sources.${detail.source}`)],
  ];
  return (
    <Card title={t("title")} id="file-title">
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-1.5 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd className="break-words text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

async function History({ history }: { history: DispatchEntry[] }) {
  const t = await getTranslations("documents.detail.history");
  const tRoot = await getTranslations();
  const format = await getFormatter();
  const dateTime = (date: Date) =>
    format.dateTime(date, {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  const by = (entry: DispatchEntry) => {
    if (entry.requestedBy) return t("by.person", { name: entry.requestedBy.name ?? entry.requestedBy.email });
    return entry.trigger === "auto" || entry.trigger === "retry" ? t("by.system") : t("by.api");
  };
  const connectorName = (connector: string) =>
    connector === "email" ? tRoot("connectors.channels.email") : (findPackage(connector)?.name ?? connector);

  return (
    <section
      aria-labelledby="history-title"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
      data-testid="document-history"
    >
      <h2 id="history-title" className="mb-3 text-base font-semibold text-slate-900">
        {t("title")}
      </h2>
      {history.length === 0 ? (
        <p className="text-sm text-slate-600">{t("empty")}</p>
      ) : (
        <ol className="flex flex-col gap-4">
          {history.map((entry) => (
            <li key={entry.id} className="rounded-lg border border-slate-200">
              <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 bg-slate-50 px-3 py-2">
                <p className="text-sm font-medium text-slate-900">
                  {t("request", { trigger: t(`triggers.${entry.trigger}`), by: by(entry) })}
                  <span className="font-normal text-slate-500"> · {dateTime(entry.createdAt)}</span>
                </p>
                <Badge tone={DISPATCH_TONES[entry.status]}>{t(`dispatchStatus.${entry.status}`)}</Badge>
              </div>
              {entry.attempts.length === 0 ? (
                <p className="px-3 py-2 text-sm text-slate-600">{t("waiting")}</p>
              ) : (
                <ol className="divide-y divide-slate-100">
                  {entry.attempts.map((attempt) => {
                    const seconds =
                      attempt.finishedAt === null
                        ? null
                        : Math.max(0, (attempt.finishedAt.getTime() - attempt.startedAt.getTime()) / 1000);
                    const facts: [string, ReactNode][] = [
                      [t("columns.started"), dateTime(attempt.startedAt)],
                      [
                        t("columns.duration"),
                        seconds === null
                          ? t("none")
                          : t("seconds", {
                              // Most tries take well under a second: show tenths, never a bare "0 s".
                              seconds: format.number(Math.max(seconds, 0.1), {
                                minimumFractionDigits: seconds < 10 ? 1 : 0,
                                maximumFractionDigits: 1,
                              }),
                            }),
                      ],
                      [t("columns.connector"), connectorName(attempt.connector)],
                      [t("columns.target"), targetDetailsText(attempt.targetDescription) ?? t("none")],
                    ];
                    if (attempt.reason) {
                      facts.push([
                        t("columns.reason"),
                        <ReasonText key="reason" reason={attempt.reason} fallback="" />,
                      ]);
                    }
                    if (attempt.packageReference) facts.push([t("columns.reference"), attempt.packageReference]);
                    return (
                      <li key={attempt.id} className="flex flex-col gap-2 px-3 py-2.5" data-testid="attempt">
                        <div className="flex flex-wrap items-center gap-2">
                          <span className="text-sm font-medium text-slate-800">
                            {t("attempt", { number: attempt.number })}
                          </span>
                          <Badge tone={OUTCOME_TONES[attempt.outcome]}>{t(`outcomes.${attempt.outcome}`)}</Badge>
                        </div>
                        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_minmax(0,1fr)_auto_minmax(0,1fr)]">
                          {facts.map(([label, value]) => (
                            <div key={label} className="contents">
                              <dt className="text-slate-500">{label}</dt>
                              <dd className="break-words text-slate-900">{value}</dd>
                            </div>
                          ))}
                        </dl>
                      </li>
                    );
                  })}
                </ol>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
