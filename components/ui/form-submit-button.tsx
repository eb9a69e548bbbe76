/**
 * A form's one primary button: a thumb's height, full width on phones, its own width from the
 * small breakpoint up, and the "…ing" label while the action runs.
 */
export function FormSubmitButton({
  isPending,
  label,
  pendingLabel,
}: {
  isPending: boolean;
  label: string;
  pendingLabel: string;
}) {
  return (
    <div>
      <button
        type="submit"
        disabled={isPending}
        className="inline-flex min-h-11 w-full items-center justify-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:opacity-60 sm:w-auto"
      >
        {isPending ? pendingLabel : label}
      </button>
    </div>
  );
}
