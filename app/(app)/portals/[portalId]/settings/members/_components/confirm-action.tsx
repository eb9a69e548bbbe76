"use client";

import { type ReactNode, useEffect, useId, useRef, useState, useTransition } from "react";

export const secondaryButtonClass =
  "inline-flex min-h-11 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

export const dangerButtonClass =
  "inline-flex min-h-11 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-red-700 shadow-xs hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-60";

/**
 * A button that asks first, in place (as the API keys' revoke does): the question and its safe
 * "cancel", which gets the focus; "confirm" runs `run`, which answers an error to show or null.
 * On success the page's data comes back revalidated by the server action, so this just closes.
 */
export function ConfirmAction({
  label,
  srLabel,
  title,
  body,
  confirmLabel,
  pendingLabel,
  cancelLabel,
  run,
  buttonClassName = dangerButtonClass,
  isDisabled = false,
}: {
  label: ReactNode;
  /** Said after the label to screen readers (whose row this is). */
  srLabel?: string;
  title: string;
  body: string;
  confirmLabel: string;
  pendingLabel: string;
  cancelLabel: string;
  run: () => Promise<string | null>;
  buttonClassName?: string;
  isDisabled?: boolean;
}) {
  const [isConfirming, setIsConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (isConfirming) cancelRef.current?.focus();
  }, [isConfirming]);

  function cancel() {
    setIsConfirming(false);
    // Back to the button that opened the question, so keyboard users keep their place.
    requestAnimationFrame(() => openRef.current?.focus());
  }

  function confirm() {
    setError(null);
    startTransition(async () => {
      const failure = await run();
      if (failure) {
        setError(failure);
        return;
      }
      setIsConfirming(false);
    });
  }

  return (
    <div className="flex min-w-0 flex-col gap-2">
      {isConfirming ? (
        <div
          role="alertdialog"
          aria-labelledby={`${id}-title`}
          aria-describedby={`${id}-body`}
          className="rounded-lg bg-amber-50 p-3 text-left ring-1 ring-amber-600/20 ring-inset sm:max-w-sm"
        >
          <p id={`${id}-title`} className="text-sm font-semibold break-words text-amber-950">
            {title}
          </p>
          <p id={`${id}-body`} className="mt-1 text-sm text-amber-900">
            {body}
          </p>
          <div className="mt-3 flex flex-col-reverse gap-2 sm:flex-row">
            <button
              type="button"
              onClick={confirm}
              disabled={isPending}
              className="inline-flex min-h-11 items-center justify-center rounded-md bg-red-600 px-3 py-2 text-sm font-medium text-white shadow-xs hover:bg-red-700 disabled:opacity-60"
            >
              {isPending ? pendingLabel : confirmLabel}
            </button>
            <button
              ref={cancelRef}
              type="button"
              onClick={cancel}
              disabled={isPending}
              className={secondaryButtonClass}
            >
              {cancelLabel}
            </button>
          </div>
        </div>
      ) : (
        <button
          ref={openRef}
          type="button"
          disabled={isDisabled}
          onClick={() => {
            setError(null);
            setIsConfirming(true);
          }}
          className={buttonClassName}
        >
          {label}
          {srLabel ? <span className="sr-only"> {srLabel}</span> : null}
        </button>
      )}
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
