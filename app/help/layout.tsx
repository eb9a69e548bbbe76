import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { ClientMessages } from "@/components/ui/client-messages";
import { LanguageSwitch } from "@/components/ui/language-switch";
import { getSessionUserId } from "@/lib/auth/session";
import { HELP_HOME } from "@/lib/help/links";
import { HelpSearch } from "./_components/help-search";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("help.meta");
  return { title: { default: t("title"), template: `%s · ${t("title")} · Koppel` }, description: t("description") };
}

/**
 * The help's shell, public (lib/auth/auth.config.ts): Koppel's brand, the search, the language
 * switch (a cookie for anonymous readers, the stored choice for signed-in ones, like every page)
 * and the way in or back to the app. Light on purpose: no database query but the session check.
 */
export default async function HelpLayout({ children }: { children: ReactNode }) {
  const [t, userId] = await Promise.all([getTranslations("help.shell"), getSessionUserId()]);
  return (
    <ClientMessages area="help">
      <div className="flex min-h-dvh flex-col">
        <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur supports-[backdrop-filter]:bg-white/80">
          <div className="mx-auto flex h-14 max-w-6xl items-center gap-2 px-4 sm:gap-4 sm:px-6">
            <Link
              href="/"
              aria-label={t("home")}
              className="shrink-0 rounded-md text-lg font-semibold tracking-tight text-brand-700 hover:text-brand-600"
            >
              Koppel
            </Link>
            <span aria-hidden="true" className="h-5 w-px shrink-0 bg-slate-200" />
            <Link
              href={HELP_HOME}
              className="min-w-0 flex-1 truncate text-sm font-medium text-slate-700 hover:text-slate-900"
            >
              {t("helpHome")}
            </Link>
            <LanguageSwitch />
            <Link
              href="/"
              className="hidden shrink-0 rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700 sm:inline-flex"
            >
              {userId ? t("toApp") : t("signIn")}
            </Link>
          </div>
        </header>
        <div className="border-b border-slate-200 bg-white">
          <div className="mx-auto max-w-6xl px-4 py-3 sm:px-6">
            <HelpSearch />
          </div>
        </div>
        <main id="content" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
          {children}
        </main>
      </div>
    </ClientMessages>
  );
}
