/** The border of a text field or select, red while it has an error. */
export function controlClass(hasError: boolean): string {
  return `mt-1 block w-full min-w-0 rounded-md border bg-white px-3 py-2 text-base shadow-xs focus:ring-2 focus:outline-none sm:text-sm ${
    hasError
      ? "border-red-400 focus:border-red-500 focus:ring-red-100"
      : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
  }`;
}

/** The ids a field is described by: its hint, then its error, as FieldHintAndError names them. */
export function fieldDescribedBy(id: string, hint: string | undefined, error: string | null | undefined) {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** What goes under a field: its hint, then its (translated) error. */
export function FieldHintAndError({ id, hint, error }: { id: string; hint?: string; error?: string | null }) {
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
