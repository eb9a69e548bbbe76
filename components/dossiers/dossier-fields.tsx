import { useTranslations } from "next-intl";
import type { InputHTMLAttributes, ReactNode } from "react";
import { LOCALES } from "@/lib/i18n/config";

/** The border of a field, red while it has an error. */
function controlClass(hasError: boolean): string {
  return `mt-1 block w-full min-w-0 rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
    hasError
      ? "border-red-400 focus:border-red-500 focus:ring-red-100"
      : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;
}

type FieldProps = {
  id: string;
  name: string;
  label: ReactNode;
  /** Shown under the field and read with it. */
  hint?: string;
  defaultValue: string;
  /** The translated message, shown under the field and read with it. */
  error?: string | null;
  className?: string;
};

function describedBy(id: string, hint: string | undefined, error: string | null | undefined): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

function HintAndError({ id, hint, error }: { id: string; hint?: string; error?: string | null }) {
  return (
    <>
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
    </>
  );
}

/**
 * One text field of a dossier form (name, company number, VAT number): label, input, hint and the
 * field's error, wired for screen readers. Uncontrolled: after a failed submit React resets the
 * form to `defaultValue`, so callers pass back what was typed.
 */
export function DossierTextField({
  id,
  name,
  label,
  hint,
  defaultValue,
  error,
  className,
  ...input
}: FieldProps &
  Pick<InputHTMLAttributes<HTMLInputElement>, "inputMode" | "autoComplete" | "placeholder" | "required">) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        {...input}
        id={id}
        name={name}
        type="text"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className={controlClass(Boolean(error))}
      />
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

/**
 * The dossier's language (NL/FR/EN): the language of the mails sent to its package. Names the
 * languages in the reader's own language.
 */
export function DossierLocaleField({
  id,
  name = "locale",
  defaultValue,
  error,
  className,
}: Omit<FieldProps, "name" | "label" | "hint"> & { name?: string }) {
  const t = useTranslations("dossier.locale");
  const hint = t("hint");
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {t("label")}
      </label>
      <select
        // React sets a select's default only when it mounts, and resets the form to it after a
        // submit: a new default (what was chosen, sent back with an error) needs a new select.
        key={defaultValue}
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className={controlClass(Boolean(error))}
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale}>
            {t(`names.${locale}`)}
          </option>
        ))}
      </select>
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}
