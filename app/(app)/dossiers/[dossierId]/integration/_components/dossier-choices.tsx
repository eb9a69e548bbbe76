"use client";

import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import type { DossierChoice, DossierChoices } from "@/lib/connectors/types";
import { loadDossierChoicesAction } from "../actions";
import { useIntegrationMessage } from "./use-integration-message";

export type DossierChoicesState =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "loaded"; choices: DossierChoices; suggested: Record<string, string> }
  | { status: "failed"; messageKey: string };

/**
 * The package's lists for a connection's dossier fields, read when the form opens (the page itself
 * never asks the package) and again on `reload()`. `connectionId` null: nothing to read.
 */
export function useDossierChoices(
  dossierId: string,
  connectionId: string | null,
): { state: DossierChoicesState; reload: () => void } {
  const [state, setState] = useState<DossierChoicesState>(connectionId ? { status: "loading" } : { status: "idle" });
  // Only the latest request may answer: a slow first load must not overwrite a reload.
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    if (!connectionId) return;
    const request = ++latestRequest.current;
    setState({ status: "loading" });
    loadDossierChoicesAction(dossierId, connectionId).then(
      (answer) => {
        if (request !== latestRequest.current) return;
        if (!answer.ok) setState({ status: "failed", messageKey: answer.error.messageKey });
        else if (!answer.result.ok) setState({ status: "failed", messageKey: answer.result.messageKey });
        else setState({ status: "loaded", choices: answer.result.choices, suggested: answer.result.suggested });
      },
      () => {
        // The server could not be reached at all (offline, deploy in between).
        if (request === latestRequest.current) setState({ status: "failed", messageKey: "connectors.errors.network" });
      },
    );
  }, [dossierId, connectionId]);

  useEffect(() => {
    load();
    return () => {
      latestRequest.current++;
    };
  }, [load]);

  return { state, reload: load };
}

/** Above the fields: where the lists come from, that they are loading, or why they are not there. */
export function DossierChoicesStatus({
  state,
  packageName,
  onReload,
}: {
  state: DossierChoicesState;
  packageName: string;
  onReload: () => void;
}) {
  const t = useTranslations("integrations.form.choices");
  const message = useIntegrationMessage();
  if (state.status === "idle") return null;
  return (
    <div className="flex flex-col gap-2" aria-live="polite">
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <p className="text-sm text-slate-600">
          {state.status === "loading" ? t("loading", { package: packageName }) : t("source", { package: packageName })}
        </p>
        <button
          type="button"
          onClick={onReload}
          disabled={state.status === "loading"}
          className="inline-flex min-h-9 items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:opacity-60"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 text-slate-500">
            <path
              fill="currentColor"
              d="M15.3 4.7A7 7 0 0 0 3.1 9.2a.75.75 0 1 0 1.5.2 5.5 5.5 0 0 1 9.6-3.6h-1.7a.75.75 0 0 0 0 1.5h3.5c.4 0 .75-.34.75-.75V3a.75.75 0 0 0-1.5 0v1.7ZM16.9 10.8a.75.75 0 0 0-.84.65 5.5 5.5 0 0 1-9.6 3.6h1.7a.75.75 0 0 0 0-1.5H4.7a.75.75 0 0 0-.75.75V17a.75.75 0 0 0 1.5 0v-1.7a7 7 0 0 0 12.1-4.5.75.75 0 0 0-.65-.84Z"
            />
          </svg>
          {t("reload")}
        </button>
      </div>
      {state.status === "failed" ? (
        <div
          role="alert"
          className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset"
        >
          <p className="font-medium">{t("failed", { package: packageName })}</p>
          <p className="mt-0.5">{message(state.messageKey)}</p>
          <p className="mt-0.5">{t("typeInstead")}</p>
        </div>
      ) : null}
    </div>
  );
}

function choiceText(choice: DossierChoice): string {
  return choice.detail ? `${choice.label} — ${choice.detail}` : choice.label;
}

/**
 * One dossier field as a list to pick from (label and detail per choice). Starts at the stored (or
 * just submitted) value, else at the suggestion; a stored value the package no longer lists stays
 * selectable, so saving without touching it keeps it. While the list loads, the stored value
 * travels in a hidden field. Uncontrolled like the form's text inputs (React resets the form after
 * a save to the defaults): the caller keys it by `initialValue`, so a new default means a new select.
 */
export function ChoiceSelect({
  id,
  name,
  label,
  isRequired,
  hint,
  error,
  initialValue,
  choices,
  suggestedValue,
}: {
  id: string;
  name: string;
  label: string;
  isRequired: boolean;
  hint?: string;
  error?: string;
  initialValue: string;
  /** Null while loading. */
  choices: DossierChoice[] | null;
  suggestedValue: string | undefined;
}) {
  const t = useTranslations("integrations");
  const startValue = initialValue || suggestedValue || "";
  // Only for the "matches the VAT number" hint; the select itself is uncontrolled.
  const [value, setValue] = useState(startValue);
  const isLoading = choices === null;
  const isListed = (candidate: string) => choices?.some((choice) => choice.value === candidate) ?? false;
  const describedBy = [
    hint ? `${id}-hint` : null,
    !isLoading && suggestedValue && value === suggestedValue ? `${id}-suggested` : null,
    error ? `${id}-error` : null,
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}{" "}
        <span className="font-normal text-slate-500">({isRequired ? t("form.required") : t("form.optional")})</span>
      </label>
      <select
        id={id}
        name={isLoading ? undefined : name}
        defaultValue={isLoading ? "" : startValue}
        disabled={isLoading}
        onChange={(event) => setValue(event.currentTarget.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={`mt-1 block w-full min-w-0 rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none disabled:bg-slate-50 disabled:text-slate-500 sm:text-sm ${
          error
            ? "border-red-400 focus:border-red-500 focus:ring-red-100"
            : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`}
      >
        {isLoading ? (
          <option value="">{t("form.choices.choose")}</option>
        ) : (
          <>
            <option value="">{isRequired ? t("form.choices.choose") : t("form.choices.none")}</option>
            {initialValue && !isListed(initialValue) ? (
              <option value={initialValue}>{t("form.choices.notInList", { value: initialValue })}</option>
            ) : null}
            {choices.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choiceText(choice)}
              </option>
            ))}
          </>
        )}
      </select>
      {isLoading && initialValue ? <input type="hidden" name={name} value={initialValue} /> : null}
      {!isLoading && suggestedValue && value === suggestedValue ? (
        <p id={`${id}-suggested`} className="mt-1 flex items-center gap-1 text-xs text-emerald-700">
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-3.5 shrink-0">
            <path
              fill="currentColor"
              d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z"
            />
          </svg>
          {t("form.choices.suggested")}
        </p>
      ) : null}
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
