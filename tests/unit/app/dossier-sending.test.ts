import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { type ComponentProps, createElement, type ReactElement, type ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { DocumentActions } from "@/components/documents/document-actions";
import { DocumentList } from "@/components/documents/document-list";
import { SelectionToolbar } from "@/components/documents/document-selection";
import { DocumentWorkspace } from "@/components/documents/document-workspace";
import { SendingOffNotice } from "@/components/documents/sending-off-notice";
import type { DocumentActionHandlers, DocumentRow } from "@/components/documents/types";
import type { AllowedDocumentActions } from "@/lib/documents/get";
import { documentSendingViewOf, sendingViewOf } from "@/lib/documents/sending-view";
import { LOCALES, type Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import type { IntegrationState } from "@/lib/portals/integration-state";
import { listRowsIn, renderInLocale } from "../../helpers/render-intl";

const DOSSIER_ID = "33333333-3333-4333-8333-333333333333";

// Rendering calls no action and moves nowhere: the handlers and the router only have to exist.
const refuse = async () => ({ ok: false as const, error: { code: "generic", messageKey: "generic" } });
const HANDLERS: DocumentActionHandlers = {
  send: refuse,
  setType: refuse,
  remove: refuse,
  archive: refuse,
  unarchive: refuse,
};
const ROUTER = {} as AppRouterInstance;

/** What the permission table and the life rules give an entrepreneur for an inbox and a failed document. */
const INBOX_ALLOWED: AllowedDocumentActions = {
  send: true,
  retry: false,
  sendAgain: false,
  type: true,
  delete: true,
  archive: false,
  unarchive: false,
  confirmNotDuplicate: false,
};
const FAILED_ALLOWED: AllowedDocumentActions = { ...INBOX_ALLOWED, send: false, retry: true };

function row(fileName: string, status: DocumentRow["status"], allowed: AllowedDocumentActions): DocumentRow {
  const id = `44444444-4444-4444-8444-${String(fileName.length).padStart(12, "0")}`;
  return {
    id,
    fileName,
    documentType: "purchase_invoice",
    status,
    createdAt: new Date("2026-03-01T10:00:00Z"),
    archivedAt: null,
    invoiceDate: "2026-02-27",
    supplierName: "Luminus",
    totalAmount: 121,
    currency: "EUR",
    lastErrorReason: status === "failed" ? "dispatch.errors.job_failed" : null,
    isEInvoice: false,
    autoSendSkipReason: status === "inbox" ? "integration_none" : null,
    importedAt: null,
    allowed,
    recognition: "recognised",
    href: `/dossiers/${DOSSIER_ID}/documents/${id}`,
  };
}

const ROWS = [row("factuur.pdf", "inbox", INBOX_ALLOWED), row("mislukt-document.pdf", "failed", FAILED_ALLOWED)];

const NONE: IntegrationState = { kind: "none" };
const FREE_EMAIL: IntegrationState = { kind: "free_email" };

/** A DocumentWorkspace around `children` (given as createElement's children, not as a prop). */
function workspace(documents: readonly DocumentRow[], ...children: ReactNode[]): ReactElement {
  // createElement's own children replace this empty one.
  const props: ComponentProps<typeof DocumentWorkspace> = {
    dossierId: DOSSIER_ID,
    documents,
    handlers: HANDLERS,
    children: null,
  };
  return createElement(
    AppRouterContext.Provider,
    { value: ROUTER },
    createElement(DocumentWorkspace, props, ...children),
  );
}

/** The dossier page's list as the page composes it: the sending view, the notice, the toolbar, the rows. */
function renderList(locale: Locale, integration: IntegrationState): string {
  const { rows, isSelectable, isSendingOff } = sendingViewOf(integration, ROWS, true);
  return renderInLocale(
    locale,
    workspace(
      rows,
      isSendingOff ? createElement(SendingOffNotice, { key: "notice" }) : null,
      isSelectable ? createElement(SelectionToolbar, { key: "toolbar", tab: "inbox", total: rows.length }) : null,
      createElement(DocumentList, { key: "list", rows: listRowsIn(locale, rows), selectable: isSelectable }),
    ),
  );
}

/** The document page's buttons and notice for the failed document. */
function renderDocument(locale: Locale, integration: IntegrationState): string {
  const failed = ROWS[1] as DocumentRow;
  const { allowed, isSendingOff } = documentSendingViewOf(integration, failed.allowed);
  return renderInLocale(
    locale,
    workspace(
      [failed],
      isSendingOff ? createElement(SendingOffNotice, { key: "notice" }) : null,
      createElement(DocumentActions, {
        key: "actions",
        target: { id: failed.id, fileName: failed.fileName, documentType: failed.documentType, allowed },
        variant: "full",
      }),
    ),
  );
}

/** How often a text occurs in some HTML (its entities read back as the characters they stand for). */
function occurrences(html: string, text: string): number {
  const decoded = html.replaceAll("&#x27;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");
  return decoded.split(text).length - 1;
}

describe('a dossier set to "no integration needed" shows no sending controls', () => {
  it.each(LOCALES)("its list has no Send, Retry or Send selected, and says why once (%s)", (locale) => {
    const t = MESSAGES[locale];
    const html = renderList(locale, NONE);
    expect(html).not.toContain(`>${t.documents.actions.send}<`);
    expect(html).not.toContain(`>${t.documents.actions.retry}<`);
    expect(html).not.toContain(t.documents.selection.sendSelected);
    expect(html).not.toContain('type="checkbox"');
    expect(occurrences(html, t.sendingOff.notice)).toBe(1);
    expect(occurrences(html, 'data-testid="sending-off"')).toBe(1);
    // The rows do not repeat it as their own "not sent automatically" line.
    expect(occurrences(html, t.dispatch.autoSendSkipped.integration_none)).toBe(0);
    // What is not sending stays: the delete buttons of both documents.
    expect(occurrences(html, `${t.documents.actions.delete}: `)).toBeGreaterThanOrEqual(2);
  });

  it.each(LOCALES)("a dossier that sends keeps Send, Retry, Send selected and no notice (%s)", (locale) => {
    const t = MESSAGES[locale];
    const html = renderList(locale, FREE_EMAIL);
    expect(html).toContain(`>${t.documents.actions.send}<`);
    expect(html).toContain(`>${t.documents.actions.retry}<`);
    expect(html).toContain(t.documents.selection.sendSelected);
    expect(html).toContain('type="checkbox"');
    expect(occurrences(html, t.sendingOff.notice)).toBe(0);
  });

  it.each(LOCALES)("its document page has no Retry, and says why (%s)", (locale) => {
    const t = MESSAGES[locale];
    const none = renderDocument(locale, NONE);
    expect(none).not.toContain(`>${t.documents.actions.retry}<`);
    expect(occurrences(none, t.sendingOff.notice)).toBe(1);
    const sends = renderDocument(locale, FREE_EMAIL);
    expect(sends).toContain(`>${t.documents.actions.retry}<`);
    expect(occurrences(sends, t.sendingOff.notice)).toBe(0);
  });

  it("says nothing where there was nothing to send", () => {
    const sent = row("verzonden.pdf", "sent", { ...INBOX_ALLOWED, send: false, archive: true });
    expect(sendingViewOf(NONE, [sent], false).isSendingOff).toBe(false);
    expect(documentSendingViewOf(NONE, sent.allowed).isSendingOff).toBe(false);
  });
});
