"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import type { AllowedDocumentActions } from "@/lib/documents/get";
import type { DocumentType } from "@/lib/documents/list";
import { DOCUMENT_TYPES } from "@/lib/documents/schemas";
import { useDocumentWorkspace } from "./document-workspace";

export type ActionTarget = {
  id: string;
  fileName: string;
  documentType: DocumentType | null;
  allowed: AllowedDocumentActions;
};

const PRIMARY =
  "inline-flex min-h-10 items-center justify-center gap-1.5 rounded-md bg-brand-600 px-3 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:opacity-60";
const SECONDARY =
  "inline-flex min-h-10 items-center justify-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium whitespace-nowrap text-slate-800 shadow-xs hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:opacity-60";
const DANGER =
  "inline-flex min-h-10 items-center justify-center gap-1.5 rounded-md border border-red-200 bg-white px-3 text-sm font-medium whitespace-nowrap text-red-700 shadow-xs hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-500 disabled:opacity-60";

/** The type by hand: a select with the six types. In the list it saves on choice; on the page with a button. */
export function TypeSelect({ target, withButton = false }: { target: ActionTarget; withButton?: boolean }) {
  const t = useTranslations("documents");
  const { dossierId, handlers } = useDocumentWorkspace();
  const errorMessage = useErrorMessage();
  const [value, setValue] = useState<string>(target.documentType ?? "");
  const [error, setError] = useState<string | null>(null);
  const [isPending, startTransition] = useTransition();
  const id = useId();

  const save = (documentType: string) => {
    if (!(DOCUMENT_TYPES as readonly string[]).includes(documentType)) return;
    setError(null);
    startTransition(async () => {
      const result = await handlers.setType({
        dossierId,
        documentId: target.id,
        documentType: documentType as DocumentType,
      });
      if (!result.ok) setError(errorMessage(result.error.messageKey));
    });
  };

  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className={withButton ? "text-sm font-medium text-slate-700" : "sr-only"}>
          {t("actions.typeLabel", { fileName: target.fileName })}
        </label>
        <select
          id={id}
          value={value}
          disabled={isPending}
          onChange={(event) => {
            setValue(event.target.value);
            if (!withButton) save(event.target.value);
          }}
          className="min-h-10 max-w-full rounded-md border border-slate-300 bg-white py-1.5 pr-8 pl-2.5 text-sm text-slate-900 shadow-xs focus-visible:outline-2 focus-visible:outline-brand-500 disabled:opacity-60"
        >
          {target.documentType === null ? (
            <option value="" disabled>
              {t("actions.chooseType")}
            </option>
          ) : null}
          {DOCUMENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`types.${type}`)}
            </option>
          ))}
        </select>
        {withButton ? (
          <button
            type="button"
            className={SECONDARY}
            disabled={isPending || value === "" || value === target.documentType}
            onClick={() => save(value)}
          >
            {isPending ? t("actions.saving") : t("actions.saveType")}
          </button>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The buttons a document gets where it stands: Send (inbox, with a type), Retry (failed), Send again
 * (rejected), the type by hand for a document without one, Archive / Un-archive (sent), Delete
 * (inbox, failed, rejected; asks first). Only what the rules allow is shown; the server checks again.
 * `full` (the document page) also shows the type select for documents that have a type.
 */
export function DocumentActions({
  target,
  variant = "compact",
  onDeleted,
}: {
  target: ActionTarget;
  variant?: "compact" | "full";
  onDeleted?: () => void;
}) {
  const t = useTranslations("documents.actions");
  const workspace = useDocumentWorkspace();
  const { dossierId, handlers } = workspace;
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [isConfirmingDelete, setIsConfirmingDelete] = useState(false);
  const [isPending, startTransition] = useTransition();
  const { allowed } = target;
  const isBusy = isPending || workspace.isSending;

  const run = (
    action: (input: {
      dossierId: string;
      documentId: string;
    }) => Promise<{ ok: boolean; error?: { messageKey: string } }>,
    after?: () => void,
  ) => {
    setError(null);
    startTransition(async () => {
      const result = await action({ dossierId, documentId: target.id });
      if (!result.ok) setError(errorMessage(result.error?.messageKey));
      else after?.();
    });
  };
  const send = (trigger: "manual" | "retry") => {
    setError(null);
    startTransition(() => workspace.send([target.id], trigger));
  };
  const label = (text: string) => `${text}: ${target.fileName}`;

  const showTypeSelect = allowed.type && (variant === "full" || target.documentType === null);
  const hasAnything =
    allowed.send ||
    allowed.retry ||
    allowed.sendAgain ||
    allowed.archive ||
    allowed.unarchive ||
    allowed.delete ||
    showTypeSelect;
  if (!hasAnything) return null;

  const isCompact = variant === "compact";
  return (
    <div className="flex flex-col gap-2">
      {showTypeSelect && !isCompact ? <TypeSelect target={target} withButton /> : null}
      <div className={`flex flex-wrap items-center gap-2 ${isCompact ? "md:flex-nowrap md:justify-end" : ""}`}>
        {showTypeSelect && isCompact ? <TypeSelect target={target} /> : null}
        {(
          [
            { key: "send", isShown: allowed.send, className: PRIMARY, onClick: () => send("manual") },
            { key: "retry", isShown: allowed.retry, className: PRIMARY, onClick: () => send("retry") },
            { key: "sendAgain", isShown: allowed.sendAgain, className: PRIMARY, onClick: () => send("manual") },
            { key: "archive", isShown: allowed.archive, className: SECONDARY, onClick: () => run(handlers.archive) },
            {
              key: "unarchive",
              isShown: allowed.unarchive,
              className: SECONDARY,
              onClick: () => run(handlers.unarchive),
            },
          ] as const
        )
          .filter((action) => action.isShown)
          .map((action) => (
            <button
              key={action.key}
              type="button"
              className={action.className}
              disabled={isBusy}
              onClick={action.onClick}
              aria-label={label(t(action.key))}
            >
              {t(action.key)}
            </button>
          ))}
        {allowed.delete && !isConfirmingDelete ? (
          <button
            type="button"
            className={isCompact ? `${DANGER} w-10 px-0` : DANGER}
            disabled={isBusy}
            onClick={() => setIsConfirmingDelete(true)}
            aria-label={label(t("delete"))}
            title={t("delete")}
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4">
              <path
                fill="currentColor"
                d="M8.75 1.5A1.75 1.75 0 0 0 7 3.25V4H3.75a.75.75 0 0 0 0 1.5h.3l.85 10.6A2 2 0 0 0 6.9 18h6.2a2 2 0 0 0 2-1.9l.85-10.6h.3a.75.75 0 0 0 0-1.5H13v-.75A1.75 1.75 0 0 0 11.25 1.5h-2.5ZM11.5 4v-.75a.25.25 0 0 0-.25-.25h-2.5a.25.25 0 0 0-.25.25V4h3ZM8.25 8a.75.75 0 0 1 .75.75v5.5a.75.75 0 0 1-1.5 0v-5.5A.75.75 0 0 1 8.25 8Zm4.25.75a.75.75 0 0 0-1.5 0v5.5a.75.75 0 0 0 1.5 0v-5.5Z"
              />
            </svg>
            {isCompact ? null : t("delete")}
          </button>
        ) : null}
      </div>
      {allowed.delete && isConfirmingDelete ? (
        <fieldset className="flex flex-wrap items-center gap-2 rounded-md bg-red-50 p-2 ring-1 ring-red-600/20 ring-inset">
          <legend className="float-left mr-1 text-sm text-red-900">{t("confirmDelete")}</legend>
          <button
            type="button"
            className={DANGER}
            disabled={isBusy}
            onClick={() =>
              run(handlers.remove, () => {
                setIsConfirmingDelete(false);
                if (onDeleted) onDeleted();
                else router.refresh();
              })
            }
          >
            {t("confirmDeleteYes")}
          </button>
          <button type="button" className={SECONDARY} disabled={isBusy} onClick={() => setIsConfirmingDelete(false)}>
            {t("confirmDeleteNo")}
          </button>
        </fieldset>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
