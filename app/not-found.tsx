import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("errorPages.notFound");
  return { title: t("metaTitle") };
}

/**
 * Unknown routes, and every id the user may not see: services throw NotFoundError for another
 * tenant's ids too, so this page never tells "exists but not yours" from "does not exist".
 */
export default async function NotFound() {
  const t = await getTranslations("errorPages.notFound");
  return <ErrorPanel code={t("code")} title={t("title")} body={t("body")} homeLabel={t("home")} />;
}

function ErrorPanel({
  code,
  title,
  body,
  homeLabel,
}: {
  code: string;
  title: string;
  body: string;
  homeLabel: string;
}) {
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-lg flex-col justify-center px-4 py-10">
      <Link href="/" className="mb-6 text-2xl font-semibold tracking-tight text-brand-700">
        Koppel
      </Link>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <p className="text-sm font-semibold text-brand-600">{code}</p>
        <h1 className="mt-1 text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <p className="mt-2 text-sm text-slate-600">{body}</p>
        <Link
          href="/"
          className="mt-6 inline-flex rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700"
        >
          {homeLabel}
        </Link>
      </section>
    </main>
  );
}
