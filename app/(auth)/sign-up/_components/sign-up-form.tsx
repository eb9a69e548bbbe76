"use client";

import { useTranslations } from "next-intl";
import { useActionState, useId } from "react";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { LOCALES, type Locale } from "@/lib/i18n/config";
import { requestOfficeSignUpAction, type SignUpState, type SignUpValues } from "../actions";

const FIELDS = [
  "officeName",
  "companyNumber",
  "personName",
  "email",
  "locale",
] as const satisfies (keyof SignUpValues)[];
type Field = (typeof FIELDS)[number];

export function SignUpForm({
  defaultLocale,
  invite,
}: {
  defaultLocale: Locale;
  /** Under KOPPEL_SIGNUP=invite: the link's token, and the address it is for (not editable). */
  invite: { token: string; email: string } | null;
}) {
  const t = useTranslations("signUp");
  const tLanguage = useTranslations("common.language");
  const errorMessage = useErrorMessage();
  const [state, formAction, isPending] = useActionState<SignUpState, FormData>(requestOfficeSignUpAction, null);
  const idPrefix = useId();
  const failure = state && !state.ok ? state : null;
  const isMailFailed = state?.ok === true && !state.isMailed;
  const fieldErrors = failure?.fieldErrors ?? {};
  // Errors that belong to no visible field (the invite link, the rate limit, the unexpected) go on top.
  const showFormError =
    failure !== null && !Object.keys(fieldErrors).some((field) => (FIELDS as readonly string[]).includes(field));

  const field = (name: Field, hint?: string) => {
    const id = `${idPrefix}-${name}`;
    const error = fieldErrors[name]?.[0];
    const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
    return {
      id,
      props: {
        id,
        name,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy || undefined,
        className: `mt-1 block w-full rounded-md border bg-white px-3 py-2 text-base focus:ring-2 focus:outline-none ${
          error
            ? "border-red-400 focus:border-red-500 focus:ring-red-100"
            : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`,
      },
      // After a refused submit React resets the form to these defaults: keep what was typed.
      defaultValue: state?.values[name] ?? "",
      label: (
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {t(`fields.${name}`)}
        </label>
      ),
      hint: hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null,
      error: error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {errorMessage(error)}
        </p>
      ) : null,
    };
  };

  const officeName = field("officeName");
  const companyNumber = field("companyNumber", t("fields.companyNumberHint"));
  const personName = field("personName");
  const email = field("email", invite ? t("fields.emailInvitedHint") : t("fields.emailHint"));
  const locale = field("locale", t("fields.localeHint"));

  return (
    <form action={formAction} noValidate className="mt-5 flex flex-col gap-4">
      {showFormError ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset">
          {errorMessage(failure.error.messageKey, failure.error.messageValues)}
        </p>
      ) : null}
      {isMailFailed ? (
        <p
          role="alert"
          className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset"
        >
          {t("mailFailed")}
        </p>
      ) : null}
      {invite ? <input type="hidden" name="inviteToken" value={invite.token} /> : null}

      <div>
        {officeName.label}
        <input
          {...officeName.props}
          defaultValue={officeName.defaultValue}
          type="text"
          autoComplete="organization"
          required
        />
        {officeName.error}
      </div>
      <div>
        {companyNumber.label}
        <input
          {...companyNumber.props}
          defaultValue={companyNumber.defaultValue}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="0123.456.749"
          required
        />
        {companyNumber.hint}
        {companyNumber.error}
      </div>
      <div>
        {personName.label}
        <input {...personName.props} defaultValue={personName.defaultValue} type="text" autoComplete="name" required />
        {personName.error}
      </div>
      <div>
        {email.label}
        {invite ? (
          <input
            {...email.props}
            value={invite.email}
            readOnly
            type="email"
            className={email.props.className.replace("bg-white", "bg-slate-100 text-slate-700")}
          />
        ) : (
          <input {...email.props} defaultValue={email.defaultValue} type="email" autoComplete="email" required />
        )}
        {email.hint}
        {email.error}
      </div>
      <div>
        {locale.label}
        <select {...locale.props} defaultValue={locale.defaultValue || defaultLocale}>
          {LOCALES.map((code) => (
            <option key={code} value={code}>
              {tLanguage(`names.${code}`)}
            </option>
          ))}
        </select>
        {locale.hint}
        {locale.error}
      </div>

      <button
        type="submit"
        disabled={isPending}
        className="rounded-md bg-brand-600 px-4 py-2.5 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {isPending ? t("submitting") : t("submit")}
      </button>
      <p className="text-xs text-slate-500">{t("afterSubmit")}</p>
    </form>
  );
}
