import { useErrorMessage } from "@/components/ui/use-error-message";
import type { ActionFailure } from "@/lib/actions/result";

/**
 * A refused form's errors: per field the first message key ("emails.<n>", one item of a list,
 * counts for "emails"), and, when no field has one, the refusal itself translated, for the top
 * of the form.
 */
export function useFormErrors<F extends string>(
  fields: readonly F[],
  failure: ActionFailure | null,
): { errors: Partial<Record<F, string>>; formError: string | null } {
  const errorMessage = useErrorMessage();
  const errors: Partial<Record<F, string>> = {};
  for (const [path, keys] of Object.entries(failure?.fieldErrors ?? {})) {
    const field = fields.find((name) => path === name || path.startsWith(`${name}.`));
    if (field && !errors[field] && keys[0]) errors[field] = keys[0];
  }
  const formError =
    failure && Object.keys(errors).length === 0
      ? errorMessage(failure.error.messageKey, failure.error.messageValues)
      : null;
  return { errors, formError };
}
