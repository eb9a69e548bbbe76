import type { createFormatter } from "next-intl";
import type { AllowedDocumentActions } from "@/lib/documents/get";
import type { DocumentListItem } from "@/lib/documents/list";
import type { DocumentRow, ListRow } from "./types";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

type Formatter = Pick<ReturnType<typeof createFormatter>, "dateTime" | "number">;

/** The date on the document when recognition found one, else the day it arrived. */
function displayDate(item: DocumentListItem): { date: Date; source: "document" | "received" } {
  if (item.invoiceDate && DATE_ONLY.test(item.invoiceDate)) {
    const date = new Date(`${item.invoiceDate}T00:00:00Z`);
    if (!Number.isNaN(date.getTime())) return { date, source: "document" };
  }
  return { date: item.createdAt, source: "received" };
}

/** The keys of the actions that are allowed. */
export function allowedKeys(allowed: AllowedDocumentActions): (keyof AllowedDocumentActions)[] {
  return (Object.keys(allowed) as (keyof AllowedDocumentActions)[]).filter((key) => allowed[key]);
}

/** The actions object again from its allowed keys. */
export function allowedFromKeys(keys: readonly (keyof AllowedDocumentActions)[]): AllowedDocumentActions {
  return {
    send: keys.includes("send"),
    retry: keys.includes("retry"),
    sendAgain: keys.includes("sendAgain"),
    type: keys.includes("type"),
    delete: keys.includes("delete"),
    archive: keys.includes("archive"),
    unarchive: keys.includes("unarchive"),
    confirmNotDuplicate: keys.includes("confirmNotDuplicate"),
  };
}

/**
 * The list's rows as the browser gets them (ListRow): dates and amounts formatted here, in the
 * request's language and time zone, and only the fields a row shows.
 */
export function toListRows(rows: readonly DocumentRow[], format: Formatter): ListRow[] {
  return rows.map((row) => {
    const { date, source } = displayDate(row);
    const currency = row.currency && CURRENCY_CODE.test(row.currency) ? row.currency : "EUR";
    const listRow: ListRow = {
      id: row.id,
      fileName: row.fileName,
      status: row.status,
      documentType: row.documentType,
      // A document date is a calendar day: format it in UTC so no time zone shifts it.
      date: format.dateTime(date, {
        day: "numeric",
        month: "short",
        year: "numeric",
        ...(source === "document" ? { timeZone: "UTC" } : {}),
      }),
      supplierName: row.supplierName,
      amount: row.totalAmount === null ? null : format.number(row.totalAmount, { style: "currency", currency }),
      allowed: allowedKeys(row.allowed),
    };
    if (row.documentType === null) listRow.recognition = row.recognition;
    if (source === "received") listRow.isReceivedDate = true;
    if (row.status === "sent" && row.importedAt) listRow.isImported = true;
    if (row.possibleDuplicateOf) listRow.isPossibleDuplicate = true;
    if ((row.status === "failed" || row.status === "rejected") && row.lastErrorReason) {
      listRow.lastErrorReason = row.lastErrorReason;
    }
    if (row.status === "inbox" && row.autoSendSkipReason) listRow.autoSendSkipReason = row.autoSendSkipReason;
    if (row.status === "sending" && row.waitingText) listRow.waitingText = row.waitingText;
    return listRow;
  });
}
