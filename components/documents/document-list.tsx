"use client";

import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { SendableTab } from "@/lib/dispatch/schemas";
import type { DocumentListItem } from "@/lib/documents/list";
import { DocumentActions } from "./document-actions";
import { DocumentTypeLabel } from "./document-type-label";
import { useDocumentWorkspace } from "./document-workspace";
import { DocumentStatusBadge } from "./status-badge";
import type { DocumentRow } from "./types";
import { useAutoSendSkipText, useReasonText } from "./use-reason-text";

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

/** Why a document failed or was refused by the package; why a recognised inbox document was not sent automatically. */
function StatusReason({ row, status }: { row: DocumentRow; status: DocumentListItem["status"] }) {
  const t = useTranslations("documents");
  const reasonText = useReasonText();
  const skipText = useAutoSendSkipText();
  const { statusOf } = useDocumentWorkspace();
  if (status === "failed" || status === "rejected") {
    const reason = statusOf(row.id)?.lastErrorReason ?? row.lastErrorReason;
    return (
      <p
        className={`rounded-md px-2.5 py-1.5 text-xs ${
          status === "failed" ? "bg-red-50 text-red-800" : "bg-orange-50 text-orange-900"
        }`}
      >
        <span className="font-semibold">{status === "rejected" ? t("packageReason") : t("reason")}: </span>
        {reasonText(reason) ?? t("noReason")}
      </p>
    );
  }
  if (status === "sending" && row.waitingText) {
    return (
      <p className="rounded-md bg-amber-50 px-2.5 py-1.5 text-xs text-amber-950" data-testid="document-waiting">
        {row.waitingText}
      </p>
    );
  }
  // No type, and none is coming from the recognition step: whoever may set it is asked to.
  if (status === "inbox" && row.documentType === null && row.recognition === "pickType" && row.allowed.type) {
    return <p className="text-xs font-medium text-yellow-900">{t("recognition.pickType")}</p>;
  }
  const skip = status === "inbox" ? skipText(row.autoSendSkipReason) : null;
  const badge = row.possibleDuplicateOf ? <PossibleDuplicateBadge /> : null;
  if (!skip) return badge;
  return (
    <>
      {badge}
      <p className="text-xs text-slate-500">{skip}</p>
    </>
  );
}

/** A document held as a possible duplicate of another one: not sent until a person decides. */
function PossibleDuplicateBadge() {
  const t = useTranslations("duplicates");
  return (
    <span
      className="inline-flex w-fit items-center rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900"
      data-testid="possible-duplicate-badge"
    >
      {t("badge")}
    </span>
  );
}

/** The status as the page rendered it, or fresher from the live updates. */
function useRowStatus(row: DocumentRow): DocumentListItem["status"] {
  return useDocumentWorkspace().statusOf(row.id)?.status ?? row.status;
}

/**
 * A row's tick box: the box stays 20 px, its label is the 44 × 44 px touch target (negative margins
 * keep the row's layout as it was).
 */
function RowCheckbox({ row, className }: { row: DocumentRow; className: string }) {
  const t = useTranslations("documents.selection");
  const { selected, toggle } = useDocumentWorkspace();
  return (
    <label
      data-touch-target
      className={`flex size-11 shrink-0 cursor-pointer items-center justify-center ${className}`}
    >
      <input
        type="checkbox"
        checked={selected.has(row.id)}
        onChange={(event) => toggle(row.id, event.target.checked)}
        aria-label={t("select", { fileName: row.fileName })}
        className="size-5 cursor-pointer rounded border-slate-300 accent-brand-600"
      />
    </label>
  );
}

const SEND_BUTTON =
  "inline-flex min-h-11 items-center justify-center gap-2 rounded-md bg-brand-600 px-4 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:opacity-50";

/**
 * How many of these rows are ticked, and "Send selected" for them; once "all N in this tab" is
 * chosen, N and "Send all N", which names the tab to the server, never the ids.
 */
function SelectionCount({ rows }: { rows: DocumentRow[] }) {
  const t = useTranslations("documents.selection");
  const tAll = useTranslations("sendAll");
  const { selected, send, isSending, allInTab, sendAllInTab } = useDocumentWorkspace();
  const ids = rows.map((row) => row.id).filter((id) => selected.has(id));
  if (allInTab) {
    return (
      <div className="flex items-center gap-3">
        <span className="text-sm text-slate-600 tabular-nums" aria-live="polite">
          {t("selectedCount", { count: allInTab.total })}
        </span>
        <button type="button" disabled={isSending} onClick={() => sendAllInTab()} className={SEND_BUTTON}>
          {isSending ? tAll("sending") : tAll("send", { count: allInTab.total })}
        </button>
      </div>
    );
  }
  return (
    <div className="flex items-center gap-3">
      <span className="text-sm text-slate-600 tabular-nums" aria-live="polite">
        {t("selectedCount", { count: ids.length })}
      </span>
      <button
        type="button"
        disabled={ids.length === 0 || isSending}
        onClick={() => send(ids, "bulk")}
        className={SEND_BUTTON}
      >
        {isSending ? t("sending") : t("sendSelected")}
      </button>
    </div>
  );
}

function useSelectedCount(rows: DocumentRow[]): number {
  const { selected } = useDocumentWorkspace();
  return rows.filter((row) => selected.has(row.id)).length;
}

/**
 * Above the list: select all on this page; while nothing is selected also the count and a
 * disabled "Send selected" (once something is, they move to the SelectionSendBar below the list,
 * which stays on screen). Every row can be ticked (also one without a type): the answer then says
 * per document why it was refused. When the whole page is ticked and the tab holds more, the offer
 * to take all `total` of the tab (Gmail's way), and once taken, the way back.
 */
export function SelectionToolbar({ rows, tab, total }: { rows: DocumentRow[]; tab: SendableTab; total: number }) {
  const t = useTranslations("documents.selection");
  const { selectAll } = useDocumentWorkspace();
  const ids = rows.map((row) => row.id);
  const count = useSelectedCount(rows);
  const isAllSelected = ids.length > 0 && count === ids.length;
  return (
    <div className="flex flex-col overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-1.5">
        <label
          data-touch-target
          className="flex min-h-11 cursor-pointer items-center gap-3 text-sm font-medium text-slate-800"
        >
          <input
            type="checkbox"
            checked={isAllSelected}
            ref={(input) => {
              if (input) input.indeterminate = count > 0 && !isAllSelected;
            }}
            onChange={(event) => selectAll(ids, event.target.checked)}
            className="size-5 cursor-pointer rounded border-slate-300 accent-brand-600"
          />
          {t("selectAll", { count: ids.length })}
        </label>
        {count > 0 ? null : <SelectionCount rows={rows} />}
      </div>
      {isAllSelected && total > ids.length ? <SelectAllInTab pageCount={ids.length} tab={tab} total={total} /> : null}
    </div>
  );
}

/** "All 50 on this page are selected. Select all 1,234 in Inbox" — or, once chosen, "Clear selection". */
function SelectAllInTab({ pageCount, tab, total }: { pageCount: number; tab: SendableTab; total: number }) {
  const t = useTranslations("sendAll");
  const tabs = useTranslations("documents.tabs");
  const { allInTab, selectAllInTab, clearSelection, isSending } = useDocumentWorkspace();
  const isChosen = allInTab?.tab === tab;
  return (
    <p
      data-testid="select-all-in-tab"
      aria-live="polite"
      className="flex flex-wrap items-center justify-center gap-x-2 gap-y-1 border-t border-slate-200 bg-brand-50 px-4 py-2 text-center text-sm text-slate-800"
    >
      <span>
        {isChosen
          ? t("allSelected", { count: allInTab.total, tab: tabs(tab) })
          : t("pageSelected", { count: pageCount })}
      </span>
      <button
        type="button"
        disabled={isSending}
        onClick={() => (isChosen ? clearSelection() : selectAllInTab(tab, total))}
        className="inline-flex min-h-11 items-center rounded-md px-2 font-semibold text-brand-700 underline-offset-2 hover:underline disabled:opacity-50"
      >
        {isChosen ? t("clear") : t("selectAll", { count: total, tab: tabs(tab) })}
      </button>
    </p>
  );
}

/**
 * Below the list, while something is selected: the count and "Send selected", sticky at the bottom
 * of the screen (above the phone's home indicator), so ticking a document low in a long list never
 * scrolls the button out of sight. When the list ends on screen it rests right under it.
 */
export function SelectionSendBar({ rows }: { rows: DocumentRow[] }) {
  if (useSelectedCount(rows) === 0) return null;
  return (
    <div
      data-testid="selection-send-bar"
      className="sticky bottom-0 z-20 -mx-4 flex justify-end border-t border-slate-200 bg-white/95 px-4 pt-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] shadow-[0_-4px_12px_rgb(15_23_42/0.08)] backdrop-blur supports-[backdrop-filter]:bg-white/85 sm:bottom-4 sm:mx-0 sm:rounded-xl sm:border sm:pb-2"
    >
      <SelectionCount rows={rows} />
    </div>
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
 * A page of documents: a table from the `md` breakpoint up, stacked cards on phones; both are
 * rendered and CSS shows one. Each row links to its document page, shows its live status with the
 * reason, and the buttons its rules allow; `selectable` adds the checkboxes for "Send selected".
 * Lives inside a DocumentWorkspace.
 */
export function DocumentList({ rows, selectable }: { rows: DocumentRow[]; selectable: boolean }) {
  return (
    <>
      <DocumentTable items={rows} selectable={selectable} />
      <DocumentCards items={rows} selectable={selectable} />
    </>
  );
}

/** Sent, and proved to be in the package by a read-back. */
function ImportedBadge({ row, status }: { row: DocumentRow; status: DocumentListItem["status"] }) {
  const t = useTranslations("documents");
  if (status !== "sent" || !row.importedAt) return null;
  return <Badge tone="brand">{t("imported")}</Badge>;
}

function RowStatus({ row }: { row: DocumentRow }) {
  const status = useRowStatus(row);
  return (
    <div className="flex flex-col items-start gap-1.5">
      <span className="flex flex-wrap items-center gap-1.5">
        <DocumentStatusBadge status={status} />
        <ImportedBadge row={row} status={status} />
      </span>
      <StatusReason row={row} status={status} />
    </div>
  );
}

/** The buttons of a row; none while it is being sent (the live status decides). */
function RowActions({ row }: { row: DocumentRow }) {
  const status = useRowStatus(row);
  if (status !== row.status) return null;
  return <DocumentActions target={row} />;
}

function DocumentTable({ items, selectable }: { items: DocumentRow[]; selectable: boolean }) {
  const t = useTranslations("documents");
  const format = useDocumentFormat();
  return (
    <div className="hidden overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm md:block">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-medium text-slate-500">
          <tr>
            {selectable ? (
              <th scope="col" className="w-12 py-2.5 pl-4">
                <span className="sr-only">{t("selection.column")}</span>
              </th>
            ) : null}
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
            <th scope="col" className="px-4 py-2.5 font-medium">
              <span className="sr-only">{t("columns.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.map((item) => {
            const date = format.date(item);
            const amount = format.amount(item);
            return (
              <tr key={item.id} data-document-id={item.id} className="align-middle hover:bg-slate-50">
                {selectable ? (
                  <td className="py-3 pl-4">
                    <RowCheckbox row={item} className="-m-3" />
                  </td>
                ) : null}
                <td className="max-w-56 px-4 py-3">
                  <Link
                    href={item.href}
                    className="block truncate font-medium text-slate-900 hover:text-brand-700 hover:underline"
                    title={item.fileName}
                  >
                    {item.fileName}
                  </Link>
                </td>
                <td className="px-4 py-3 text-slate-700">
                  <DocumentTypeLabel type={item.documentType} recognition={item.recognition} />
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
                <td className="w-64 px-4 py-3">
                  <RowStatus row={item} />
                </td>
                <td className="px-4 py-3">
                  <RowActions row={item} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function DocumentCards({ items, selectable }: { items: DocumentRow[]; selectable: boolean }) {
  const t = useTranslations("documents");
  const format = useDocumentFormat();
  return (
    <ul className="flex flex-col gap-3 md:hidden">
      {items.map((item) => {
        const date = format.date(item);
        const amount = format.amount(item);
        return (
          <li
            key={item.id}
            data-document-id={item.id}
            className="flex flex-col gap-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
          >
            <div className="flex items-start justify-between gap-3">
              <div className="flex min-w-0 items-start gap-3">
                {selectable ? <RowCheckbox row={item} className="-m-2.5" /> : null}
                <Link
                  href={item.href}
                  className="min-w-0 font-medium break-words text-slate-900 hover:text-brand-700 hover:underline"
                >
                  {item.fileName}
                </Link>
              </div>
              <div className="shrink-0">
                <CardStatusBadge row={item} />
              </div>
            </div>
            {item.supplierName || amount ? (
              <div className="flex items-baseline justify-between gap-3">
                <p className="min-w-0 truncate text-slate-700">{item.supplierName ?? <Missing />}</p>
                <p className="shrink-0 text-base font-semibold text-slate-900 tabular-nums">{amount ?? <Missing />}</p>
              </div>
            ) : null}
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-500">
              <DocumentTypeLabel type={item.documentType} recognition={item.recognition} />
              <span aria-hidden="true">·</span>
              <span title={t(`dateSource.${date.source}`)} className="tabular-nums">
                {date.text}
              </span>
            </div>
            <CardReason row={item} />
            <RowActions row={item} />
          </li>
        );
      })}
    </ul>
  );
}

function CardStatusBadge({ row }: { row: DocumentRow }) {
  const status = useRowStatus(row);
  return (
    <span className="flex flex-wrap justify-end gap-1.5">
      <DocumentStatusBadge status={status} />
      <ImportedBadge row={row} status={status} />
    </span>
  );
}

function CardReason({ row }: { row: DocumentRow }) {
  return <StatusReason row={row} status={useRowStatus(row)} />;
}
