import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/ui/client-messages";
import { LanguageSwitch } from "@/components/ui/language-switch";
import { DEMO_USERS } from "@/lib/auth/demo-users";
import { getSessionUserId } from "@/lib/auth/session";
import { isDemoEnabled, signUpMode } from "@/lib/env";
import { DemoSignIn } from "./_components/demo-sign-in";
import { EmailSignInForm } from "./_components/email-sign-in-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("signIn.title") };
}

export default function SignInPage(props: Parameters<typeof SignInPageContent>[0]) {
  return (
    <ClientMessages area="signIn">
      <SignInPageContent {...props} />
    </ClientMessages>
  );
}

async function SignInPageContent({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  if (await getSessionUserId()) redirect("/");
  const { callbackUrl, error } = await searchParams;
  const t = await getTranslations("auth");
  const tSignUp = await getTranslations("signUp");
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col justify-center gap-6 px-4 py-10">
      <div className="flex items-center justify-between">
        <span className="text-2xl font-semibold tracking-tight text-brand-700">Koppel</span>
        <LanguageSwitch />
      </div>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{t("signIn.title")}</h1>
        <p className="mt-1 text-sm text-slate-600">{t("signIn.intro")}</p>
        {error ? (
          <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
            {t("signIn.linkInvalid")}
          </p>
        ) : null}
        <EmailSignInForm callbackUrl={callbackUrl} />
      </section>
      {signUpMode() === "off" ? null : (
        <p className="text-center text-sm text-slate-600">
          {tSignUp("newOffice")}{" "}
          <Link href="/sign-up" className="font-medium text-brand-600 underline">
            {tSignUp("newOfficeLink")}
          </Link>
        </p>
      )}
      {isDemoEnabled() ? (
        <DemoSignIn
          callbackUrl={callbackUrl}
          users={DEMO_USERS.map((user) => ({ email: user.email, name: user.name, role: user.role }))}
        />
      ) : null}
    </main>
  );
}
