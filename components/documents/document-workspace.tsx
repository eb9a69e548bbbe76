"use client";

import { useRouter } from "next/navigation";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { SendableTab } from "@/lib/dispatch/schemas";
import { type SendWholeTabTotals, sendWholeTab } from "./send-whole-tab";
import type { DocumentActionHandlers, LiveDocumentState } from "./types";

/**
 * A document the workspace knows by name (a row of the list, or the document of its page). `href`
 * defaults to the document's page in the workspace's dossier (the list leaves it out: it is the
 * same path for every row).
 */
export type WorkspaceDocument = { id: string; fileName: string; href?: string; status: LiveDocumentState["status"] };

/** A document named in a send's answer, with its page. */
export type NamedDocument = Required<Pick<WorkspaceDocument, "id" | "fileName" | "href" | "status">>;

export type SendOutcome = {
  trigger: "manual" | "bulk" | "retry";
  accepted: NamedDocument[];
  refused: { document: NamedDocument; reason: string }[];
};

/** The answer to "send all N in this tab": counts only (the server never lists the documents). */
export type SendAllOutcome = SendWholeTabTotals & { tab: SendableTab };

type Workspace = {
  dossierId: string;
  /** The ids of the documents on screen, in order (the list's rows: what "select all" takes). */
  ids: readonly string[];
  handlers: DocumentActionHandlers;
  /** Ids ticked for "Send selected". */
  selected: ReadonlySet<string>;
  toggle(id: string, isSelected: boolean): void;
  selectAll(ids: readonly string[], isSelected: boolean): void;
  /** "Select all N in this tab": set while the whole tab (not only the page) is chosen. */
  allInTab: { tab: SendableTab; total: number } | null;
  selectAllInTab(tab: SendableTab, total: number): void;
  clearSelection(): void;
  /** Sends the whole tab (the server resolves it), batch after batch, and remembers the counts. */
  sendAllInTab(): Promise<void>;
  lastSendAll: SendAllOutcome | null;
  dismissLastSendAll(): void;
  /** Sends and remembers the answer per document; null while nothing was sent from this view. */
  send(ids: readonly string[], trigger: SendOutcome["trigger"]): Promise<void>;
  isSending: boolean;
  /** A send that failed as a whole (not per document): the message key under "errors". */
  sendError: string | null;
  lastSend: SendOutcome | null;
  dismissLastSend(): void;
  /** The freshest known status of a document (from polling), else the one the page rendered. */
  statusOf(id: string): LiveDocumentState | undefined;
};

const WorkspaceContext = createContext<Workspace | null>(null);

export function useDocumentWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useDocumentWorkspace outside DocumentWorkspace");
  return workspace;
}

/** Polling: every 2 s at first, then slower while a delivery waits for a retry. */
function pollDelay(watchingForMs: number): number {
  if (watchingForMs < 60_000) return 2_000;
  if (watchingForMs < 5 * 60_000) return 5_000;
  return 15_000;
}

/**
 * The state the document components share on one page: the selection, the answer to the last
 * send, and live statuses. While a visible document (or one just sent) is `sending`, it polls the
 * dossier's small status endpoint and refreshes the page (router.refresh) whenever a status
 * changes, so each document is seen to end Sent or Failed without a reload; it stops as soon as
 * none is sending.
 */
export function DocumentWorkspace({
  dossierId,
  documents,
  handlers,
  children,
}: {
  dossierId: string;
  /** What the page shows now (rows of the list, or the one document of its page). */
  documents: readonly WorkspaceDocument[];
  handlers: DocumentActionHandlers;
  children: ReactNode;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [allInTab, setAllInTab] = useState<{ tab: SendableTab; total: number } | null>(null);
  const [lastSend, setLastSend] = useState<SendOutcome | null>(null);
  const [lastSendAll, setLastSendAll] = useState<SendAllOutcome | null>(null);
  const [isSending, setIsSending] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const [live, setLive] = useState<ReadonlyMap<string, LiveDocumentState>>(new Map());

  const byId = useMemo(() => new Map(documents.map((document) => [document.id, document])), [documents]);
  const ids = useMemo(() => documents.map((document) => document.id), [documents]);
  // Latest values for the polling loop and the send callback, without restarting them.
  const byIdRef = useRef(byId);
  byIdRef.current = byId;

  // "All in this tab" was chosen for the rows on screen: another page (or tab) drops it.
  const pageKey = useMemo(() => [...byId.keys()].sort().join(","), [byId]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the page's rows change, not on every refresh.
  useEffect(() => {
    setAllInTab(null);
  }, [pageKey]);

  // A row that left the page (deleted, moved to another tab) cannot stay selected.
  useEffect(() => {
    setSelected((current) => {
      const kept = [...current].filter((id) => byId.has(id));
      return kept.length === current.size ? current : new Set(kept);
    });
  }, [byId]);

  const statusOf = useCallback(
    (id: string): LiveDocumentState | undefined => {
      const known = live.get(id);
      if (known) return known;
      const document = byId.get(id) ?? lastSend?.accepted.find((entry) => entry.id === id);
      return document ? { id, status: document.status, lastErrorReason: null } : undefined;
    },
    [live, byId, lastSend],
  );

  // What to watch: documents shown as sending, and those just accepted until they are known to have ended.
  const watchKey = useMemo(() => {
    const ids = new Set<string>();
    for (const document of documents) if (document.status === "sending") ids.add(document.id);
    for (const document of lastSend?.accepted ?? []) {
      const known = live.get(document.id);
      if (!known || known.status === "sending") ids.add(document.id);
    }
    return [...ids].sort().join(",");
  }, [documents, lastSend, live]);

  const liveRef = useRef(live);
  liveRef.current = live;
  useEffect(() => {
    if (!watchKey) return;
    let isStopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const startedAt = Date.now();
    const tick = async () => {
      try {
        const response = await fetch(`/api/dossiers/${dossierId}/documents/status?ids=${watchKey}`, {
          cache: "no-store",
        });
        if (isStopped) return;
        if (response.ok) {
          const body = (await response.json()) as { documents: LiveDocumentState[] };
          const previous = liveRef.current;
          let hasChanged = false;
          let isNew = false;
          const next = new Map(previous);
          for (const state of body.documents) {
            const known = previous.get(state.id);
            if ((known?.status ?? byIdRef.current.get(state.id)?.status) !== state.status) hasChanged = true;
            if (known?.status !== state.status || known.lastErrorReason !== state.lastErrorReason) isNew = true;
            next.set(state.id, state);
          }
          // A watched document that is gone (deleted meanwhile) is no longer watched.
          const answered = new Set(body.documents.map((state) => state.id));
          for (const id of watchKey.split(",")) {
            if (!answered.has(id) && !next.has(id)) {
              next.set(id, { id, status: "inbox", lastErrorReason: null });
              isNew = true;
            }
          }
          if (isNew) setLive(next);
          if (hasChanged) router.refresh();
          if (body.documents.every((state) => state.status !== "sending")) return;
        }
      } catch {
        // Offline for a moment: try again on the next tick.
      }
      if (!isStopped) timer = setTimeout(tick, pollDelay(Date.now() - startedAt));
    };
    timer = setTimeout(tick, pollDelay(0));
    return () => {
      isStopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [watchKey, dossierId, router]);

  const send = useCallback(
    async (ids: readonly string[], trigger: SendOutcome["trigger"]) => {
      if (ids.length === 0) return;
      setIsSending(true);
      setSendError(null);
      try {
        const result = await handlers.send({ dossierId, documentIds: [...ids], trigger });
        if (!result.ok) {
          setSendError(result.error.messageKey);
          return;
        }
        const named = (id: string): NamedDocument => {
          const known = byIdRef.current.get(id);
          if (!known) return { id, fileName: id, href: "#", status: "inbox" };
          const { fileName, status } = known;
          return { id, fileName, status, href: known.href ?? `/dossiers/${dossierId}/documents/${id}` };
        };
        const accepted = result.accepted.map((id) => ({ ...named(id), status: "sending" as const }));
        setLive((current) => {
          const next = new Map(current);
          for (const document of accepted)
            next.set(document.id, { id: document.id, status: "sending", lastErrorReason: null });
          return next;
        });
        setLastSendAll(null);
        setLastSend({
          trigger,
          accepted,
          refused: result.refused.map((entry) => ({ document: named(entry.documentId), reason: entry.reason })),
        });
        setSelected(new Set());
      } catch {
        setSendError("generic");
      } finally {
        setIsSending(false);
      }
    },
    [handlers, dossierId],
  );

  const sendAllInTab = useCallback(async () => {
    const choice = allInTab;
    if (!choice || !handlers.sendAll) return;
    setIsSending(true);
    setSendError(null);
    setLastSend(null);
    try {
      const sent = await sendWholeTab(handlers.sendAll, { dossierId, tab: choice.tab });
      if (!sent.ok) {
        setSendError(sent.messageKey);
        return;
      }
      setLastSendAll({ tab: choice.tab, ...sent.totals });
      setSelected(new Set());
      setAllInTab(null);
    } finally {
      setIsSending(false);
    }
  }, [allInTab, handlers, dossierId]);

  const workspace: Workspace = {
    dossierId,
    ids,
    handlers,
    selected,
    toggle: (id, isSelected) => {
      // Unticking one row is no longer "all in this tab".
      if (!isSelected) setAllInTab(null);
      setSelected((current) => {
        const next = new Set(current);
        if (isSelected) next.add(id);
        else next.delete(id);
        return next;
      });
    },
    selectAll: (ids, isSelected) => {
      if (!isSelected) setAllInTab(null);
      setSelected(isSelected ? new Set(ids) : new Set());
    },
    allInTab,
    selectAllInTab: (tab, total) => setAllInTab({ tab, total }),
    clearSelection: () => {
      setAllInTab(null);
      setSelected(new Set());
    },
    sendAllInTab,
    lastSendAll,
    dismissLastSendAll: () => setLastSendAll(null),
    send,
    isSending,
    sendError,
    lastSend,
    dismissLastSend: () => setLastSend(null),
    statusOf,
  };
  return <WorkspaceContext.Provider value={workspace}>{children}</WorkspaceContext.Provider>;
}
