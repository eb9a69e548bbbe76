import { useFormatter, useTranslations } from "next-intl";
import type { DocumentListItem } from "@/lib/documents/list";
import { DocumentTypeLabel } from "./document-type-label";
import { DocumentStatusBadge } from "./status-badge";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/** The date on the document when recognition found one, else the day it arrived. */
function displayDate(item: DocumentListItem): { date: Date; source: "document" | "received" } {
  if (item.invoiceDate && DATE_ONLY.test(item.invoiceDate)) {
    const date = new Date(`${item.invoiceDate}T00:00:00Z`);
    if (!Number.isNaN(date.getTime())) return { date, source: "document" };
  }
  return { date: item.createdAt, source: "received" };
}

function useDocumentFormat() {
  const format = useFormatter();
  return {
    date(item: DocumentListItem) {
      const { date, source } = displayDate(item);
      // A document date is a calendar day: format it in UTC so no time zone shifts it.
      const text = format.dateTime(date, {
        day: "numeric",
        month: "short",
        year: "numeric",
        ...(source === "document" ? { timeZone: "UTC" } : {}),
      });
      return { text, source };
    },
    amount(item: DocumentListItem): string | null {
      if (item.totalAmount === null) return null;
      const currency = item.currency && CURRENCY_CODE.test(item.currency) ? item.currency : "EUR";
      return format.number(item.totalAmount, { style: "currency", currency });
    },
  };
}

function ErrorReason({ item }: { item: DocumentListItem }) {
  const t = useTranslations("documents");
  if (item.status !== "failed" && item.status !== "rejected") return null;
  return (
    <p
      className={`rounded-md px-2.5 py-1.5 text-xs ${
        item.status === "failed" ? "bg-red-50 text-red-800" : "bg-orange-50 text-orange-900"
      }`}
    >
      <span className="font-semibold">{t("reason")}: </span>
      {item.lastErrorReason ?? t("noReason")}
    </p>
  );
}

function Missing() {
  const t = useTranslations("documents");
  return (
    <span className="text-slate-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">{t("noValue")}</span>
    </span>
  );
}

/**
 * A page of documents: a table from the `md` breakpoint up, stacked cards on phones. Both are
 * rendered and CSS shows one, so the list needs no JavaScript.
 */
export function DocumentList({ items }: { items: DocumentListItem[] }) {
  return (
    <>
      <DocumentTable items={items} />
      <DocumentCards items={items} />
    </>
  );
}

function DocumentTable({ items }: { items: DocumentListItem[] }) {
  const t = useTranslations("documents");
  const format = useDocumentFormat();
  return (
    <div className="hidden overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm md:block">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-medium text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("columns.fileName")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("columns.type")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("columns.date")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("columns.counterparty")}
            </th>
            <th scope="col" className="px-4 py-2.5 text-right font-medium">
              {t("columns.amount")}
            </th>
            <th scope="col" className="px-4 py-2.5 font-medium">
              {t("columns.status")}
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((item) => {
            const date = format.date(item);
            const amount = format.amount(item);
            return (
              <tr key={item.id} className="align-top hover:bg-slate-50">
                <td className="max-w-64 px-4 py-3">
                  <span className="block truncate font-medium text-slate-900" title={item.fileName}>
                    {item.fileName}
                  </span>
                </td>
                <td className="px-4 py-3 text-slate-700">
                  <DocumentTypeLabel type={item.documentType} />
                </td>
                <td className="px-4 py-3 whitespace-nowrap text-slate-700 tabular-nums">
                  <span
                    title={t(`dateSource.${date.source}`)}
                    className={date.source === "received" ? "text-slate-500" : undefined}
                  >
                    {date.text}
                  </span>
                </td>
                <td className="max-w-56 px-4 py-3 text-slate-700">
                  {item.supplierName ? (
                    <span className="block truncate" title={item.supplierName}>
                      {item.supplierName}
                    </span>
                  ) : (
                    <Missing />
                  )}
                </td>
                <td className="px-4 py-3 text-right font-medium whitespace-nowrap text-slate-900 tabular-nums">
                  {amount ?? <Missing />}
                </td>
                <td className="w-72 px-4 py-3">
                  <div className="flex flex-col items-start gap-1.5">
                    <DocumentStatusBadge status={item.status} />
                    <ErrorReason item={item} />
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function DocumentCards({ items }: { items: DocumentListItem[] }) {
  const t = useTranslations("documents");
  const format = useDocumentFormat();
  return (
    <ul className="flex flex-col gap-3 md:hidden">
      {items.map((item) => {
        const date = format.date(item);
        const amount = format.amount(item);
        return (
          <li key={item.id} className="flex flex-col gap-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            <div className="flex items-start justify-between gap-3">
              <p className="min-w-0 font-medium break-words text-slate-900">{item.fileName}</p>
              <div className="shrink-0">
                <DocumentStatusBadge status={item.status} />
              </div>
            </div>
            {item.supplierName || amount ? (
              <div className="flex items-baseline justify-between gap-3">
                <p className="min-w-0 truncate text-slate-700">{item.supplierName ?? <Missing />}</p>
                <p className="shrink-0 text-base font-semibold text-slate-900 tabular-nums">{amount ?? <Missing />}</p>
              </div>
            ) : null}
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-500">
              <DocumentTypeLabel type={item.documentType} />
              <span aria-hidden="true">·</span>
              <span title={t(`dateSource.${date.source}`)} className="tabular-nums">
                {date.text}
              </span>
            </div>
            <ErrorReason item={item} />
          </li>
        );
      })}
    </ul>
  );
}
