"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { DocumentStatus } from "@/lib/documents/list";
import { DocumentActions } from "./document-actions";
import { DocumentTypeLabel } from "./document-type-label";
import { useDocumentWorkspace } from "./document-workspace";
import { FailureReason } from "./failure-reason";
import { allowedFromKeys } from "./list-rows";
import { DocumentStatusBadge } from "./status-badge";
import type { ListRow } from "./types";
import { useAutoSendSkipText } from "./use-reason-text";

/**
 * Under the status: why a document failed or was refused by the package; for an inbox document
 * without a type that nothing will recognise, the request to pick one; that it is held as a
 * possible duplicate; why a recognised inbox document was not sent automatically.
 */
function StatusReason({ row, status, reason }: { row: ListRow; status: DocumentStatus; reason: string | null }) {
  const t = useTranslations();
  const skipText = useAutoSendSkipText();
  if (status === "failed" || status === "rejected") {
    return (
      <div className="doc-reason">
        <FailureReason status={status} reason={reason} />
      </div>
    );
  }
  if (status === "sending" && row.waitingText) {
    return (
      <div className="doc-reason">
        <p className="rounded-md bg-amber-50 px-2.5 py-1.5 text-xs text-amber-950" data-testid="document-waiting">
          {row.waitingText}
        </p>
      </div>
    );
  }
  // No type, and none is coming from the recognition step: whoever may set it is asked to.
  if (
    status === "inbox" &&
    row.documentType === null &&
    row.recognition === "pickType" &&
    row.allowed.includes("type")
  ) {
    return (
      <div className="doc-reason">
        <p className="text-xs font-medium text-yellow-900">{t("documents.recognition.pickType")}</p>
      </div>
    );
  }
  const skip = status === "inbox" ? skipText(row.autoSendSkipReason) : null;
  if (!row.isPossibleDuplicate) return skip ? <p className="doc-reason doc-note">{skip}</p> : null;
  return (
    <div className="doc-reason">
      <span
        className="inline-flex w-fit items-center rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900"
        data-testid="possible-duplicate-badge"
      >
        {t("duplicates.badge")}
      </span>
      {skip ? <p className="doc-note">{skip}</p> : null}
    </div>
  );
}

function Missing() {
  const t = useTranslations("documents");
  return (
    <span className="doc-missing">
      <span aria-hidden="true">—</span>
      <span className="sr-only">{t("noValue")}</span>
    </span>
  );
}

/** A row's tick box: the box stays 20 px, its label is the 44 × 44 px touch target. */
function RowCheckbox({ row }: { row: ListRow }) {
  const t = useTranslations("documents.selection");
  const { selected, toggle } = useDocumentWorkspace();
  return (
    <label data-touch-target>
      <input
        type="checkbox"
        checked={selected.has(row.id)}
        onChange={(event) => toggle(row.id, event.target.checked)}
        aria-label={t("select", { fileName: row.fileName })}
      />
    </label>
  );
}

function DocumentListRow({ row, selectable }: { row: ListRow; selectable: boolean }) {
  const t = useTranslations("documents");
  const { dossierId, statusOf } = useDocumentWorkspace();
  // The status as the page rendered it, or fresher from the live updates (a send just accepted, a
  // delivery that ended); the buttons only while it is the rendered one.
  const live = statusOf(row.id);
  const status = live?.status ?? row.status;
  const reason = live && live.status !== row.status ? live.lastErrorReason : (row.lastErrorReason ?? null);
  return (
    <tr data-document-id={row.id} className={row.supplierName || row.amount ? undefined : "doc-bare"}>
      {selectable ? (
        <td className="doc-check">
          <RowCheckbox row={row} />
        </td>
      ) : null}
      <td className="doc-name">
        {/* No prefetch: fifty rows would each fetch their document's page while the list is read. */}
        <Link href={`/dossiers/${dossierId}/documents/${row.id}`} title={row.fileName} prefetch={false}>
          {row.fileName}
        </Link>
      </td>
      <td className="doc-type">
        <DocumentTypeLabel type={row.documentType} recognition={row.recognition} />
      </td>
      <td
        className={row.isReceivedDate ? "doc-date doc-date-received" : "doc-date"}
        title={t(`dateSource.${row.isReceivedDate ? "received" : "document"}`)}
      >
        {row.date}
      </td>
      <td className="doc-party">
        {row.supplierName ? <span title={row.supplierName}>{row.supplierName}</span> : <Missing />}
      </td>
      <td className="doc-amount">{row.amount ?? <Missing />}</td>
      <td className="doc-status">
        <span className="doc-badges">
          <DocumentStatusBadge status={status} />
          {status === "sent" && row.isImported ? <Badge tone="brand">{t("imported")}</Badge> : null}
        </span>
        <StatusReason row={row} status={status} reason={reason} />
      </td>
      <td className="doc-actions">
        {status === row.status ? (
          <DocumentActions
            target={{
              id: row.id,
              fileName: row.fileName,
              documentType: row.documentType,
              allowed: allowedFromKeys(row.allowed),
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}

/**
 * A page of documents: one table, shown as a table from the `md` breakpoint up and as stacked
 * cards on phones (the `doc-*` classes of app/globals.css), so each document is in the page once.
 * Each row links to its document page, shows its live status with the reason, and the buttons its
 * rules allow; `selectable` adds the checkboxes for "Send selected". The rows come formatted and
 * trimmed (ListRow, components/documents/list-rows.ts). Lives inside a DocumentWorkspace.
 */
export function DocumentList({ rows, selectable }: { rows: readonly ListRow[]; selectable: boolean }) {
  const t = useTranslations("documents");
  return (
    <div className="doc-list">
      <table>
        <thead>
          <tr>
            {selectable ? (
              <th scope="col" className="doc-check">
                <span className="sr-only">{t("selection.column")}</span>
              </th>
            ) : null}
            <th scope="col">{t("columns.fileName")}</th>
            <th scope="col">{t("columns.type")}</th>
            <th scope="col">{t("columns.date")}</th>
            <th scope="col">{t("columns.counterparty")}</th>
            <th scope="col" className="text-right">
              {t("columns.amount")}
            </th>
            <th scope="col">{t("columns.status")}</th>
            <th scope="col">
              <span className="sr-only">{t("columns.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <DocumentListRow key={row.id} row={row} selectable={selectable} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
