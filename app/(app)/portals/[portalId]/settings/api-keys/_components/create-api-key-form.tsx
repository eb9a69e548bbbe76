"use client";

import { useTranslations } from "next-intl";
import { useActionState, useEffect, useId, useRef, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { FormAlert } from "@/components/ui/form-alert";
import { FormSubmitButton } from "@/components/ui/form-submit-button";
import { useErrorMessage } from "@/components/ui/use-error-message";
import { useFormErrors } from "@/components/ui/use-form-errors";
import { API_KEY_NAME_MAX_LENGTH, scopesUsableBy } from "@/lib/api-keys/schemas";
import { PORTAL_ROLES, type PortalRole } from "@/lib/auth/permissions";
import { API_SCOPES, type ApiScope } from "@/lib/auth/scopes";
import { type CreateApiKeyState, createApiKeyAction, type NewApiKeyValues } from "../actions";

/** Each scope's one-line explanation (apiKeys.scopes.*): message keys cannot hold a colon. */
const SCOPE_MESSAGES = {
  "documents:read": "documentsRead",
  "documents:write": "documentsWrite",
  "dossiers:read": "dossiersRead",
  "dossiers:write": "dossiersWrite",
  "webhooks:manage": "webhooksManage",
} as const satisfies Record<ApiScope, string>;

/** "scopes.<n>" (an unknown scope) counts for the scopes group. */
const FIELDS = ["name", "role", "scopes", "expiresOn"] as const;
type Field = (typeof FIELDS)[number];

/** Least privilege first: a key acts as an accountant unless an admin asks for more. */
const EMPTY_VALUES: NewApiKeyValues = { name: "", role: "accountant", scopes: [], expiresOn: "" };

/** The latest answer, and how many answers came: the fields remount on each, with fresh defaults. */
type FormState = { result: CreateApiKeyState; round: number };

const inputClass = (hasError: boolean) =>
  `mt-1 block min-h-11 w-full rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
    hasError
      ? "border-red-400 focus:border-red-500 focus:ring-red-100"
      : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;

const choiceClass =
  "flex min-h-11 cursor-pointer items-start gap-3 rounded-lg border border-slate-200 px-3 py-2.5 hover:bg-slate-50 has-[:checked]:border-brand-400 has-[:checked]:bg-brand-50/50 has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-60";

/**
 * "New API key": name, role, scopes (each with a line on what it allows) and an optional expiry
 * date. On success the key is shown once, with a copy button and a plain warning; it lives only in
 * this component's state, so a reload or another page loses it for good.
 */
export function CreateApiKeyForm({
  portalId,
  expiryBounds,
}: {
  portalId: string;
  /** The dates the expiry may take (lib/api-keys/schemas.ts expiryDateBounds); the server checks again. */
  expiryBounds: { min: string; max: string };
}) {
  const t = useTranslations("apiKeys");
  const idPrefix = useId();
  // The action gets the form only: the previous answer (it may hold a key) stays in the browser.
  const [state, formAction, isPending] = useActionState<FormState, FormData>(
    async (previous, formData) => ({ result: await createApiKeyAction(formData), round: previous.round + 1 }),
    { result: null, round: 0 },
  );
  const [dismissedRound, setDismissedRound] = useState(0);
  const createdTitleRef = useRef<HTMLHeadingElement>(null);

  const failure = state.result && !state.result.ok ? state.result : null;
  const created = state.result?.ok && dismissedRound !== state.round ? state.result : null;
  // Errors that belong to no field (no rights, a bad office id, the unexpected) go on top.
  const { errors, formError } = useFormErrors(FIELDS, failure);

  // Screen readers and phone users land on the new key, not at the bottom of the form.
  const createdRound = created ? state.round : null;
  useEffect(() => {
    if (createdRound !== null) createdTitleRef.current?.focus();
  }, [createdRound]);

  return (
    <section
      aria-labelledby={`${idPrefix}-title`}
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
    >
      <h2 id={`${idPrefix}-title`} className="text-base font-semibold text-slate-900">
        {t("create.title")}
      </h2>
      <p className="mt-1 text-sm text-slate-600">{t("create.intro")}</p>

      {created ? (
        <div data-testid="new-api-key" className="mt-4 rounded-lg bg-amber-50 p-4 ring-1 ring-amber-600/25 ring-inset">
          <h3
            ref={createdTitleRef}
            tabIndex={-1}
            className="font-semibold break-words text-amber-950 focus:outline-none"
          >
            {t("created.title", { name: created.name })}
          </h3>
          <p className="mt-1 text-sm text-amber-950">{t("created.warning")}</p>
          <div className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-center">
            <code className="block min-w-0 flex-1 rounded-md bg-white px-3 py-2 font-mono text-sm break-all text-slate-900 ring-1 ring-amber-600/25 ring-inset select-all">
              <span className="sr-only">{t("created.label")}: </span>
              {created.key}
            </code>
            <CopyButton value={created.key} label={t("created.label")} />
          </div>
          <button
            type="button"
            onClick={() => setDismissedRound(state.round)}
            className="mt-3 inline-flex min-h-11 w-full items-center justify-center rounded-md border border-amber-600/30 bg-white px-4 py-2 text-sm font-medium text-amber-950 hover:bg-amber-100 sm:w-auto"
          >
            {t("created.done")}
          </button>
        </div>
      ) : null}

      <FormAlert message={formError} className="mt-4" />

      <form action={formAction} noValidate className="mt-4 flex flex-col gap-5">
        <input type="hidden" name="portalId" value={portalId} />
        <KeyFields
          key={state.round}
          idPrefix={idPrefix}
          defaults={failure?.values ?? EMPTY_VALUES}
          errors={errors}
          expiryBounds={expiryBounds}
        />
        <FormSubmitButton isPending={isPending} label={t("create.submit")} pendingLabel={t("create.submitting")} />
      </form>
    </section>
  );
}

function isPortalRole(value: string): value is PortalRole {
  return (PORTAL_ROLES as readonly string[]).includes(value);
}

/**
 * The fields, remounted after every answer (React resets a form after its action): with what was
 * typed after a refusal, empty after a success. Role and scopes are held here so that a scope the
 * role cannot use is switched off and unticked as the role changes.
 */
function KeyFields({
  idPrefix,
  defaults,
  errors,
  expiryBounds,
}: {
  idPrefix: string;
  defaults: NewApiKeyValues;
  errors: Partial<Record<Field, string>>;
  expiryBounds: { min: string; max: string };
}) {
  const t = useTranslations("apiKeys");
  const errorMessage = useErrorMessage();
  const [role, setRole] = useState<PortalRole>(isPortalRole(defaults.role) ? defaults.role : "accountant");
  const [scopes, setScopes] = useState<ReadonlySet<string>>(() => new Set(defaults.scopes));
  const usable = scopesUsableBy(role);
  const id = (field: Field) => `${idPrefix}-${field}`;

  const errorOf = (field: Field) =>
    errors[field] ? (
      <p id={`${id(field)}-error`} className="mt-1 text-sm text-red-700">
        {errorMessage(errors[field])}
      </p>
    ) : null;
  const describedBy = (field: Field) => `${id(field)}-hint${errors[field] ? ` ${id(field)}-error` : ""}`;

  function chooseRole(next: PortalRole) {
    setRole(next);
    const nextUsable = scopesUsableBy(next);
    setScopes((current) => new Set([...current].filter((scope) => nextUsable.includes(scope as ApiScope))));
  }

  function toggleScope(scope: ApiScope, isChecked: boolean) {
    setScopes((current) => {
      const next = new Set(current);
      if (isChecked) next.add(scope);
      else next.delete(scope);
      return next;
    });
  }

  return (
    <>
      <div>
        <label htmlFor={id("name")} className="block text-sm font-medium text-slate-800">
          {t("create.name")}
        </label>
        <input
          id={id("name")}
          name="name"
          type="text"
          autoComplete="off"
          required
          maxLength={API_KEY_NAME_MAX_LENGTH}
          defaultValue={defaults.name}
          placeholder={t("create.namePlaceholder")}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={describedBy("name")}
          className={inputClass(Boolean(errors.name))}
        />
        <span id={`${id("name")}-hint`} className="sr-only">
          {t("create.namePlaceholder")}
        </span>
        {errorOf("name")}
      </div>

      <fieldset aria-describedby={errors.role ? `${id("role")}-error` : undefined}>
        <legend className="text-sm font-medium text-slate-800">{t("create.role")}</legend>
        <div className="mt-1 grid gap-2 sm:grid-cols-2">
          {PORTAL_ROLES.map((option) => (
            <label key={option} className={choiceClass}>
              <input
                type="radio"
                name="role"
                value={option}
                checked={role === option}
                onChange={() => chooseRole(option)}
                className="mt-0.5 size-5 shrink-0 accent-brand-600"
              />
              <span className="min-w-0 text-sm">
                <span className="block font-medium text-slate-900">{t(`roles.${option}.label`)}</span>
                <span className="block text-slate-600">{t(`roles.${option}.hint`)}</span>
              </span>
            </label>
          ))}
        </div>
        {errorOf("role")}
      </fieldset>

      <fieldset aria-describedby={describedBy("scopes")}>
        <legend className="text-sm font-medium text-slate-800">{t("create.scopes")}</legend>
        <p id={`${id("scopes")}-hint`} className="mt-0.5 text-xs text-slate-500">
          {t("create.scopesHint")}
        </p>
        <div className="mt-2 flex flex-col gap-2">
          {API_SCOPES.map((scope) => {
            const isUsable = usable.includes(scope);
            return (
              <label key={scope} className={choiceClass}>
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={isUsable && scopes.has(scope)}
                  disabled={!isUsable}
                  onChange={(event) => toggleScope(scope, event.currentTarget.checked)}
                  className="mt-0.5 size-5 shrink-0 accent-brand-600"
                />
                <span className="min-w-0 text-sm">
                  <code className="block font-mono text-sm font-semibold text-slate-900">{scope}</code>
                  <span className="block text-slate-600">{t(`scopes.${SCOPE_MESSAGES[scope]}`)}</span>
                </span>
              </label>
            );
          })}
        </div>
        {errorOf("scopes")}
      </fieldset>

      <div>
        <label htmlFor={id("expiresOn")} className="block text-sm font-medium text-slate-800">
          {t("create.expiresOn")} <span className="font-normal text-slate-500">({t("create.optional")})</span>
        </label>
        <input
          id={id("expiresOn")}
          name="expiresOn"
          type="date"
          min={expiryBounds.min}
          max={expiryBounds.max}
          defaultValue={defaults.expiresOn}
          aria-invalid={errors.expiresOn ? true : undefined}
          aria-describedby={describedBy("expiresOn")}
          className={`${inputClass(Boolean(errors.expiresOn))} sm:max-w-xs`}
        />
        <p id={`${id("expiresOn")}-hint`} className="mt-1 text-xs text-slate-500">
          {t("create.expiresOnHint")}
        </p>
        {errorOf("expiresOn")}
      </div>
    </>
  );
}
