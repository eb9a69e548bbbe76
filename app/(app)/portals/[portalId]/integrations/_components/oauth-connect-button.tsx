"use client";

import { useActionState } from "react";
import { startAuthorizationAction } from "../actions";
import { useConnectionErrorMessage } from "./use-connection-error";

/**
 * "Connect with <package>" / "Reconnect": a plain form, so it works before the page's script has
 * loaded too. The action sends the browser to the package; it comes back only with a refusal
 * (no rights, no OAuth app configured), shown under the button.
 */
export function OAuthConnectButton({
  portalId,
  connectionId,
  label,
  pendingLabel,
  isPrimary,
}: {
  portalId: string;
  connectionId: string;
  label: string;
  pendingLabel: string;
  isPrimary: boolean;
}) {
  const [failure, formAction, isPending] = useActionState(startAuthorizationAction, null);
  const errorMessage = useConnectionErrorMessage();
  return (
    <form action={formAction} className="flex flex-col gap-2">
      <input type="hidden" name="portalId" value={portalId} />
      <input type="hidden" name="connectionId" value={connectionId} />
      <button
        type="submit"
        disabled={isPending}
        className={`inline-flex min-h-9 items-center justify-center self-start rounded-md px-3 py-1.5 text-sm font-medium shadow-xs disabled:cursor-not-allowed disabled:opacity-60 ${
          isPrimary
            ? "bg-brand-600 text-white hover:bg-brand-700"
            : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50"
        }`}
      >
        {isPending ? pendingLabel : label}
      </button>
      {failure ? (
        <p role="alert" className="max-w-xl text-sm text-red-700">
          {errorMessage(failure.error.messageKey, failure.error.messageValues)}
        </p>
      ) : null}
    </form>
  );
}
