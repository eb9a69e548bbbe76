"use client";

import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { revealRecognitionSecretAction } from "../actions";

const buttonClass =
  "inline-flex min-h-9 shrink-0 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";

/**
 * The secret, masked until an admin asks for it: only then does a server action fetch it, so it is
 * never part of the page's HTML.
 */
export function SecretField({ portalId }: { portalId: string }) {
  const t = useTranslations("recognition.secret");
  const errorMessage = useErrorMessage();
  const [secret, setSecret] = useState<string | null>(null);
  const [isShown, setIsShown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const valueId = useId();

  async function fetchSecret(): Promise<string | null> {
    if (secret) return secret;
    const result = await revealRecognitionSecretAction(portalId);
    if (!result.ok) {
      setError(errorMessage(result.error.messageKey));
      return null;
    }
    setSecret(result.secret);
    return result.secret;
  }

  function toggle() {
    setError(null);
    if (isShown) {
      setIsShown(false);
      return;
    }
    startTransition(async () => {
      if (await fetchSecret()) setIsShown(true);
    });
  }

  return (
    <div>
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
              <span className="sr-only">{t("hiddenValue")}</span>
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
            {isShown ? t("hide") : t("reveal")}
          </button>
          <CopyButton getValue={fetchSecret} label={t("label")} />
        </div>
      </div>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
