"use client";

import { useTranslations } from "next-intl";
import { useActionState, useId } from "react";
import { controlClass, FieldHintAndError, fieldDescribedBy } from "@/components/ui/field-parts";
import { FormAlert } from "@/components/ui/form-alert";
import { FormSubmitButton } from "@/components/ui/form-submit-button";
import { LocaleField } from "@/components/ui/locale-field";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { useFormErrors } from "@/components/ui/use-form-errors";
import { PORTAL_ROLES } from "@/lib/auth/permissions";
import type { Locale } from "@/lib/i18n/config";
import { type InviteMemberState, type InviteMemberValues, inviteMemberAction } from "../actions";
import { ResendInvitationButton } from "./invitation-actions";

const FIELDS = ["email", "role", "locale"] as const;
type Field = (typeof FIELDS)[number];

/** The latest answer, and how many came: the fields remount on each, with fresh defaults. */
type FormState = { result: InviteMemberState; round: number };

const choiceClass =
  "flex min-h-11 cursor-pointer items-start gap-3 rounded-lg border border-slate-200 px-3 py-2.5 hover:bg-slate-50 has-[:checked]:border-brand-400 has-[:checked]:bg-brand-50/50";

/**
 * "Invite a colleague": address, role (accountant unless an admin asks for more) and the language
 * of the mail, by default the admin's own. After sending it says so; when the mail could not go
 * out, it says that too and offers to send it again.
 */
export function InviteMemberForm({ portalId, defaultLocale }: { portalId: string; defaultLocale: Locale }) {
  const t = useTranslations("members");
  const idPrefix = useId();
  const [state, formAction, isPending] = useActionState<FormState, FormData>(
    async (previous, formData) => ({
      result: await inviteMemberAction(previous.result, formData),
      round: previous.round + 1,
    }),
    { result: null, round: 0 },
  );
  const failure = state.result && !state.result.ok ? state.result : null;
  const sent = state.result?.ok ? state.result : null;
  // Errors that belong to no field (no rights, a rate limit, the unexpected) go on top.
  const { errors, formError } = useFormErrors(FIELDS, failure);
  const defaults: InviteMemberValues = failure?.values ?? { email: "", role: "accountant", locale: defaultLocale };

  return (
    <section
      aria-labelledby={`${idPrefix}-title`}
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
    >
      <h2 id={`${idPrefix}-title`} className="text-base font-semibold text-slate-900">
        {t("invite.title")}
      </h2>
      <p className="mt-1 text-sm text-slate-600">{t("invite.intro")}</p>

      {sent?.isMailed ? (
        <p
          role="status"
          className="mt-4 rounded-md bg-emerald-50 p-3 text-sm break-words text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
        >
          {t("invite.sent", { email: sent.email })}
        </p>
      ) : null}
      {sent && !sent.isMailed ? (
        <div
          role="status"
          className="mt-4 flex flex-col gap-3 rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-600/25 ring-inset sm:flex-row sm:items-start sm:justify-between"
        >
          <p className="break-words">{t("invite.notMailed", { email: sent.email })}</p>
          <ResendInvitationButton
            portalId={portalId}
            invitationId={sent.invitationId}
            email={sent.email}
            label={t("invite.resend")}
          />
        </div>
      ) : null}
      <FormAlert message={formError} className="mt-4" />

      <form action={formAction} noValidate className="mt-4 flex flex-col gap-5">
        <input type="hidden" name="portalId" value={portalId} />
        <InviteFields key={state.round} idPrefix={idPrefix} defaults={defaults} errors={errors} />
        <FormSubmitButton isPending={isPending} label={t("invite.submit")} pendingLabel={t("invite.submitting")} />
      </form>
    </section>
  );
}

/** The fields, remounted after every answer: what was typed after a refusal, empty after a success. */
function InviteFields({
  idPrefix,
  defaults,
  errors,
}: {
  idPrefix: string;
  defaults: InviteMemberValues;
  errors: Partial<Record<Field, string>>;
}) {
  const t = useTranslations("members");
  const tCommon = useTranslations("common.language");
  const errorMessage = useErrorMessage();
  const id = (field: Field) => `${idPrefix}-${field}`;
  const messageOf = (field: Field) => (errors[field] ? errorMessage(errors[field]) : null);

  return (
    <>
      <div>
        <label htmlFor={id("email")} className="block text-sm font-medium text-slate-800">
          {t("invite.email")}
        </label>
        <input
          id={id("email")}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={254}
          defaultValue={defaults.email}
          placeholder={t("invite.emailPlaceholder")}
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={fieldDescribedBy(id("email"), undefined, messageOf("email"))}
          className={`${controlClass(Boolean(errors.email))} min-h-11 sm:max-w-md`}
        />
        <FieldHintAndError id={id("email")} error={messageOf("email")} />
      </div>

      <fieldset aria-describedby={fieldDescribedBy(id("role"), undefined, messageOf("role"))}>
        <legend className="text-sm font-medium text-slate-800">{t("invite.role")}</legend>
        <div className="mt-1 grid gap-2 sm:grid-cols-2">
          {PORTAL_ROLES.map((role) => (
            <label key={role} className={choiceClass}>
              <input
                type="radio"
                name="role"
                value={role}
                defaultChecked={defaults.role === role}
                className="mt-0.5 size-5 shrink-0 accent-brand-600"
              />
              <span className="min-w-0 text-sm">
                <span className="block font-medium text-slate-900">{t(`roles.${role}.label`)}</span>
                <span className="block text-slate-600">{t(`roles.${role}.hint`)}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldHintAndError id={id("role")} error={messageOf("role")} />
      </fieldset>

      <LocaleField
        id={id("locale")}
        label={t("invite.language")}
        hint={t("invite.languageHint")}
        optionLabel={(locale) => tCommon(`names.${locale}`)}
        defaultValue={defaults.locale}
        error={messageOf("locale")}
        selectClassName="min-h-11 sm:max-w-xs"
      />
    </>
  );
}
