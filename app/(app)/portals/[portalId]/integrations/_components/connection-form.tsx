"use client";

import { useTranslations } from "next-intl";
import { type FormEvent, type ReactNode, useId, useState, useTransition } from "react";
import { HelpLink } from "@/components/help/help-link";
import type { ActionFailure } from "@/lib/actions/result";
import { createConnectionAction, updateConnectionAction } from "../actions";
import type { FormField, FormSpec } from "./types";
import { useConnectionErrorMessage } from "./use-connection-error";

type Props = {
  portalId: string;
  /** The form generated from the connector's schemas; null = label only. */
  form: FormSpec;
  initial: { label: string; settings: Record<string, unknown> };
  onCancel: () => void;
  onSaved: (connectionId: string) => void;
} & (
  | { mode: "create"; packageId: string; channel: string }
  | { mode: "edit"; connectionId: string; secretsSet: Record<string, boolean> }
);

const inputClass = (hasError: boolean) =>
  `mt-1 block w-full rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
    hasError
      ? "border-red-400 focus:border-red-500 focus:ring-red-100"
      : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;

/**
 * The connection form, generated from the connector's zod schemas: label, then settings, then
 * credentials. Credentials are write-only: the page never receives them, a stored one shows as
 * "set", and a blank field keeps it. Submitted without a form reset, so nothing typed is lost
 * when the server refuses a field.
 */
export function ConnectionForm(props: Props) {
  const { portalId, form, initial, onCancel, onSaved } = props;
  const t = useTranslations("connections.form");
  const errorMessage = useConnectionErrorMessage();
  const idPrefix = useId();
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [isPending, startTransition] = useTransition();
  const fieldErrors = failure?.fieldErrors ?? {};
  const fieldNames = [
    "label",
    ...(form?.settings.map((field) => `settings.${field.name}`) ?? []),
    ...(form?.secrets.map((field) => `secrets.${field.name}`) ?? []),
  ];
  // Errors that belong to no visible field (no rights, an unknown package, the unexpected) go on top.
  const showFormError = failure !== null && !Object.keys(fieldErrors).some((field) => fieldNames.includes(field));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(async () => {
      const result = props.mode === "create" ? await createConnectionAction(data) : await updateConnectionAction(data);
      if (result.ok) {
        setFailure(null);
        onSaved(result.connectionId);
      } else {
        setFailure(result);
      }
    });
  }

  const errorOf = (name: string) => fieldErrors[name]?.[0];

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-5">
      <input type="hidden" name="portalId" value={portalId} />
      {props.mode === "create" ? (
        <>
          <input type="hidden" name="packageId" value={props.packageId} />
          <input type="hidden" name="channel" value={props.channel} />
        </>
      ) : (
        <input type="hidden" name="connectionId" value={props.connectionId} />
      )}

      {showFormError ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset">
          {errorMessage(
            failure.fieldErrors?.channel?.[0] ?? failure.fieldErrors?.packageId?.[0] ?? failure.error.messageKey,
          )}
        </p>
      ) : null}

      <Field
        id={`${idPrefix}-label`}
        label={t("label")}
        hint={t("labelHint")}
        error={errorOf("label") ? errorMessage(errorOf("label")) : null}
      >
        {(aria) => (
          <input
            {...aria}
            name="label"
            type="text"
            required
            maxLength={100}
            defaultValue={initial.label}
            autoComplete="off"
            className={inputClass(Boolean(errorOf("label")))}
          />
        )}
      </Field>

      {form === null ? <p className="-mt-2 text-sm text-slate-600">{t("connectorComingSoon")}</p> : null}

      {form && form.settings.length > 0 ? (
        <fieldset>
          <legend className="mb-3 text-sm font-semibold text-slate-900">{t("settings")}</legend>
          <div className="grid gap-4 sm:grid-cols-2">
            {form.settings.map((field) => (
              <GeneratedField
                key={field.name}
                idPrefix={idPrefix}
                group="settings"
                field={field}
                value={initial.settings[field.name]}
                error={errorOf(`settings.${field.name}`)}
              />
            ))}
          </div>
        </fieldset>
      ) : null}

      {form && form.secrets.length > 0 ? (
        <fieldset>
          <legend className="text-sm font-semibold text-slate-900">{t("secrets")}</legend>
          <p className="mt-0.5 mb-3 text-xs text-slate-500">{t("secretsHint")}</p>
          <div className="grid gap-4 sm:grid-cols-2">
            {form.secrets.map((field) => (
              <GeneratedField
                key={field.name}
                idPrefix={idPrefix}
                group="secrets"
                field={field}
                isStored={props.mode === "edit" ? Boolean(props.secretsSet[field.name]) : undefined}
                error={errorOf(`secrets.${field.name}`)}
              />
            ))}
          </div>
        </fieldset>
      ) : null}

      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <button
          type="button"
          onClick={onCancel}
          className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50"
        >
          {t("cancel")}
        </button>
        <button
          type="submit"
          disabled={isPending}
          className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60"
        >
          {isPending ? t("submitting") : props.mode === "create" ? t("submitCreate") : t("submitUpdate")}
        </button>
      </div>
    </form>
  );
}

type Aria = { id: string; "aria-invalid"?: true; "aria-describedby"?: string };

function Field({
  id,
  label,
  hint,
  error,
  badge,
  help,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: string | null;
  error: string | null;
  badge?: ReactNode;
  /** The "?" to the field's section of the help. */
  help?: ReactNode;
  children: (aria: Aria) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div>
      <div className="flex flex-wrap items-center justify-between gap-x-2">
        <span className="flex items-center gap-1.5">
          <label htmlFor={id} className="block text-sm font-medium text-slate-800">
            {label}
          </label>
          {help}
        </span>
        {badge}
      </div>
      {children({
        id,
        ...(error ? { "aria-invalid": true as const } : {}),
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
      })}
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

function GeneratedField({
  idPrefix,
  group,
  field,
  value,
  isStored,
  error,
}: {
  idPrefix: string;
  group: "settings" | "secrets";
  field: FormField;
  value?: unknown;
  /** Edit mode of a secret: whether a value is stored. */
  isStored?: boolean;
  error: string | undefined;
}) {
  const t = useTranslations("connections.form");
  const errorMessage = useConnectionErrorMessage();
  const id = `${idPrefix}-${group}-${field.name}`;
  const name = `${group}.${field.name}`;
  const current = value ?? field.defaultValue;
  const hint =
    field.isSecret && isStored ? [field.hint, t("secretKeepHint")].filter(Boolean).join(" ") : (field.hint ?? null);
  const label = (
    <>
      {field.label}
      {!field.isRequired && field.kind !== "boolean" ? (
        <span className="font-normal text-slate-500"> ({t("optional")})</span>
      ) : null}
    </>
  );
  const help = field.helpHref ? <HelpLink href={field.helpHref} topic={field.label} isNewTab /> : null;
  const badge =
    isStored === undefined ? null : (
      <span
        className={`text-xs font-medium ${isStored ? "text-emerald-700" : "text-slate-500"}`}
        data-secret-state={isStored ? "set" : "not-set"}
      >
        {isStored ? t("secretSet") : t("secretNotSet")}
      </span>
    );

  if (field.kind === "boolean") {
    return (
      <div className="flex items-start gap-2 sm:col-span-2">
        {/* Unticked boxes post nothing: the hidden "false" comes first, a ticked box's "true" wins. */}
        <input type="hidden" name={name} value="false" />
        <input
          id={id}
          name={name}
          type="checkbox"
          value="true"
          defaultChecked={current === true}
          aria-invalid={error ? true : undefined}
          className="mt-0.5 size-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500"
        />
        <div>
          <span className="flex items-center gap-1.5">
            <label htmlFor={id} className="text-sm font-medium text-slate-800">
              {field.label}
            </label>
            {help}
          </span>
          {field.hint ? <p className="text-xs text-slate-500">{field.hint}</p> : null}
          {error ? <p className="mt-1 text-sm text-red-700">{errorMessage(error)}</p> : null}
        </div>
      </div>
    );
  }

  return (
    <Field id={id} label={label} hint={hint} error={error ? errorMessage(error) : null} badge={badge} help={help}>
      {(aria) => {
        if (field.kind === "enum") {
          return (
            <select
              {...aria}
              name={name}
              defaultValue={typeof current === "string" ? current : ""}
              className={inputClass(Boolean(error))}
            >
              {!field.isRequired && field.defaultValue === undefined ? <option value="">—</option> : null}
              {field.isRequired && current === undefined ? (
                <option value="" disabled>
                  —
                </option>
              ) : null}
              {field.options?.map((option) => (
                <option key={option} value={option}>
                  {field.optionLabels?.[option] ?? option}
                </option>
              ))}
            </select>
          );
        }
        if (field.kind === "number" || field.kind === "integer") {
          return (
            <input
              {...aria}
              name={name}
              type="number"
              inputMode={field.kind === "integer" ? "numeric" : "decimal"}
              step={field.kind === "integer" ? 1 : "any"}
              min={field.minimum}
              max={field.maximum}
              required={field.isRequired}
              defaultValue={typeof current === "number" ? current : ""}
              className={inputClass(Boolean(error))}
            />
          );
        }
        if (field.isSecret) {
          return (
            <input
              {...aria}
              name={name}
              type="password"
              // Never prefilled: the browser gets no stored secret, and must not autofill a login.
              defaultValue=""
              autoComplete="new-password"
              required={field.isRequired && !isStored}
              maxLength={field.maxLength}
              className={inputClass(Boolean(error))}
            />
          );
        }
        return (
          <input
            {...aria}
            name={name}
            type={field.format === "uri" ? "url" : field.format === "email" ? "email" : "text"}
            placeholder={field.standardValue}
            required={field.isRequired}
            maxLength={field.maxLength}
            defaultValue={typeof current === "string" ? current : ""}
            autoComplete="off"
            className={inputClass(Boolean(error))}
          />
        );
      }}
    </Field>
  );
}
