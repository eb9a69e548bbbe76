"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useActionState, useEffect, useId } from "react";
import { DossierLocaleField, DossierTextField } from "@/components/dossiers/dossier-fields";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import type { DossierOverview } from "@/lib/dossiers/get";
import { type DossierDetailsValues, type UpdateDossierDetailsState, updateDossierDetailsAction } from "../actions";

const FIELDS = ["name", "companyNumber", "vatNumber", "locale"] as const satisfies (keyof DossierDetailsValues)[];

/** What the form starts with: a VAT number still at its default shows empty, as on create. */
function initialValues(
  dossier: Pick<DossierOverview, "name" | "companyNumber" | "vatNumber" | "locale">,
): DossierDetailsValues {
  const isDefaultVat = dossier.vatNumber === null || dossier.vatNumber === `BE${dossier.companyNumber}`;
  return {
    name: dossier.name,
    companyNumber: formatCompanyNumber(dossier.companyNumber),
    // Empty keeps following the company number; a VAT number of its own is shown to be changed.
    vatNumber: isDefaultVat ? "" : (dossier.vatNumber ?? ""),
    locale: dossier.locale,
  };
}

/**
 * The dossier's name, numbers and language, for admins and accountants (the page shows it only to
 * them; the service checks again). Saving closes the form (`closeHref`) and the header shows the
 * new values; without JavaScript the form stays and says it saved.
 */
export function DossierDetailsForm({
  dossier,
  closeHref,
}: {
  dossier: Pick<DossierOverview, "id" | "name" | "companyNumber" | "vatNumber" | "locale">;
  closeHref: string;
}) {
  const t = useTranslations("dossier.edit");
  const errorMessage = useErrorMessage();
  const router = useRouter();
  const [state, formAction, isPending] = useActionState<UpdateDossierDetailsState, FormData>(
    updateDossierDetailsAction,
    null,
  );
  const idPrefix = useId();
  const failure = state && !state.ok ? state : null;
  const isSaved = state?.ok === true;
  const fieldErrors = failure?.fieldErrors ?? {};
  // Errors that belong to no visible field (no rights, the unexpected) go on top.
  const showFormError =
    failure !== null && !Object.keys(fieldErrors).some((field) => (FIELDS as readonly string[]).includes(field));

  useEffect(() => {
    if (isSaved) router.replace(closeHref, { scroll: false });
  }, [isSaved, closeHref, router]);

  // After a failed submit React resets the form to its defaults: keep what was typed.
  const values = failure?.values ?? initialValues(dossier);
  const message = (field: (typeof FIELDS)[number]) => {
    const key = fieldErrors[field]?.[0];
    return key ? errorMessage(key) : null;
  };
  const id = (field: (typeof FIELDS)[number]) => `${idPrefix}-${field}`;

  return (
    <section
      aria-labelledby={`${idPrefix}-title`}
      className="mb-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id={`${idPrefix}-title`} className="text-base font-semibold text-slate-900">
        {t("title")}
      </h2>
      <p className="mt-1 max-w-2xl text-sm text-slate-600">{t("intro")}</p>

      {isSaved ? (
        <p
          role="status"
          className="mt-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
        >
          {t("saved")}
        </p>
      ) : null}
      {showFormError ? (
        <p
          role="alert"
          className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset"
        >
          {errorMessage(failure.error.messageKey)}
        </p>
      ) : null}

      <form action={formAction} noValidate className="mt-4 grid gap-4 sm:grid-cols-2">
        <input type="hidden" name="dossierId" value={dossier.id} />
        <DossierTextField
          id={id("name")}
          name="name"
          label={t("name")}
          defaultValue={values.name}
          error={message("name")}
          autoComplete="organization"
          required
          className="sm:col-span-2"
        />
        <DossierTextField
          id={id("companyNumber")}
          name="companyNumber"
          label={t("companyNumber")}
          hint={t("companyNumberHint")}
          defaultValue={values.companyNumber}
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
          defaultValue={values.vatNumber}
          error={message("vatNumber")}
          autoComplete="off"
        />
        <DossierLocaleField id={id("locale")} defaultValue={values.locale} error={message("locale")} />
        <div className="flex flex-col gap-2 sm:col-span-2 sm:flex-row sm:items-center">
          <button
            type="submit"
            disabled={isPending}
            className="min-h-11 w-full rounded-md bg-brand-600 px-4 py-2 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-brand-700 disabled:opacity-60 sm:min-h-0 sm:w-auto"
          >
            {isPending ? t("submitting") : t("submit")}
          </button>
          <Link
            href={closeHref}
            scroll={false}
            className="inline-flex min-h-11 items-center justify-center rounded-md px-4 py-2 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 sm:min-h-0 sm:ring-0"
          >
            {isSaved ? t("close") : t("cancel")}
          </Link>
        </div>
      </form>
    </section>
  );
}
