import { controlClass, FieldHintAndError, fieldDescribedBy } from "@/components/ui/field-parts";
import { LOCALES, type Locale } from "@/lib/i18n/config";

/**
 * A language select (NL/FR/EN) with its label, hint and error, wired for screen readers: the
 * dossier's language and the language of an invitation's mail. Uncontrolled: React sets a select's
 * default only when it mounts and resets the form to it after a submit, so a new default (what was
 * chosen, sent back with an error) gets a new select.
 */
export function LocaleField({
  id,
  name = "locale",
  label,
  hint,
  optionLabel,
  defaultValue,
  error,
  className,
  selectClassName,
}: {
  id: string;
  name?: string;
  label: string;
  hint?: string;
  /** A language's name, as the page words it. */
  optionLabel: (locale: Locale) => string;
  defaultValue: string;
  /** The translated message. */
  error?: string | null;
  className?: string;
  /** Added to the select's own classes (its height and width on the page). */
  selectClassName?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        key={defaultValue}
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={fieldDescribedBy(id, hint, error)}
        className={`${controlClass(Boolean(error))}${selectClassName ? ` ${selectClassName}` : ""}`}
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale}>
            {optionLabel(locale)}
          </option>
        ))}
      </select>
      <FieldHintAndError id={id} hint={hint} error={error} />
    </div>
  );
}
