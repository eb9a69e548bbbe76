import Link from "next/link";
import { getTranslations } from "next-intl/server";

/**
 * A document id that does not exist, is malformed, was deleted, or belongs to someone else: one
 * answer for all, so the page never tells an outsider that a document exists.
 */
export default async function DocumentNotFound() {
  const t = await getTranslations("documents.notFound");
  return (
    <section className="mx-auto mt-6 w-full max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight text-slate-900">{t("title")}</h1>
      <p className="mt-2 text-sm text-slate-600">{t("body")}</p>
      <Link
        href="/"
        className="mt-6 inline-flex min-h-11 items-center rounded-md bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700"
      >
        {t("back")}
      </Link>
    </section>
  );
}
