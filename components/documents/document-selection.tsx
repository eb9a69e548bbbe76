"use client";

import { useTranslations } from "next-intl";
import type { SendableTab } from "@/lib/dispatch/schemas";
import { useDocumentWorkspace } from "./document-workspace";

// The selection bars above and below the document list: the rows they select are the workspace's.

const SEND_BUTTON =
  "inline-flex min-h-11 items-center justify-center gap-2 rounded-md bg-brand-600 px-4 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:opacity-50";

/**
 * How many of these rows are ticked, and "Send selected" for them; once "all N in this tab" is
 * chosen, N and "Send all N", which names the tab to the server, never the ids.
 */
function SelectionCount() {
  const t = useTranslations("documents.selection");
  const tAll = useTranslations("sendAll");
  const { ids, selected, send, isSending, allInTab, sendAllInTab } = useDocumentWorkspace();
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
  const ticked = ids.filter((id) => selected.has(id));
  return (
    <div className="flex items-center gap-3">
      <span className="text-sm text-slate-600 tabular-nums" aria-live="polite">
        {t("selectedCount", { count: ticked.length })}
      </span>
      <button
        type="button"
        disabled={ticked.length === 0 || isSending}
        onClick={() => send(ticked, "bulk")}
        className={SEND_BUTTON}
      >
        {isSending ? t("sending") : t("sendSelected")}
      </button>
    </div>
  );
}

function useSelectedCount(): number {
  const { ids, selected } = useDocumentWorkspace();
  return ids.filter((id) => selected.has(id)).length;
}

/**
 * Above the list: select all on this page; while nothing is selected also the count and a
 * disabled "Send selected" (once something is, they move to the SelectionSendBar below the list,
 * which stays on screen). Every row can be ticked (also one without a type): the answer then says
 * per document why it was refused. When the whole page is ticked and the tab holds more, the offer
 * to take all `total` of the tab (Gmail's way), and once taken, the way back.
 */
export function SelectionToolbar({ tab, total }: { tab: SendableTab; total: number }) {
  const t = useTranslations("documents.selection");
  const { ids, selectAll } = useDocumentWorkspace();
  const count = useSelectedCount();
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
        {count > 0 ? null : <SelectionCount />}
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
export function SelectionSendBar() {
  if (useSelectedCount() === 0) return null;
  return (
    <div
      data-testid="selection-send-bar"
      className="sticky bottom-0 z-20 -mx-4 flex justify-end border-t border-slate-200 bg-white/95 px-4 pt-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] shadow-[0_-4px_12px_rgb(15_23_42/0.08)] backdrop-blur supports-[backdrop-filter]:bg-white/85 sm:bottom-4 sm:mx-0 sm:rounded-xl sm:border sm:pb-2"
    >
      <SelectionCount />
    </div>
  );
}
