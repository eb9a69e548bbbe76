"use client";

import { useEffect, useId, useRef, useState, useTransition } from "react";
import { type ButtonSize, type ButtonTone, outlineButtonClass, solidButtonClass } from "@/components/ui/button-class";
import { useErrorMessage } from "@/components/ui/use-error-message";
import type { ActionResult } from "@/lib/actions/result";

/**
 * A button that asks first, in place: the question (an alertdialog) replaces the button, its safe
 * "cancel" gets the focus, and cancelling puts the focus back on the button. "Confirm" runs the
 * server action; a refusal is said under the question in the user's language and the question
 * stays, so they can try again or cancel. On success the question closes and `onDone` says what
 * follows (the page's data comes back revalidated by the action); `doneMessage` is said in place.
 * The server decides who may, whatever this button shows.
 */
export function ConfirmAction<T extends object>({
  label,
  srLabel,
  title,
  body,
  confirmLabel,
  pendingLabel,
  cancelLabel,
  tone = "danger",
  triggerTone = tone,
  size = "regular",
  action,
  onDone,
  doneMessage,
  className,
  triggerClassName,
  dialogClassName = "p-4",
}: {
  /** The button's words. */
  label: string;
  /** Said after the label to screen readers only: whose row this is. */
  srLabel?: string;
  /** The question; with `body`, its explanation. */
  title: string;
  body?: string;
  confirmLabel: string;
  /** The confirm button's words while the action runs (its own words when not given). */
  pendingLabel?: string;
  cancelLabel: string;
  /** The confirm button: red for what cannot be undone, the brand's colour otherwise. */
  tone?: ButtonTone;
  /** The button that opens the question: red words or slate ones (as `tone` unless given). */
  triggerTone?: ButtonTone;
  /** The buttons' size, the one the page's other buttons have. */
  size?: ButtonSize;
  action: () => Promise<ActionResult<T>>;
  onDone?: (result: { ok: true } & T) => void;
  /** Said under the button after a success, in a polite live region. */
  doneMessage?: (result: { ok: true } & T) => string;
  /** Where it sits in the page's layout. */
  className?: string;
  triggerClassName?: string;
  /** The question's padding and width (p-4 unless given). */
  dialogClassName?: string;
}) {
  const errorMessage = useErrorMessage();
  const [isConfirming, setIsConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  // The safe choice gets the focus when the question appears.
  useEffect(() => {
    if (isConfirming) cancelRef.current?.focus();
  }, [isConfirming]);

  function open() {
    setError(null);
    setDone(null);
    setIsConfirming(true);
  }

  function cancel() {
    setIsConfirming(false);
    // Back to the button that opened the question, so keyboard users keep their place.
    requestAnimationFrame(() => openRef.current?.focus());
  }

  function confirm() {
    setError(null);
    startTransition(async () => {
      const result = await action();
      if (!result.ok) {
        setError(errorMessage(result.error.messageKey, result.error.messageValues));
        return;
      }
      setIsConfirming(false);
      if (doneMessage) setDone(doneMessage(result));
      onDone?.(result);
    });
  }

  return (
    <div className={className}>
      {isConfirming ? (
        <div
          role="alertdialog"
          aria-labelledby={`${id}-title`}
          aria-describedby={body ? `${id}-body` : undefined}
          className={`rounded-lg bg-amber-50 ring-1 ring-amber-600/20 ring-inset ${dialogClassName}`}
        >
          <p id={`${id}-title`} className="text-sm font-semibold break-words text-amber-950">
            {title}
          </p>
          {body ? (
            <p id={`${id}-body`} className="mt-1 text-sm text-amber-900">
              {body}
            </p>
          ) : null}
          <div className="mt-3 flex flex-col-reverse gap-2 sm:flex-row">
            <button type="button" onClick={confirm} disabled={isPending} className={solidButtonClass(size, tone)}>
              {isPending ? (pendingLabel ?? confirmLabel) : confirmLabel}
            </button>
            <button
              ref={cancelRef}
              type="button"
              onClick={cancel}
              disabled={isPending}
              className={outlineButtonClass(size)}
            >
              {cancelLabel}
            </button>
          </div>
        </div>
      ) : (
        <button
          ref={openRef}
          type="button"
          onClick={open}
          className={`${outlineButtonClass(size, triggerTone)}${triggerClassName ? ` ${triggerClassName}` : ""}`}
        >
          {label}
          {srLabel ? <span className="sr-only"> {srLabel}</span> : null}
        </button>
      )}
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {doneMessage ? (
        <div aria-live="polite">
          {done ? (
            <p role="status" className="mt-2 text-sm text-emerald-800">
              {done}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
