"use client";

import { useActionState } from "react";
import { type AcceptInvitationState, acceptInvitationAction } from "../actions";

type Labels = { submit: string; errors: Record<NonNullable<AcceptInvitationState["error"]>, string> };

/** The one button of an invitation: accept (or create the office) and sign in. */
export function AcceptInvitationForm({ token, labels }: { token: string; labels: Labels }) {
  const [state, formAction, isPending] = useActionState<AcceptInvitationState, FormData>(acceptInvitationAction, {});
  return (
    <form action={formAction} className="mt-6 flex flex-col gap-3">
      <input type="hidden" name="token" value={token} />
      {state.error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
          {labels.errors[state.error]}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={isPending}
        className="min-h-11 rounded-md bg-brand-600 px-4 py-2.5 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {labels.submit}
      </button>
    </form>
  );
}
