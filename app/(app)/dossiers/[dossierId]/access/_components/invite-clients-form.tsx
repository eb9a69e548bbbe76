"use client";

import { useTranslations } from "next-intl";
import { useActionState, useEffect, useId, useRef } from "react";
import { controlClass, FieldHintAndError, fieldDescribedBy } from "@/components/ui/field-parts";
import { FormAlert } from "@/components/ui/form-alert";
import { FormSubmitButton } from "@/components/ui/form-submit-button";
import { LocaleField } from "@/components/ui/locale-field";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { useFormErrors } from "@/components/ui/use-form-errors";
import type { Locale } from "@/lib/i18n/config";
import { type InviteClientsState, inviteDossierClientsAction } from "../actions";
import { ResendInvitationButton } from "./resend-invitation-button";

/** "emails.<n>" (one address of the list) counts for the emails field. */
const FIELDS = ["emails", "locale"] as const;
type Field = (typeof FIELDS)[number];

/**
 * "Invite entrepreneurs": addresses in one box, the mail's language (the dossier's by default),
 * and after sending what happened to each address: mailed, not mailed (send again), or skipped
 * because they already have access or work at the office. Too many requests get a plain "wait".
 */
export function InviteClientsForm({ dossierId, defaultLocale }: { dossierId: string; defaultLocale: Locale }) {
  const t = useTranslations("clients");
  const errorMessage = useErrorMessage();
  const idPrefix = useId();
  const [state, formAction, isPending] = useActionState<InviteClientsState, FormData>(inviteDossierClientsAction, null);
  const resultRef = useRef<HTMLDivElement>(null);

  const failure = state && !state.ok ? state : null;
  const outcome = state?.ok ? state : null;
  // Errors that belong to no field (no rights, too many requests, the unexpected) go on top.
  const { errors, formError } = useFormErrors(FIELDS, failure);
  const mailed = outcome?.sent.filter((invitation) => invitation.isMailed) ?? [];
  const notMailed = outcome?.sent.filter((invitation) => !invitation.isMailed) ?? [];

  // Keyboard, screen-reader and phone users land on what happened, not at the bottom of the form.
  useEffect(() => {
    if (outcome) resultRef.current?.focus();
  }, [outcome]);

  const id = (field: Field) => `${idPrefix}-${field}`;
  const messageOf = (field: Field) => (errors[field] ? errorMessage(errors[field]) : null);

  return (
    <section
      aria-labelledby={`${idPrefix}-title`}
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
    >
      <h3 id={`${idPrefix}-title`} className="text-base font-semibold text-slate-900">
        {t("invite.title")}
      </h3>
      <p className="mt-1 text-sm text-slate-600">{t("invite.intro")}</p>

      {outcome ? (
        <div
          ref={resultRef}
          tabIndex={-1}
          data-testid="invite-outcome"
          className="mt-4 flex flex-col gap-3 focus:outline-none"
        >
          {mailed.length > 0 ? (
            <div
              role="status"
              className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
            >
              <p className="font-semibold">{t("invite.sentTitle", { count: mailed.length })}</p>
              <ul className="mt-1 flex flex-col gap-0.5">
                {mailed.map((invitation) => (
                  <li key={invitation.invitationId} className="break-all">
                    {t("invite.sent", { email: invitation.email })}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {notMailed.map((invitation) => (
            <div
              key={invitation.invitationId}
              role="alert"
              className="flex flex-col gap-2 rounded-md bg-red-50 p-3 text-sm text-red-900 sm:items-start ring-1 ring-red-600/20 ring-inset"
            >
              <p className="break-words">{t("invite.notMailed", { email: invitation.email })}</p>
              <ResendInvitationButton
                dossierId={dossierId}
                invitationId={invitation.invitationId}
                email={invitation.email}
              />
            </div>
          ))}
          {outcome.skipped.length > 0 ? (
            <div className="rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-600/25 ring-inset">
              <p className="font-semibold">{t("invite.skippedTitle", { count: outcome.skipped.length })}</p>
              <ul className="mt-1 flex flex-col gap-0.5">
                {outcome.skipped.map((skipped) => (
                  <li key={skipped.email} className="break-words">
                    {t(`invite.skipped.${skipped.reason}`, { email: skipped.email })}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}

      <FormAlert message={formError} className="mt-4" />

      <form action={formAction} noValidate className="mt-4 flex flex-col gap-4">
        <input type="hidden" name="dossierId" value={dossierId} />
        <div>
          <label htmlFor={id("emails")} className="block text-sm font-medium text-slate-800">
            {t("invite.emails")}
          </label>
          <textarea
            id={id("emails")}
            name="emails"
            rows={3}
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            inputMode="email"
            placeholder={t("invite.emailsPlaceholder")}
            defaultValue={failure?.values?.emails ?? ""}
            aria-invalid={errors.emails ? true : undefined}
            aria-describedby={fieldDescribedBy(id("emails"), t("invite.emailsHint"), messageOf("emails"))}
            className={controlClass(Boolean(errors.emails))}
          />
          <FieldHintAndError id={id("emails")} hint={t("invite.emailsHint")} error={messageOf("emails")} />
        </div>
        <LocaleField
          id={id("locale")}
          label={t("invite.locale")}
          hint={t("invite.localeHint")}
          optionLabel={(locale) => t(`languages.${locale}`)}
          defaultValue={failure?.values?.locale || defaultLocale}
          error={messageOf("locale")}
          selectClassName="min-h-11 sm:max-w-xs"
        />
        <FormSubmitButton isPending={isPending} label={t("invite.submit")} pendingLabel={t("invite.submitting")} />
      </form>
    </section>
  );
}
