import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { auth } from "@/lib/auth/auth";
import { requireActor } from "@/lib/auth/session";
import { landingPath } from "@/lib/portals/landing";
import { SignOutButton } from "../_components/sign-out-button";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common.noAccess");
  return { title: t("metaTitle") };
}

/** Signed in, but in no portal and no dossier (yet): say so, and offer another address. */
export default async function NoAccessPage() {
  const actor = await requireActor();
  // Access granted since the last visit: go where the user belongs.
  const landing = landingPath(actor);
  if (landing !== "/no-access") redirect(landing);
  const [session, t] = await Promise.all([auth(), getTranslations("common.noAccess")]);
  return (
    <div className="mx-auto max-w-lg py-8 sm:py-16">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <div className="mb-4 flex size-10 items-center justify-center rounded-full bg-amber-50 text-amber-700 ring-1 ring-amber-600/20 ring-inset">
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5">
            <path
              fill="currentColor"
              fillRule="evenodd"
              d="M10 1.5a4.5 4.5 0 0 0-4.5 4.5v2H5a2 2 0 0 0-2 2v6.5a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2h-.5V6A4.5 4.5 0 0 0 10 1.5ZM13 8V6a3 3 0 1 0-6 0v2h6Z"
              clipRule="evenodd"
            />
          </svg>
        </div>
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">{t("title")}</h1>
        <p className="mt-2 text-sm text-slate-700">{t("body", { email: session?.user?.email ?? "" })}</p>
        <p className="mt-2 text-sm text-slate-600">{t("hint")}</p>
        <div className="mt-6">
          <SignOutButton
            label={t("signOut")}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
          />
        </div>
      </div>
    </div>
  );
}
