import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { ClientMessages } from "@/components/ui/client-messages";
import { LanguageSwitch } from "@/components/ui/language-switch";
import { getDb } from "@/db";
import { signUpMode } from "@/lib/env";
import { isLocale, LOCALES } from "@/lib/i18n/config";
import { InvitationUnusableError, type UnusableInvitationState, viewInvitation } from "@/lib/invitations/accept";
import { findSignUpInvite } from "@/lib/invitations/sign-up";
import { SignUpForm } from "./_components/sign-up-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("signUp");
  return { title: t("title") };
}

/** Why an `office:invite` link that findSignUpInvite refused does not work, for its page. */
async function unusableStateOf(token: string): Promise<UnusableInvitationState> {
  try {
    // It opens (another kind of invitation pasted here, or a race): for /sign-up it is no invite.
    await viewInvitation(await getDb(), token);
    return "unknown";
  } catch (error) {
    if (error instanceof InvitationUnusableError) return error.state;
    throw error;
  }
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col justify-center gap-6 px-4 py-10">
      <div className="flex items-center justify-between">
        <span className="text-2xl font-semibold tracking-tight text-brand-700">Koppel</span>
        <LanguageSwitch />
      </div>
      {children}
    </main>
  );
}

/** A page that explains why there is no form here, with the way back to sign-in. */
async function Notice({ title, body }: { title: string; body: string }) {
  const t = await getTranslations("signUp");
  return (
    <Shell>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="mt-2 text-slate-700">{body}</p>
        <Link href="/sign-in" className="mt-6 inline-block text-sm font-medium text-brand-600 underline">
          {t("backToSignIn")}
        </Link>
      </section>
    </Shell>
  );
}

/**
 * An office signs itself up (KOPPEL_SIGNUP): open to anyone under "open", through a single-use
 * `npm run office:invite` link under "invite" (the address is then the invite's), and not at all
 * under "off" (404: the operator makes offices with `npm run office:create`).
 */
export default function SignUpPage(props: Parameters<typeof SignUpPageContent>[0]) {
  return (
    <ClientMessages area="signUp">
      <SignUpPageContent {...props} />
    </ClientMessages>
  );
}

async function SignUpPageContent({ searchParams }: { searchParams: Promise<{ invite?: string | string[] }> }) {
  const mode = signUpMode();
  if (mode === "off") notFound();
  const t = await getTranslations("signUp");
  const uiLocale = await getLocale();
  const defaultLocale = isLocale(uiLocale) ? uiLocale : LOCALES[0];

  let invite: { token: string; email: string } | null = null;
  if (mode === "invite") {
    const { invite: param } = await searchParams;
    const token = Array.isArray(param) ? param[0] : param;
    if (!token) return <Notice title={t("inviteNeeded.title")} body={t("inviteNeeded.body")} />;
    const found = await findSignUpInvite(await getDb(), token);
    if (!found) {
      const state = await unusableStateOf(token);
      return <Notice title={t("inviteUnusable.title")} body={t(`inviteUnusable.${state}`)} />;
    }
    invite = { token, email: found.email };
  }

  return (
    <Shell>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-600">{t("intro")}</p>
        <SignUpForm defaultLocale={defaultLocale} invite={invite} />
      </section>
      <p className="text-center text-sm text-slate-600">
        {t("haveAccount")}{" "}
        <Link href="/sign-in" className="font-medium text-brand-600 underline">
          {t("signIn")}
        </Link>
      </p>
    </Shell>
  );
}
