"use client";

import { useId, useState, useTransition } from "react";
import { CopyButton } from "@/components/ui/copy-button";

const buttonClass =
  "inline-flex min-h-11 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

export type RevealableSecretLabels = { reveal: string; hide: string; hiddenValue: string; label: string };

/**
 * A secret masked until an admin asks for it: only then does `fetchSecret` (a server action) get
 * it, so it is never part of the page's HTML. Show/hide and copy share the one fetch. After a
 * rotation the parent gives it a new `key`, which forgets the old value.
 */
export function RevealableSecret({
  fetchSecret: fetchFromServer,
  labels,
  onError,
}: {
  /** The secret, or null when it could not be read (the caller has said why through onError). */
  fetchSecret: () => Promise<string | null>;
  labels: RevealableSecretLabels;
  onError?: (message: string | null) => void;
}) {
  const [secret, setSecret] = useState<string | null>(null);
  const [isShown, setIsShown] = useState(false);
  const [isPending, startTransition] = useTransition();
  const valueId = useId();

  async function fetchSecret(): Promise<string | null> {
    if (secret) return secret;
    const fetched = await fetchFromServer();
    if (fetched) setSecret(fetched);
    return fetched;
  }

  function toggle() {
    onError?.(null);
    if (isShown) {
      setIsShown(false);
      return;
    }
    startTransition(async () => {
      if (await fetchSecret()) setIsShown(true);
    });
  }

  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
      <code
        id={valueId}
        className="block min-w-0 flex-1 overflow-x-auto rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all text-slate-900 ring-1 ring-slate-200 ring-inset"
      >
        {isShown && secret ? (
          secret
        ) : (
          <>
            <span aria-hidden="true">{"•".repeat(24)}</span>
            <span className="sr-only">{labels.hiddenValue}</span>
          </>
        )}
      </code>
      <div className="flex shrink-0 flex-wrap items-center gap-2">
        <button
          type="button"
          onClick={toggle}
          disabled={isPending}
          aria-controls={valueId}
          aria-expanded={isShown}
          className={buttonClass}
        >
          {isShown ? labels.hide : labels.reveal}
        </button>
        <CopyButton getValue={fetchSecret} label={labels.label} />
      </div>
    </div>
  );
}
