"use client";

import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { removeDossierClientAction, revokeDossierInvitationAction } from "../actions";
import { useAnnounce } from "./access-notice";

const outlineButtonClass =
  "inline-flex min-h-11 items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium shadow-xs disabled:cursor-not-allowed disabled:opacity-60 sm:min-h-9 sm:px-3";

export const secondaryButtonClass = `${outlineButtonClass} text-slate-800 hover:bg-slate-50`;
const dangerButtonClass = `${outlineButtonClass} text-red-700 hover:bg-red-50`;

type Target =
  | { kind: "removeClient"; dossierId: string; userId: string; name: string }
  | { kind: "revokeInvitation"; dossierId: string; invitationId: string; email: string };

/**
 * "Remove access" or "Revoke" an invitation, after a confirmation whose safe choice has the focus.
 * On success the lists come back without the row; the notice above them says it worked. The
 * server decides who may (lib/members/dossier-clients.ts), whatever this button shows.
 */
export function ConfirmAction({ target }: { target: Target }) {
  const tRemove = useTranslations("clients.clients.remove");
  const tRevoke = useTranslations("clients.invitations.revoke");
  const errorMessage = useErrorMessage();
  const announce = useAnnounce();
  const [isConfirming, setIsConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const confirmId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  const subject = target.kind === "removeClient" ? target.name : target.email;
  const text =
    target.kind === "removeClient"
      ? {
          button: tRemove("button"),
          title: tRemove("confirmTitle", { name: subject }),
          body: tRemove("confirmBody", { name: subject }),
          confirm: tRemove("confirm"),
          pending: tRemove("removing"),
          cancel: tRemove("cancel"),
          done: tRemove("done", { name: subject }),
        }
      : {
          button: tRevoke("button"),
          title: tRevoke("confirmTitle", { email: subject }),
          body: tRevoke("confirmBody"),
          confirm: tRevoke("confirm"),
          pending: tRevoke("revoking"),
          cancel: tRevoke("cancel"),
          done: tRevoke("done", { email: subject }),
        };

  useEffect(() => {
    if (isConfirming) cancelRef.current?.focus();
  }, [isConfirming]);

  function cancel() {
    setIsConfirming(false);
    requestAnimationFrame(() => openRef.current?.focus());
  }

  function confirm() {
    setError(null);
    startTransition(async () => {
      const result =
        target.kind === "removeClient"
          ? await removeDossierClientAction({ dossierId: target.dossierId, userId: target.userId })
          : await revokeDossierInvitationAction({ dossierId: target.dossierId, invitationId: target.invitationId });
      if (!result.ok) {
        setError(errorMessage(result.error.messageKey, result.error.messageValues));
        return;
      }
      setIsConfirming(false);
      announce(text.done);
    });
  }

  return (
    <div className="w-full sm:w-auto">
      {isConfirming ? (
        <div
          role="alertdialog"
          aria-labelledby={`${confirmId}-title`}
          aria-describedby={`${confirmId}-body`}
          className="rounded-lg bg-amber-50 p-4 ring-1 ring-amber-600/20 ring-inset"
        >
          <p id={`${confirmId}-title`} className="text-sm font-semibold break-words text-amber-950">
            {text.title}
          </p>
          <p id={`${confirmId}-body`} className="mt-1 text-sm text-amber-900">
            {text.body}
          </p>
          <div className="mt-3 flex flex-col-reverse gap-2 sm:flex-row">
            <button
              type="button"
              onClick={confirm}
              disabled={isPending}
              className="inline-flex min-h-11 items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-red-700 disabled:opacity-60 sm:min-h-9 sm:px-3"
            >
              {isPending ? text.pending : text.confirm}
            </button>
            <button
              ref={cancelRef}
              type="button"
              onClick={cancel}
              disabled={isPending}
              className={secondaryButtonClass}
            >
              {text.cancel}
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
          className={`${dangerButtonClass} w-full sm:w-auto`}
        >
          {text.button}
          <span className="sr-only"> ({subject})</span>
        </button>
      )}
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
