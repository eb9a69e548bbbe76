import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { isOutboxOpenToAnyone } from "@/lib/email/outbox";

export default async function CheckEmailPage() {
  const t = await getTranslations("auth");
  // Under `next dev` without Resend, whatever KOPPEL_DEMO says: the sign-in link is in the outbox.
  const showsOutbox = isOutboxOpenToAnyone();
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col justify-center gap-4 px-4 py-10">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{t("checkEmail.title")}</h1>
        <p className="mt-2 text-slate-700">{t("checkEmail.body")}</p>
        {showsOutbox ? (
          <p className="mt-4 text-sm text-slate-600">
            {t("checkEmail.outboxHint")}{" "}
            <Link href="/dev/outbox" className="font-medium text-brand-600 underline">
              {t("checkEmail.outboxLink")}
            </Link>
          </p>
        ) : null}
        <Link href="/sign-in" className="mt-6 inline-block text-sm text-brand-600 underline">
          {t("checkEmail.back")}
        </Link>
      </section>
    </main>
  );
}
