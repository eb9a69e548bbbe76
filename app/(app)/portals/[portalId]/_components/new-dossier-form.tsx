"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState, useId } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { type CreateDossierState, createDossierAction, type NewDossierValues } from "../actions";

const FIELDS = ["name", "companyNumber", "vatNumber"] as const satisfies (keyof NewDossierValues)[];

export function NewDossierForm({ portalId, closeHref }: { portalId: string; closeHref: string }) {
  const t = useTranslations("portal.create");
  const errorMessage = useErrorMessage();
  const [state, formAction, isPending] = useActionState<CreateDossierState, FormData>(createDossierAction, null);
  const idPrefix = useId();
  const failure = state && !state.ok ? state : null;
  const created = state?.ok ? state : null;
  const fieldErrors = failure?.fieldErrors ?? {};
  // Errors that belong to no visible field (no rights, a hidden id, the unexpected) go on top.
  const showFormError =
    failure !== null && !Object.keys(fieldErrors).some((field) => (FIELDS as readonly string[]).includes(field));

  const field = (name: (typeof FIELDS)[number]) => {
    const id = `${idPrefix}-${name}`;
    const error = fieldErrors[name]?.[0];
    return {
      input: {
        id,
        name,
        // After a failed submit React resets the form to these defaults: keep what was typed.
        defaultValue: failure?.values?.[name] ?? "",
        "aria-invalid": error ? true : undefined,
        "aria-describedby": `${id}-hint${error ? ` ${id}-error` : ""}`,
        className: `mt-1 block w-full rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
          error
            ? "border-red-400 focus:border-red-500 focus:ring-red-100"
            : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`,
      },
      error: error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {errorMessage(error)}
        </p>
      ) : null,
      id,
    };
  };
  const name = field("name");
  const companyNumber = field("companyNumber");
  const vatNumber = field("vatNumber");

  return (
    <section
      aria-labelledby={`${idPrefix}-title`}
      className="mb-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6"
    >
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 id={`${idPrefix}-title`} className="text-base font-semibold text-slate-900">
            {t("title")}
          </h2>
          <p className="mt-1 max-w-2xl text-sm text-slate-600">{t("intro")}</p>
        </div>
        <Link href={closeHref} scroll={false} className="shrink-0 text-sm font-medium text-slate-600 hover:underline">
          {t("close")}
        </Link>
      </div>

      {created ? (
        <div
          role="status"
          className="mt-4 flex flex-col gap-2 rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset sm:flex-row sm:items-center sm:justify-between"
        >
          <span>{t("created", { name: created.name })}</span>
          <Link href={`/dossiers/${created.dossierId}`} className="font-medium underline">
            {t("openDossier")}
          </Link>
        </div>
      ) : null}
      {showFormError ? (
        <p
          role="alert"
          className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset"
        >
          {errorMessage(failure.error.messageKey)}
        </p>
      ) : null}

      <form action={formAction} noValidate className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_auto]">
        <input type="hidden" name="portalId" value={portalId} />
        <div className="sm:col-span-2 lg:col-span-1">
          <label htmlFor={name.id} className="block text-sm font-medium text-slate-800">
            {t("name")}
          </label>
          <input {...name.input} type="text" autoComplete="organization" placeholder={t("namePlaceholder")} required />
          <span id={`${name.id}-hint`} className="sr-only">
            {t("name")}
          </span>
          {name.error}
        </div>
        <div>
          <label htmlFor={companyNumber.id} className="block text-sm font-medium text-slate-800">
            {t("companyNumber")}
          </label>
          <input {...companyNumber.input} type="text" inputMode="numeric" autoComplete="off" required />
          <p id={`${companyNumber.id}-hint`} className="mt-1 text-xs text-slate-500">
            {t("companyNumberHint")}
          </p>
          {companyNumber.error}
        </div>
        <div>
          <label htmlFor={vatNumber.id} className="block text-sm font-medium text-slate-800">
            {t("vatNumber")} <span className="font-normal text-slate-500">({t("optional")})</span>
          </label>
          <input {...vatNumber.input} type="text" autoComplete="off" />
          <p id={`${vatNumber.id}-hint`} className="mt-1 text-xs text-slate-500">
            {t("vatNumberHint")}
          </p>
          {vatNumber.error}
        </div>
        <div className="sm:col-span-2 lg:col-span-1 lg:pt-6">
          <button
            type="submit"
            disabled={isPending}
            className="w-full rounded-md bg-brand-600 px-4 py-2 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
          >
            {isPending ? t("submitting") : t("submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
