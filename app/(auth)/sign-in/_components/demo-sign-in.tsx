"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { demoSignInAction, type SignInState } from "../actions";

type DemoUserView = { email: string; name: string; role: "admin" | "accountant" | "entrepreneur" };

export function DemoSignIn({ users, callbackUrl }: { users: DemoUserView[]; callbackUrl?: string }) {
  const t = useTranslations("auth");
  const [state, formAction, isPending] = useActionState<SignInState, FormData>(demoSignInAction, {});
  return (
    <section className="rounded-xl border border-dashed border-amber-300 bg-amber-50 p-6" aria-labelledby="demo-title">
      <h2 id="demo-title" className="font-semibold text-amber-900">
        {t("demo.title")}
      </h2>
      <p className="mt-1 text-sm text-amber-900/80">{t("demo.intro")}</p>
      {state.error ? (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {t(`signIn.errors.${state.error}`)}
        </p>
      ) : null}
      <ul className="mt-4 flex flex-col gap-2">
        {users.map((user) => (
          <li key={user.email}>
            <form action={formAction}>
              <input type="hidden" name="email" value={user.email} />
              {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
              <button
                type="submit"
                disabled={isPending}
                className="flex w-full items-center justify-between gap-3 rounded-md border border-amber-200 bg-white px-3 py-2 text-left hover:border-amber-400 disabled:opacity-60"
              >
                <span className="min-w-0">
                  <span className="block font-medium">{user.name}</span>
                  <span className="block truncate text-xs text-slate-500">{user.email}</span>
                </span>
                <span className="shrink-0 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">
                  {t(`demo.roles.${user.role}`)}
                </span>
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}
