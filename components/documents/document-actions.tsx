"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Fragment, useId, useState, useTransition } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { DOCUMENT_TYPES } from "@/lib/documents/document-types";
import type { AllowedDocumentActions } from "@/lib/documents/get";
import type { DocumentType } from "@/lib/documents/list";
import { useDocumentWorkspace } from "./document-workspace";

export type ActionTarget = {
  id: string;
  fileName: string;
  documentType: DocumentType | null;
  allowed: AllowedDocumentActions;
};

// The `btn` classes of app/globals.css: a row's buttons repeat in every row of the list.
const PRIMARY = "btn btn-primary";
const SECONDARY = "btn btn-secondary";
const DANGER = "btn btn-danger";

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
  // Compact (a row of the list): no wrapper of its own, the row's cell stacks the buttons, the
  // delete question and the error (`doc-buttons` and `doc-below` in app/globals.css).
  const Stack = isCompact ? Fragment : "div";
  return (
    <Stack {...(isCompact ? {} : { className: "flex flex-col gap-2" })}>
      {showTypeSelect && !isCompact ? <TypeSelect target={target} withButton /> : null}
      <div className={isCompact ? "doc-buttons" : "flex flex-wrap items-center gap-2"}>
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
            className={isCompact ? `${DANGER} btn-icon icon-trash` : `${DANGER} icon-trash`}
            disabled={isBusy}
            onClick={() => setIsConfirmingDelete(true)}
            aria-label={label(t("delete"))}
            title={t("delete")}
          >
            {isCompact ? null : t("delete")}
          </button>
        ) : null}
      </div>
      {allowed.delete && isConfirmingDelete ? (
        <fieldset
          className={`flex flex-wrap items-center gap-2 rounded-md bg-red-50 p-2 ring-1 ring-red-600/20 ring-inset ${isCompact ? "doc-below" : ""}`}
        >
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
        <p role="alert" className={isCompact ? "doc-below text-xs text-red-700" : "text-xs text-red-700"}>
          {error}
        </p>
      ) : null}
    </Stack>
  );
}
