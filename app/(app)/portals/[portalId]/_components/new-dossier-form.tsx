"use client";

import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useActionState, useId } from "react";
import { DossierLocaleField, DossierTextField } from "@/components/dossiers/dossier-fields";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { type CreateDossierState, createDossierAction, type NewDossierValues } from "../actions";

const FIELDS = ["name", "companyNumber", "vatNumber", "locale"] as const satisfies (keyof NewDossierValues)[];

export function NewDossierForm({ portalId, closeHref }: { portalId: string; closeHref: string }) {
  const t = useTranslations("portal.create");
  const errorMessage = useErrorMessage();
  const locale = useLocale();
  const [state, formAction, isPending] = useActionState<CreateDossierState, FormData>(createDossierAction, null);
  const idPrefix = useId();
  const failure = state && !state.ok ? state : null;
  const created = state?.ok ? state : null;
  const fieldErrors = failure?.fieldErrors ?? {};
  // Errors that belong to no visible field (no rights, a hidden id, the unexpected) go on top.
  const showFormError =
    failure !== null && !Object.keys(fieldErrors).some((field) => (FIELDS as readonly string[]).includes(field));

  const message = (field: (typeof FIELDS)[number]) => {
    const key = fieldErrors[field]?.[0];
    return key ? errorMessage(key) : null;
  };
  // After a failed submit React resets the form to its defaults: keep what was typed.
  const typed = (field: (typeof FIELDS)[number]) => failure?.values?.[field] ?? "";
  const id = (field: (typeof FIELDS)[number]) => `${idPrefix}-${field}`;

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

      <form
        action={formAction}
        noValidate
        className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_auto]"
      >
        <input type="hidden" name="portalId" value={portalId} />
        <DossierTextField
          id={id("name")}
          name="name"
          label={t("name")}
          defaultValue={typed("name")}
          error={message("name")}
          autoComplete="organization"
          placeholder={t("namePlaceholder")}
          required
          className="sm:col-span-2 lg:col-span-1"
        />
        <DossierTextField
          id={id("companyNumber")}
          name="companyNumber"
          label={t("companyNumber")}
          hint={t("companyNumberHint")}
          defaultValue={typed("companyNumber")}
          error={message("companyNumber")}
          inputMode="numeric"
          autoComplete="off"
          required
        />
        <DossierTextField
          id={id("vatNumber")}
          name="vatNumber"
          label={
            <>
              {t("vatNumber")} <span className="font-normal text-slate-500">({t("optional")})</span>
            </>
          }
          hint={t("vatNumberHint")}
          defaultValue={typed("vatNumber")}
          error={message("vatNumber")}
          autoComplete="off"
        />
        <DossierLocaleField
          id={id("locale")}
          // A new dossier speaks the language of the person creating it, unless they choose another.
          defaultValue={typed("locale") || locale}
          error={message("locale")}
        />
        <div className="sm:pt-6">
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
