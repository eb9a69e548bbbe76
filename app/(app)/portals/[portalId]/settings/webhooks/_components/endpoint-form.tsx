"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useActionState, useEffect, useId } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { SUBSCRIBABLE_EVENT_TYPES } from "@/lib/webhooks/events";
import { type SaveEndpointState, saveWebhookEndpointAction } from "../actions";
import { eventKey } from "./event-label";

const FIELDS = ["url", "description", "eventTypes"];

const inputClass = (hasError: boolean) =>
  `mt-1 block min-h-11 w-full rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
    hasError
      ? "border-red-400 focus:border-red-500 focus:ring-red-100"
      : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;

/**
 * Adds an endpoint (no `endpoint`) or edits one: address, description and events. A new endpoint
 * opens its own page, where its secret can be shown.
 */
export function EndpointForm({
  portalId,
  endpoint,
}: {
  portalId: string;
  endpoint?: { id: string; url: string; description: string; eventTypes: readonly string[] };
}) {
  const t = useTranslations("webhooks");
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [state, formAction, isPending] = useActionState<SaveEndpointState, FormData>(saveWebhookEndpointAction, null);
  const idPrefix = useId();
  const failure = state && !state.ok ? state : null;
  const fieldErrors = failure?.fieldErrors ?? {};
  const showFormError = failure !== null && !Object.keys(fieldErrors).some((field) => FIELDS.includes(field));
  const values = failure?.values ?? {
    url: endpoint?.url ?? "",
    description: endpoint?.description ?? "",
    eventTypes: [...(endpoint?.eventTypes ?? [])],
  };

  useEffect(() => {
    if (state?.ok && state.isNew) router.push(`/portals/${portalId}/settings/webhooks/${state.endpointId}?added=1`);
  }, [state, portalId, router]);

  const errorOf = (field: string) => {
    const key = fieldErrors[field]?.[0];
    return key ? (
      <p id={`${idPrefix}-${field}-error`} className="mt-1 text-sm text-red-700">
        {errorMessage(key)}
      </p>
    ) : null;
  };
  const describedBy = (field: string) =>
    `${idPrefix}-${field}-hint${fieldErrors[field] ? ` ${idPrefix}-${field}-error` : ""}`;

  return (
    // The key resets the uncontrolled fields to what the server sent back after a refusal.
    <form key={JSON.stringify(values)} action={formAction} noValidate className="flex flex-col gap-4">
      <input type="hidden" name="portalId" value={portalId} />
      {endpoint ? <input type="hidden" name="endpointId" value={endpoint.id} /> : null}
      {showFormError ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset">
          {errorMessage(failure.error.messageKey)}
        </p>
      ) : null}
      {state?.ok && !state.isNew ? (
        <p
          role="status"
          className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
        >
          {t("form.saved")}
        </p>
      ) : null}
      <div>
        <label htmlFor={`${idPrefix}-url`} className="block text-sm font-medium text-slate-800">
          {t("form.url")}
        </label>
        <input
          id={`${idPrefix}-url`}
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          required
          defaultValue={values.url}
          placeholder="https://"
          aria-invalid={fieldErrors.url ? true : undefined}
          aria-describedby={describedBy("url")}
          className={inputClass(Boolean(fieldErrors.url))}
        />
        <p id={`${idPrefix}-url-hint`} className="mt-1 text-xs text-slate-500">
          {t("form.urlHint")}
        </p>
        {errorOf("url")}
      </div>
      <div>
        <label htmlFor={`${idPrefix}-description`} className="block text-sm font-medium text-slate-800">
          {t("form.description")}
        </label>
        <input
          id={`${idPrefix}-description`}
          name="description"
          type="text"
          maxLength={200}
          defaultValue={values.description}
          aria-invalid={fieldErrors.description ? true : undefined}
          aria-describedby={describedBy("description")}
          className={inputClass(Boolean(fieldErrors.description))}
        />
        <p id={`${idPrefix}-description-hint`} className="mt-1 text-xs text-slate-500">
          {t("form.descriptionHint")}
        </p>
        {errorOf("description")}
      </div>
      <fieldset aria-describedby={describedBy("eventTypes")}>
        <legend className="text-sm font-medium text-slate-800">{t("form.events")}</legend>
        <p id={`${idPrefix}-eventTypes-hint`} className="mt-0.5 text-xs text-slate-500">
          {t("form.eventsHint")}
        </p>
        <div className="mt-2 grid gap-1 sm:grid-cols-2">
          {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
            <label
              key={type}
              className="flex min-h-11 cursor-pointer items-start gap-3 rounded-md px-2 py-2 hover:bg-slate-50"
            >
              <input
                type="checkbox"
                name="eventTypes"
                value={type}
                defaultChecked={values.eventTypes.includes(type)}
                className="mt-0.5 size-5 shrink-0 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
              />
              <span className="min-w-0">
                <span className="block text-sm font-medium text-slate-900">{t(`events.${eventKey(type)}.label`)}</span>
                <span className="block text-xs text-slate-600">
                  <code className="font-mono">{type}</code> · {t(`events.${eventKey(type)}.hint`)}
                </span>
              </span>
            </label>
          ))}
        </div>
        {errorOf("eventTypes")}
      </fieldset>
      <div>
        <button
          type="submit"
          disabled={isPending}
          className="inline-flex min-h-11 w-full items-center justify-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
        >
          {endpoint ? (isPending ? t("form.saving") : t("form.save")) : isPending ? t("form.adding") : t("form.add")}
        </button>
      </div>
    </form>
  );
}
