import { AppRouterContext, type AppRouterInstance } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { type ComponentProps, createElement } from "react";
import { describe, expect, it } from "vitest";
import { DocumentList } from "@/components/documents/document-list";
import { DocumentWorkspace } from "@/components/documents/document-workspace";
import type { DocumentActionHandlers, DocumentRow } from "@/components/documents/types";
import { UploadForm } from "@/components/documents/upload-form";
import { LOCALES, type Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import type { RecognitionView } from "@/lib/recognition/pending";
import { listRowsIn, renderInLocale } from "../../helpers/render-intl";

// What an upload without a type says in the list: "being recognised" while the office's step is
// expected to report it, else a request to pick the type; and what the upload's type picker promises.

const DOSSIER_ID = "33333333-3333-4333-8333-333333333333";
const refuse = async () => ({ ok: false as const, error: { code: "generic", messageKey: "generic" } });
const HANDLERS: DocumentActionHandlers = {
  send: refuse,
  setType: refuse,
  remove: refuse,
  archive: refuse,
  unarchive: refuse,
};
const ROUTER = {} as AppRouterInstance;

function untypedRow(recognition: RecognitionView, canType = true): DocumentRow {
  const id = "44444444-4444-4444-8444-000000000001";
  return {
    id,
    fileName: "scan-kasticket.pdf",
    documentType: null,
    status: "inbox",
    createdAt: new Date("2026-12-06T10:00:00Z"),
    archivedAt: null,
    invoiceDate: null,
    supplierName: null,
    totalAmount: null,
    currency: null,
    lastErrorReason: null,
    isEInvoice: false,
    autoSendSkipReason: null,
    importedAt: null,
    allowed: {
      send: false,
      retry: false,
      sendAgain: false,
      type: canType,
      delete: true,
      archive: false,
      unarchive: false,
      confirmNotDuplicate: false,
    },
    recognition,
    href: `/dossiers/${DOSSIER_ID}/documents/${id}`,
  };
}

function renderRow(locale: Locale, row: DocumentRow): string {
  // createElement's own children replace this empty one.
  const props: ComponentProps<typeof DocumentWorkspace> = {
    dossierId: DOSSIER_ID,
    documents: [row],
    handlers: HANDLERS,
    children: null,
  };
  return renderInLocale(
    locale,
    createElement(
      AppRouterContext.Provider,
      { value: ROUTER },
      createElement(
        DocumentWorkspace,
        props,
        createElement(DocumentList, { rows: listRowsIn(locale, [row]), selectable: true }),
      ),
    ),
  );
}

const decode = (html: string) => html.replaceAll("&#x27;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");

describe("an upload without a type, in the list", () => {
  it.each(LOCALES)("says it is being recognised while a report is expected, and asks for nothing (%s)", (locale) => {
    const t = MESSAGES[locale].documents;
    const html = decode(renderRow(locale, untypedRow("pending")));
    expect(html).toContain(t.types.recognitionPending);
    expect(html).not.toContain(`>${t.types.notRecognised}<`);
    expect(html).not.toContain(t.recognition.pickType);
  });

  it.each(LOCALES)("says it is not recognised and asks for its type when none is expected (%s)", (locale) => {
    const t = MESSAGES[locale].documents;
    const html = decode(renderRow(locale, untypedRow("pickType")));
    expect(html).toContain(t.types.notRecognised);
    expect(html).toContain(t.recognition.pickType);
    expect(html).not.toContain(t.types.recognitionPending);
  });

  it("does not ask someone who may not set the type", () => {
    const html = decode(renderRow("nl", untypedRow("pickType", false)));
    expect(html).not.toContain(MESSAGES.nl.documents.recognition.pickType);
  });
});

describe("the upload's type picker", () => {
  function picker(locale: Locale, hasRecognitionStep: boolean): string {
    return decode(
      renderInLocale(
        locale,
        createElement(
          AppRouterContext.Provider,
          { value: ROUTER },
          createElement(UploadForm, { dossierId: DOSSIER_ID, documentsPath: "/d", hasRecognitionStep }),
        ),
      ),
    );
  }

  it.each(LOCALES)("promises recognition only in an office with a recognition step (%s)", (locale) => {
    const t = MESSAGES[locale].documents.upload;
    expect(picker(locale, true)).toContain(`<option value="" selected="">${t.typeUnknown}</option>`);
    const without = picker(locale, false);
    expect(without).toContain(`<option value="" selected="">${t.typeLater}</option>`);
    expect(without).not.toContain(t.typeUnknown);
  });
});
