import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { isOutboxOpenToAnyone } from "@/lib/email/outbox";
import { signUpMode } from "@/lib/env";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("signUp.checkEmail");
  return { title: t("title") };
}

/** After /sign-up: the confirmation link is on its way; nothing exists until it is followed. */
export default async function SignUpCheckEmailPage() {
  if (signUpMode() === "off") notFound();
  const t = await getTranslations("signUp.checkEmail");
  // Under `next dev` without Resend the link is in the local outbox, as for sign-in links.
  const showsOutbox = isOutboxOpenToAnyone();
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col justify-center gap-4 px-4 py-10">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{t("title")}</h1>
        <p className="mt-2 text-slate-700">{t("body")}</p>
        <p className="mt-2 text-sm text-slate-600">{t("noMail")}</p>
        {showsOutbox ? (
          <p className="mt-4 text-sm text-slate-600">
            {t("outboxHint")}{" "}
            <Link href="/dev/outbox" className="font-medium text-brand-600 underline">
              {t("outboxLink")}
            </Link>
          </p>
        ) : null}
        <Link href="/sign-in" className="mt-6 inline-block text-sm text-brand-600 underline">
          {t("back")}
        </Link>
      </section>
    </main>
  );
}
