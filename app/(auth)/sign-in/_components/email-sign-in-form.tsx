"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { requestMagicLinkAction, type SignInState } from "../actions";

export function EmailSignInForm({ callbackUrl }: { callbackUrl?: string }) {
  const t = useTranslations("auth");
  const [state, formAction, isPending] = useActionState<SignInState, FormData>(requestMagicLinkAction, {});
  return (
    <form action={formAction} className="mt-5 flex flex-col gap-3" noValidate>
      <label htmlFor="email" className="text-sm font-medium">
        {t("signIn.emailLabel")}
      </label>
      <input
        id="email"
        name="email"
        type="email"
        autoComplete="email"
        required
        aria-invalid={state.error ? true : undefined}
        aria-describedby={state.error ? "email-error" : undefined}
        className="rounded-md border border-slate-300 px-3 py-2 text-base focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none"
      />
      {state.error ? (
        <p id="email-error" role="alert" className="text-sm text-red-700">
          {t(`signIn.errors.${state.error}`, { minutes: state.minutes ?? 15 })}
        </p>
      ) : null}
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <button
        type="submit"
        disabled={isPending}
        className="rounded-md bg-brand-600 px-4 py-2.5 font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {t("signIn.sendLink")}
      </button>
    </form>
  );
}
