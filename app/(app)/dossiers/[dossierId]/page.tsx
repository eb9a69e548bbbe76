import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { cache } from "react";
import { DocumentList } from "@/components/documents/document-list";
import { DocumentPagination } from "@/components/documents/document-pagination";
import { SelectionSendBar, SelectionToolbar } from "@/components/documents/document-selection";
import { DocumentTabs } from "@/components/documents/document-tabs";
import { DocumentWorkspace } from "@/components/documents/document-workspace";
import { toListRows } from "@/components/documents/list-rows";
import { RecognitionRefresh } from "@/components/documents/recognition-refresh";
import { SendResults } from "@/components/documents/send-results";
import { SendingOffNotice } from "@/components/documents/sending-off-notice";
import type { DocumentActionHandlers, DocumentRow } from "@/components/documents/types";
import { UploadForm } from "@/components/documents/upload-form";
import { ClientMessages } from "@/components/ui/client-messages";
import { EmptyState } from "@/components/ui/empty-state";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { SENDABLE_TABS, type SendableTab } from "@/lib/dispatch/schemas";
import { listWaitingStates, waitingLine } from "@/lib/dispatch/waiting-state";
import { allowedActionsOf, listDocumentStates } from "@/lib/documents/get";
import { countDocumentsByTab, DOCUMENT_PAGE_SIZE, listDocuments } from "@/lib/documents/list";
import { type DocumentTab, firstString, parseDocumentListSearch } from "@/lib/documents/schemas";
import { sendingViewOf } from "@/lib/documents/sending-view";
import { getDossierOverview } from "@/lib/dossiers/get";
import { msUntilRecognitionViewChanges, recognitionViewOf } from "@/lib/recognition/pending";
import { hasRecognitionStep } from "@/lib/recognition/step";
import { parseShareOutcome } from "@/lib/share/outcome";
import { AutoSendSetting } from "./_components/auto-send-setting";
import { DossierHeader } from "./_components/dossier-header";
import { ShareOutcomeNotice } from "./_components/share-outcome";
import {
  archiveDocumentAction,
  deleteDocumentAction,
  sendAllInTabAction,
  sendDocumentsAction,
  setDocumentTypeAction,
  unarchiveDocumentAction,
} from "./actions";

/** The server actions the document components call. */
const HANDLERS: DocumentActionHandlers = {
  send: sendDocumentsAction,
  sendAll: sendAllInTabAction,
  setType: setDocumentTypeAction,
  remove: deleteDocumentAction,
  archive: archiveDocumentAction,
  unarchive: unarchiveDocumentAction,
};

/**
 * Tabs whose documents can be sent (again): they get checkboxes, "Send selected", and, past one
 * page, "Select all N in this tab". Send is the only bulk action of the list: archive, delete and
 * retype are per document (archive is for sent documents, whose tab has no checkboxes).
 */
const isSelectableTab = (tab: DocumentTab): tab is SendableTab => (SENDABLE_TABS as readonly string[]).includes(tab);

type Props = {
  params: Promise<{ dossierId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** Shared by the metadata and the page within one request. */
const loadOverview = cache(async (dossierId: string) => {
  const actor = await requireActor();
  return getDossierOverview(await getDb(), actor, dossierId);
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { dossierId } = await params;
  const overview = await orNotFound(loadOverview(dossierId));
  return { title: overview.name };
}

export default function DossierPage(props: Props) {
  return (
    <ClientMessages area="dossierDocuments">
      <DossierPageContent {...props} />
    </ClientMessages>
  );
}

async function DossierPageContent({ params, searchParams }: Props) {
  const { dossierId } = await params;
  // Unknown tabs and bad cursors fall back to the first page of the Inbox; never an error.
  const search = await searchParams;
  const { tab, cursor, direction } = parseDocumentListSearch(search);
  // Files shared from a phone landed here (app/(app)/share): say what became of them.
  const shareOutcome = parseShareOutcome(search);
  const actor = await requireActor();
  const db = await getDb();
  const [overview, page, counts, t] = await Promise.all([
    orNotFound(loadOverview(dossierId)),
    orNotFound(listDocuments(db, actor, { dossierId, tab, cursor, direction, limit: DOCUMENT_PAGE_SIZE })),
    orNotFound(countDocumentsByTab(db, actor, { dossierId })),
    getTranslations(),
  ]);

  const basePath = `/dossiers/${overview.id}`;
  const scope = { portalId: overview.portalId, dossierId: overview.id };
  const tabPath = tab === "inbox" ? `${basePath}?` : `${basePath}?tab=${tab}&`;
  // One more round for what the list rows do not carry: why a document was not auto-sent and what
  // the actor may do with it; documents that wait out an outage (and until when); whether the office
  // has a recognition step.
  const [stateRows, waiting, hasRecognition, format] = await Promise.all([
    listDocumentStates(
      db,
      actor,
      overview.id,
      page.items.map((item) => item.id),
    ),
    listWaitingStates(
      db,
      scope,
      page.items.filter((item) => item.status === "sending").map((item) => item.id),
    ),
    hasRecognitionStep(db, actor, scope),
    getFormatter(),
  ]);
  const states = new Map(stateRows.map((state) => [state.id, state]));
  const waitingTextOf = (id: string) => {
    const view = waiting.get(id);
    return view
      ? waitingLine(view, {
          t,
          time: (date) => format.dateTime(date, { timeStyle: "short" }),
          since: (date) => format.dateTime(date, { dateStyle: "short", timeStyle: "short" }),
        })
      : null;
  };
  // "Being recognised" or "pick a type" for a document without one: decided on the server's clock now.
  const recognition = { hasRecognitionStep: hasRecognition, now: new Date() };
  const listed: DocumentRow[] = page.items.map((item) => {
    const state = states.get(item.id);
    return {
      ...item,
      recognition: recognitionViewOf(item, recognition),
      autoSendSkipReason: state?.autoSendSkipReason ?? null,
      importedAt: state?.importedAt ?? null,
      possibleDuplicateOf: state?.possibleDuplicateOf ?? null,
      allowed: state?.allowed ?? allowedActionsOf(actor, scope, item),
      href: `${basePath}/documents/${item.id}`,
      waitingText: waitingTextOf(item.id),
    };
  });
  // "Send selected" is a bulk send: document.send, like the buttons it stands for. A dossier set to
  // "no integration needed" gets no sending controls, and one line that says why.
  const { rows, isSelectable, isSendingOff } = sendingViewOf(
    overview.integration,
    listed,
    isSelectableTab(tab) && listed.length > 0 && can(actor, "document.send", scope),
  );
  // The browser gets each row once, formatted and trimmed (ListRow): the list and the workspace share
  // the one array, which the page's payload then carries once.
  const listRows = toListRows(rows, format);
  return (
    <div className="flex flex-col gap-6">
      <DossierHeader overview={overview} active="documents" isEditing={firstString(search.edit) === "1"} />

      <section aria-labelledby="documents-title" className="flex flex-col gap-4">
        <h2 id="documents-title" className="sr-only">
          {t("documents.title")}
        </h2>
        {shareOutcome ? <ShareOutcomeNotice outcome={shareOutcome} /> : null}
        {can(actor, "document.upload", scope) ? (
          <UploadForm
            dossierId={overview.id}
            documentsPath={`${basePath}/documents`}
            hasRecognitionStep={recognition.hasRecognitionStep}
          />
        ) : null}
        <DocumentWorkspace dossierId={overview.id} documents={listRows} handlers={HANDLERS}>
          <DocumentTabs basePath={basePath} activeTab={tab} counts={counts} />
          <SendResults />
          {isSendingOff ? <SendingOffNotice /> : null}
          {isSelectable && isSelectableTab(tab) ? <SelectionToolbar tab={tab} total={counts[tab]} /> : null}
          {rows.length > 0 ? (
            <DocumentList rows={listRows} selectable={isSelectable} />
          ) : (
            <EmptyState title={t(`documents.empty.${tab}.title`)} body={t(`documents.empty.${tab}.body`)} />
          )}
          {isSelectable ? <SelectionSendBar /> : null}
          <RecognitionRefresh msUntilChange={msUntilRecognitionViewChanges(page.items, recognition)} />
        </DocumentWorkspace>
        <DocumentPagination
          newerHref={page.newerCursor ? `${tabPath}before=${page.newerCursor}` : null}
          olderHref={page.olderCursor ? `${tabPath}after=${page.olderCursor}` : null}
        />
      </section>

      {can(actor, "dossier.autoSend", scope) ? (
        <section
          id="dossier-settings"
          aria-labelledby="dossier-settings-title"
          className="scroll-mt-20 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
        >
          <h2 id="dossier-settings-title" className="mb-3 text-base font-semibold text-slate-900">
            {t("dossier.settings.title")}
          </h2>
          <AutoSendSetting dossierId={overview.id} isEnabled={overview.isAutoSendEnabled} />
        </section>
      ) : null}
    </div>
  );
}
