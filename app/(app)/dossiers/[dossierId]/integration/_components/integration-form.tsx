"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { type ReactNode, useActionState, useId, useState } from "react";
import { HelpLink } from "@/components/help/help-link";
// Field labels and hints, and the rules' notes, are keys named by the package catalog and the
// connectors' settings schemas, all under "connectors" (tests/unit/lib/integrations/dossier-field-labels.test.ts).
// i18n-dynamic-keys: connectors
import { Badge } from "@/components/ui/badge";
import { addressesHelpHref, helpHref, packageHelpHref } from "@/lib/help/links";
import { dossierFieldLabelKey } from "@/lib/integrations/connector-fields";
import type { IntegrationOption } from "@/lib/integrations/options";
import { DOCUMENT_CATEGORIES, type DocumentCategory, findPackage } from "@/lib/packages/catalog";
import { standardAddresses } from "@/lib/packages/email-addresses";
import { type SaveIntegrationState, saveIntegrationAction } from "../actions";
import { ChoiceSelect, DossierChoicesStatus, useDossierChoices } from "./dossier-choices";
import { useIntegrationMessage } from "./use-integration-message";
import { WaitingDocuments } from "./waiting-documents";

/** The translator for keys that come as data (catalog labels, hints, notes), not as literals. */
type LooseTranslate = { (key: string): string; has(key: string): boolean };

/** A catalog i18n key when it exists, else the fallback. */
function maybe(t: unknown, key: string | null | undefined, fallback = ""): string {
  const loose = t as LooseTranslate;
  return key && loose.has(key) ? loose(key) : fallback;
}

const inputClass = (hasError: boolean) =>
  `mt-1 block w-full rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
    hasError
      ? "border-red-400 focus:border-red-500 focus:ring-red-100"
      : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;

function initialValue(option: IntegrationOption, name: string): string {
  const values = option.values;
  if (!values) return "";
  const [group, field = ""] = name.split(".", 2);
  if (group === "inputs") return values.inputs[field] ?? "";
  if (group === "addresses") return values.addresses[field as DocumentCategory] ?? "";
  if (group === "settings") return values.settings[field] ?? "";
  if (name === "packageName") return values.packageName;
  return "";
}

/**
 * The form of one option: what the dossier level needs (a connector's fields, a rule's inputs with
 * the computed addresses previewed, addresses per category, or a confirmation). Field errors show
 * inline; after a failed save the typed values come back, because React resets the form.
 */
export function IntegrationForm({
  option,
  dossier,
  senderAddress,
  closeHref,
}: {
  option: IntegrationOption;
  dossier: { id: string; companyNumber: string; vatNumber: string | null };
  senderAddress: string;
  closeHref: string;
}) {
  const t = useTranslations();
  const message = useIntegrationMessage();
  const idPrefix = useId();
  const [state, formAction, isPending] = useActionState<SaveIntegrationState, FormData>(saveIntegrationAction, null);
  const failure = state && !state.ok ? state : null;
  const saved = state?.ok ? state : null;
  const fieldErrors = failure?.fieldErrors ?? {};
  const fieldValue = (name: string) => failure?.values?.[name] ?? initialValue(option, name);
  // The package's lists for a connection's fields (Exact divisions, Yuki administrations and
  // folders), read once this form is open.
  const choices = useDossierChoices(
    dossier.id,
    option.kind === "connection" && option.isAvailable && option.hasChoices && option.fields.length > 0
      ? option.connectionId
      : null,
  );

  // The rule's inputs as typed, for the live preview of the standard addresses.
  const rule = option.kind === "email_standard" ? option.rule : null;
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    rule?.kind === "template"
      ? Object.fromEntries(rule.inputs.map((input) => [input.name, fieldValue(`inputs.${input.name}`)]))
      : {},
  );

  const renderedFields = new Set<string>();
  const field = (
    name: string,
    label: string,
    options: { hint?: string; placeholder?: string; required?: boolean; type?: string; onInput?: (v: string) => void },
  ): ReactNode => {
    renderedFields.add(name);
    const id = `${idPrefix}-${name.replace(".", "-")}`;
    const error = fieldErrors[name]?.[0];
    return (
      <div key={name}>
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}{" "}
          <span className="font-normal text-slate-500">
            ({options.required ? t("integrations.form.required") : t("integrations.form.optional")})
          </span>
        </label>
        <input
          id={id}
          name={name}
          type={options.type ?? "text"}
          defaultValue={fieldValue(name)}
          placeholder={options.placeholder}
          autoComplete="off"
          spellCheck={false}
          onInput={options.onInput ? (event) => options.onInput?.(event.currentTarget.value) : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={
            [options.hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined
          }
          className={inputClass(Boolean(error))}
        />
        {options.hint ? (
          <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
            {options.hint}
          </p>
        ) : null}
        {error ? (
          <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
            {message(error)}
          </p>
        ) : null}
      </div>
    );
  };

  // The option's article in the help, and its section on the mail addresses.
  const packageOfOption = "packageId" in option ? option.packageId : null;
  const optionHelpHref =
    option.kind === "none"
      ? helpHref("no-integration")
      : option.kind === "free_email"
        ? helpHref("free-email")
        : packageOfOption
          ? packageHelpHref(packageOfOption)
          : null;
  const addressesHelp = (
    <HelpLink
      href={addressesHelpHref(option.kind === "free_email" ? "free-email" : (packageOfOption ?? "free-email"))}
      topic={t("integrations.form.addressesLegend")}
      isNewTab
    />
  );

  const addressFields = (
    categories: readonly DocumentCategory[],
    required: readonly DocumentCategory[],
    hint?: string,
  ) => {
    const groupError = fieldErrors.addresses?.[0];
    renderedFields.add("addresses");
    return (
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-1 flex items-center gap-1.5 text-sm font-semibold text-slate-900">
          {t("integrations.form.addressesLegend")}
          {addressesHelp}
        </legend>
        {hint ? <p className="-mt-1 text-xs text-slate-500">{hint}</p> : null}
        {groupError ? (
          <p role="alert" className="text-sm text-red-700">
            {message(groupError)}
          </p>
        ) : null}
        <div className="grid gap-3 md:grid-cols-3">
          {categories.map((category) =>
            field(`addresses.${category}`, t(`connectors.categories.${category}`), {
              type: "email",
              required: required.includes(category),
            }),
          )}
        </div>
      </fieldset>
    );
  };

  let title = "";
  let body: ReactNode = null;
  let canSubmit = true;
  const hidden: Record<string, string> = { dossierId: dossier.id, kind: option.kind };

  switch (option.kind) {
    case "connection": {
      hidden.connectionId = option.connectionId;
      title = t("integrations.form.titles.connection", { package: option.packageName, label: option.label });
      canSubmit = option.isAvailable;
      const choiceState = choices.state;
      const connectionField = (connectorField: (typeof option.fields)[number]) => {
        const name = `settings.${connectorField.name}`;
        const label = maybe(t, dossierFieldLabelKey(connectorField, option.packageId), connectorField.name);
        const hint = maybe(t, connectorField.hintKey) || undefined;
        const list = choiceState.status === "loaded" ? choiceState.choices[connectorField.name] : undefined;
        const isPicked = choiceState.status === "loading" || (list !== undefined && list.length > 0);
        if (!isPicked) {
          // No list for this field, or it could not be read: typed in, as for any connector.
          return field(name, label, {
            hint: list?.length === 0 ? t("integrations.form.choices.empty", { package: option.packageName }) : hint,
            required: connectorField.isRequired,
            type: "text",
          });
        }
        renderedFields.add(name);
        const error = fieldErrors[name]?.[0];
        return (
          <ChoiceSelect
            // A fresh select once the list is there (so it starts at the suggestion) and whenever
            // its starting value changes (after a save), as React's form reset returns to it.
            key={`${name}:${choiceState.status}:${fieldValue(name)}`}
            id={`${idPrefix}-${name.replace(".", "-")}`}
            name={name}
            label={label}
            isRequired={connectorField.isRequired}
            hint={hint}
            error={error ? message(error) : undefined}
            initialValue={fieldValue(name)}
            choices={list ?? null}
            suggestedValue={choiceState.status === "loaded" ? choiceState.suggested[connectorField.name] : undefined}
          />
        );
      };
      body = (
        <>
          {["needs_reauth", "error"].includes(option.connectionStatus) ? (
            <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-600/20 ring-inset">
              {t("integrations.form.connectionStatusWarning", {
                status: t(`integrations.current.connectionStatus.${option.connectionStatus}`),
              })}
            </p>
          ) : null}
          {!option.isAvailable ? (
            <p className="text-sm text-slate-700">
              {t("integrations.form.connectionUnavailable", { package: option.packageName })}
            </p>
          ) : option.fields.length === 0 ? (
            <p className="text-sm text-slate-700">{t("integrations.form.connectionNoFields")}</p>
          ) : (
            <>
              <DossierChoicesStatus state={choiceState} packageName={option.packageName} onReload={choices.reload} />
              <div className="grid gap-3 md:grid-cols-2">{option.fields.map(connectionField)}</div>
            </>
          )}
        </>
      );
      break;
    }
    case "email_standard": {
      hidden.packageId = option.packageId;
      title = t("integrations.form.titles.email_standard", { package: option.packageName });
      if (option.rule.kind === "template") {
        const templateRule = option.rule;
        const entry = findPackage(option.packageId);
        const preview = entry ? standardAddresses(entry, dossier, inputs) : null;
        body = (
          <>
            <p className="text-sm text-slate-700">{t("connectors.rules.template")}</p>
            {templateRule.inputs.length > 0 ? (
              <fieldset className="flex flex-col gap-3">
                <legend className="mb-1 flex items-center gap-1.5 text-sm font-semibold text-slate-900">
                  {t("integrations.form.inputsLegend")}
                  {addressesHelp}
                </legend>
                <div className="grid gap-3 md:grid-cols-2">
                  {templateRule.inputs.map((input) =>
                    field(`inputs.${input.name}`, maybe(t, input.labelKey, input.name), {
                      hint: maybe(t, input.hintKey) || undefined,
                      placeholder: input.example,
                      required: true,
                      onInput: (value) => setInputs((previous) => ({ ...previous, [input.name]: value })),
                    }),
                  )}
                </div>
              </fieldset>
            ) : null}
            <div className="rounded-lg border border-slate-200 bg-white p-3">
              <p className="text-sm font-semibold text-slate-900">{t("integrations.form.preview")}</p>
              <ul className="mt-1 flex flex-col gap-1 text-sm" aria-live="polite">
                {DOCUMENT_CATEGORIES.map((category) => {
                  const isByMail = templateRule.addresses[category] !== null;
                  const address = preview?.ok ? preview.addresses[category] : null;
                  return (
                    <li key={category} className="flex min-w-0 flex-wrap items-baseline gap-x-2">
                      <span className="w-20 shrink-0 text-slate-500">{t(`connectors.categories.${category}`)}</span>
                      {!isByMail ? (
                        <span className="text-slate-400">{t("connectors.rules.notByMail")}</span>
                      ) : address ? (
                        <span className="min-w-0 font-medium break-words text-slate-900" data-preview={category}>
                          {address}
                        </span>
                      ) : (
                        <span className="text-slate-400">{t("integrations.form.previewIncomplete")}</span>
                      )}
                    </li>
                  );
                })}
              </ul>
            </div>
          </>
        );
      } else {
        body = (
          <>
            <p className="text-sm text-slate-700">{t("connectors.rules.ask")}</p>
            {addressFields(option.acceptedCategories, option.acceptedCategories)}
          </>
        );
      }
      break;
    }
    case "email_individual":
      hidden.packageId = option.packageId;
      title = t("integrations.form.titles.email_individual", { package: option.packageName });
      body = addressFields(DOCUMENT_CATEGORIES, option.acceptedCategories, t("integrations.form.individualHint"));
      break;
    case "free_email":
      title = t("integrations.form.titles.free_email");
      body = (
        <>
          <div className="md:max-w-md">
            {field("packageName", t("integrations.form.packageName"), { hint: t("integrations.form.packageNameHint") })}
          </div>
          {addressFields(DOCUMENT_CATEGORIES, [], t("integrations.form.freeAddressesHint"))}
        </>
      );
      break;
    case "none":
      title = t("integrations.form.titles.none");
      body = <p className="text-sm text-slate-700">{t("integrations.form.noneBody")}</p>;
      break;
  }

  // What the package's rule says (fact status, note, sender filter), for the mail options.
  const mailRule =
    option.kind === "email_standard" || option.kind === "email_individual"
      ? findPackage(option.packageId)?.email
      : undefined;
  const ruleInfo = mailRule ? (
    <div className="flex flex-col gap-1.5 text-sm text-slate-700">
      {option.kind === "email_standard" ? (
        <p className="flex flex-wrap items-center gap-2">
          <Badge tone={mailRule.status === "verified" ? "green" : mailRule.status === "assumed" ? "yellow" : "grey"}>
            {t("integrations.form.ruleStatus", { status: t(`connectors.status.${mailRule.status}`) })}
          </Badge>
          <span className="text-xs text-slate-500">{t(`connectors.statusHints.${mailRule.status}`)}</span>
        </p>
      ) : null}
      {mailRule.noteKey ? <p>{maybe(t, mailRule.noteKey)}</p> : null}
      {mailRule.hasSenderFilter ? <p>{t("connectors.rules.senderFilter", { sender: senderAddress })}</p> : null}
    </div>
  ) : null;

  // Errors that belong to no visible field (rights, a hidden id, the unexpected) go on top.
  const formErrors = failure
    ? Object.entries(fieldErrors)
        .filter(([name]) => !renderedFields.has(name))
        .flatMap(([, keys]) => keys)
    : [];
  const topError =
    failure && (formErrors.length > 0 || Object.keys(fieldErrors).length === 0)
      ? message(formErrors[0] ?? failure.error.messageKey)
      : null;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-start justify-between gap-4">
        <div className="flex min-w-0 items-center gap-2">
          <h3 className="text-base font-semibold text-slate-900">{title}</h3>
          {optionHelpHref ? <HelpLink href={optionHelpHref} topic={title} isNewTab /> : null}
        </div>
        <Link href={closeHref} scroll={false} className="shrink-0 text-sm font-medium text-slate-600 hover:underline">
          {t("integrations.choose.close")}
        </Link>
      </div>
      {ruleInfo}
      {topError ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-red-600/20 ring-inset">
          {topError}
        </p>
      ) : null}
      <form action={formAction} noValidate className="flex flex-col gap-4">
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        {body}
        {canSubmit ? (
          <div>
            <button
              type="submit"
              disabled={isPending}
              className={`w-full rounded-md px-4 py-2 text-sm font-medium text-white shadow-xs disabled:opacity-60 sm:w-auto ${
                option.kind === "none" ? "bg-red-700 hover:bg-red-800" : "bg-brand-600 hover:bg-brand-700"
              }`}
            >
              {isPending
                ? t("integrations.form.saving")
                : option.kind === "none"
                  ? t("integrations.form.confirmNone")
                  : t("integrations.form.save")}
            </button>
          </div>
        ) : null}
      </form>
      {saved ? (
        <div
          role="status"
          className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
        >
          <p>{saved.state === "ok" ? t("integrations.form.saved") : t("integrations.form.savedNeedsAttention")}</p>
          {saved.warnings.map((warning) => (
            <p key={warning.field} className="mt-1 text-amber-900">
              {t(`connectors.categories.${warning.field.split(".")[1] as DocumentCategory}`)}:{" "}
              {message(warning.messageKey, warning.values)}
            </p>
          ))}
          <WaitingDocuments dossierId={dossier.id} outcome={saved.documents} sendsDocuments={option.kind !== "none"} />
        </div>
      ) : null}
    </div>
  );
}
