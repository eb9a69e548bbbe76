"use client";

import { useRouter } from "next/navigation";
import { type ActionTarget, DocumentActions } from "@/components/documents/document-actions";
import { DocumentWorkspace } from "@/components/documents/document-workspace";
import { SendResults } from "@/components/documents/send-results";
import type { DocumentActionHandlers, LiveDocumentState } from "@/components/documents/types";
import {
  archiveDocumentAction,
  deleteDocumentAction,
  sendDocumentsAction,
  setDocumentTypeAction,
  unarchiveDocumentAction,
} from "../../../actions";

const HANDLERS: DocumentActionHandlers = {
  send: sendDocumentsAction,
  setType: setDocumentTypeAction,
  remove: deleteDocumentAction,
  archive: archiveDocumentAction,
  unarchive: unarchiveDocumentAction,
};

/**
 * The document page's buttons (type, send, retry, archive, delete) and the answer to a send. While
 * the document is being sent the page refreshes itself until it ends Sent or Failed; after a delete
 * it goes back to the dossier.
 */
export function DocumentControls({
  dossierId,
  target,
  status,
  href,
}: {
  dossierId: string;
  target: ActionTarget;
  status: LiveDocumentState["status"];
  href: string;
}) {
  const router = useRouter();
  return (
    <DocumentWorkspace
      dossierId={dossierId}
      documents={[{ id: target.id, fileName: target.fileName, href, status }]}
      handlers={HANDLERS}
    >
      <div className="flex flex-col gap-3">
        {status === "sending" ? null : (
          <DocumentActions target={target} variant="full" onDeleted={() => router.push(`/dossiers/${dossierId}`)} />
        )}
        <SendResults />
      </div>
    </DocumentWorkspace>
  );
}
