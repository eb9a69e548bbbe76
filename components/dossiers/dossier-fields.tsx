import { useTranslations } from "next-intl";
import type { InputHTMLAttributes, ReactNode } from "react";
import { controlClass, FieldHintAndError, fieldDescribedBy } from "@/components/ui/field-parts";
import { LocaleField } from "@/components/ui/locale-field";

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
        aria-describedby={fieldDescribedBy(id, hint, error)}
        className={controlClass(Boolean(error))}
      />
      <FieldHintAndError id={id} hint={hint} error={error} />
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
  return (
    <LocaleField
      id={id}
      name={name}
      label={t("label")}
      hint={t("hint")}
      optionLabel={(locale) => t(`names.${locale}`)}
      defaultValue={defaultValue}
      error={error}
      className={className}
    />
  );
}
