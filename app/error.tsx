"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { useTranslations } from "@/components/ui/root-messages";

/**
 * Unexpected errors below the root layout. The user gets a generic message and, for support, the
 * digest that matches the server log; never the error's message or stack. When the server lost
 * its database (its error is hidden from the browser, so the page asks: a HEAD of this page then
 * answers 503, see proxy.ts), it says so instead: the documents are safe and go on when it is back.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const generic = useTranslations("errorPages.error");
  const database = useTranslations("errorPages.databaseUnavailable");
  const [isDatabaseLost, setIsDatabaseLost] = useState(false);
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  useEffect(() => {
    console.error(error);
    let isCurrent = true;
    fetch(window.location.href, { method: "HEAD", cache: "no-store" })
      .then((response) => {
        if (isCurrent && response.status === 503) setIsDatabaseLost(true);
      })
      .catch(() => {});
    return () => {
      isCurrent = false;
    };
  }, [error]);
  const t = (key: "title" | "body" | "retry") => (isDatabaseLost ? database(key) : generic(key));
  return (
    <main className="mx-auto flex w-full max-w-lg flex-col justify-center px-4 py-16">
      <section role="alert" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight text-slate-900">{t("title")}</h1>
        <p className="mt-2 text-sm text-slate-600">{t("body")}</p>
        {digest && !isDatabaseLost ? (
          <p className="mt-3 text-xs text-slate-500">{generic("reference", { digest })}</p>
        ) : null}
        <div className="mt-6 flex flex-wrap gap-2">
          <button
            type="button"
            onClick={() => retry()}
            className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700"
          >
            {t("retry")}
          </button>
          <Link
            href="/"
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
          >
            {generic("home")}
          </Link>
        </div>
      </section>
    </main>
  );
}
