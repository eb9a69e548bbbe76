import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireActor } from "@/lib/auth/session";
import { isShareNotice } from "@/lib/share/outcome";

type Props = { params: Promise<{ reason: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { reason } = await params;
  if (!isShareNotice(reason)) return {};
  const t = await getTranslations("share.notice");
  return { title: t(`${reason}.title`) };
}

/** Where a share that landed in no dossier ends: why, and what to do about it (lib/share/outcome.ts). */
export default async function ShareNoticePage({ params }: Props) {
  const { reason } = await params;
  if (!isShareNotice(reason)) notFound();
  await requireActor();
  const t = await getTranslations("share.notice");
  return (
    <section className="mx-auto mt-6 w-full max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight text-slate-900">{t(`${reason}.title`)}</h1>
      <p className="mt-2 text-sm text-slate-700">{t(`${reason}.body`)}</p>
      <Link
        href="/"
        className="mt-6 inline-flex min-h-11 items-center rounded-md bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700"
      >
        {t("home")}
      </Link>
    </section>
  );
}
