"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { revokeApiKeyAction } from "../actions";

const buttonClass =
  "inline-flex min-h-11 items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

/**
 * Revoke, after a confirmation. Stays mounted when the list comes back with the key revoked, to
 * say it worked; renders nothing for keys that are no longer active otherwise. The server refuses
 * anyone but the office's admins anyway (lib/api-keys/service.ts).
 */
export function RevokeApiKeyButton({
  portalId,
  keyId,
  name,
  isActive,
}: {
  portalId: string;
  keyId: string;
  name: string;
  isActive: boolean;
}) {
  const t = useTranslations("apiKeys.revoke");
  const errorMessage = useErrorMessage();
  const [isConfirming, setIsConfirming] = useState(false);
  const [isDone, setIsDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const confirmId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  // The safe choice gets the focus when the question appears.
  useEffect(() => {
    if (isConfirming) cancelRef.current?.focus();
  }, [isConfirming]);

  function cancel() {
    setIsConfirming(false);
    // Back to the button that opened the question, so keyboard users keep their place.
    requestAnimationFrame(() => openRef.current?.focus());
  }

  function revoke() {
    setError(null);
    startTransition(async () => {
      const result = await revokeApiKeyAction(portalId, keyId);
      if (!result.ok) {
        setError(errorMessage(result.error.messageKey));
        return;
      }
      setIsConfirming(false);
      setIsDone(true);
    });
  }

  if (!isActive && !isDone) return null;

  return (
    <div className="mt-4 border-t border-slate-100 pt-4">
      {isDone ? (
        <p role="status" className="text-sm text-emerald-800">
          {t("done", { name })}
        </p>
      ) : isConfirming ? (
        <div
          role="alertdialog"
          aria-labelledby={`${confirmId}-title`}
          aria-describedby={`${confirmId}-body`}
          className="rounded-lg bg-amber-50 p-4 ring-1 ring-amber-600/20 ring-inset"
        >
          <p id={`${confirmId}-title`} className="text-sm font-semibold break-words text-amber-950">
            {t("confirmTitle", { name })}
          </p>
          <p id={`${confirmId}-body`} className="mt-1 text-sm text-amber-900">
            {t("confirmBody")}
          </p>
          <div className="mt-3 flex flex-col-reverse gap-2 sm:flex-row">
            <button
              type="button"
              onClick={revoke}
              disabled={isPending}
              className="inline-flex min-h-11 items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-red-700 disabled:opacity-60"
            >
              {isPending ? t("revoking") : t("confirm")}
            </button>
            <button ref={cancelRef} type="button" onClick={cancel} disabled={isPending} className={buttonClass}>
              {t("cancel")}
            </button>
          </div>
        </div>
      ) : (
        <button
          ref={openRef}
          type="button"
          onClick={() => {
            setError(null);
            setIsConfirming(true);
          }}
          className={`${buttonClass} w-full text-red-700 hover:bg-red-50 sm:w-auto`}
        >
          {t("button")}
          <span className="sr-only"> {name}</span>
        </button>
      )}
      {error ? (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
