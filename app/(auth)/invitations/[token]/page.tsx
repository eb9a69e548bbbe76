import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { LanguageSwitch } from "@/components/ui/language-switch";
import { getDb } from "@/db";
import { auth } from "@/lib/auth/auth";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import { isLocale, LOCALE_COOKIE, type Locale } from "@/lib/i18n/config";
import { resolveLocale } from "@/lib/i18n/resolve-locale";
import {
  InvitationUnusableError,
  type InvitationView,
  landingOfAcceptedInvitation,
  type UnusableInvitationState,
  viewInvitation,
} from "@/lib/invitations/accept";
import { AcceptInvitationForm } from "./_components/accept-form";
import { switchAccountForInvitationAction } from "./actions";

type Props = { params: Promise<{ token: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("invitations.page");
  return { title: t("title"), robots: { index: false } };
}

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto flex min-h-dvh w-full max-w-md flex-col justify-center gap-6 px-4 py-10">
      <div className="flex items-center justify-between">
        <span className="text-2xl font-semibold tracking-tight text-brand-700">Koppel</span>
        <LanguageSwitch />
      </div>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">{children}</section>
    </main>
  );
}

async function UnusablePage({ state }: { state: UnusableInvitationState }) {
  const t = await getTranslations("invitations.page");
  return (
    <Shell>
      <h1 className="text-xl font-semibold">{t(`states.${state}.title`)}</h1>
      <p className="mt-2 text-slate-700">{t(`states.${state}.body`)}</p>
      <Link href="/sign-in" className="mt-6 inline-block text-sm font-medium text-brand-700 underline">
        {t("signIn")}
      </Link>
    </Shell>
  );
}

/**
 * An invitation's link: says what accepting means (which office or dossier, which role) in the
 * invitee's language (unless they picked one), and accepts with one button. Opening it changes
 * nothing, so a mail scanner that follows links cannot use it up.
 */
export default async function InvitationPage({ params }: Props) {
  const { token } = await params;
  const db = await getDb();
  const session = await auth();
  let view: InvitationView;
  try {
    view = await viewInvitation(db, token);
  } catch (error) {
    if (!(error instanceof InvitationUnusableError)) throw error;
    const landing = session?.user?.id ? await landingOfAcceptedInvitation(db, token, session.user.id) : null;
    if (landing) redirect(landing);
    return <UnusablePage state={error.state} />;
  }
  if (view.kind === "sign_up_invite") redirect(`/sign-up?invite=${encodeURIComponent(token)}`);

  // The invitee's language, unless they chose one here (the cookie) or are signed in.
  const hasChosen = isLocale((await cookies()).get(LOCALE_COOKIE)?.value) || Boolean(session?.user);
  const locale: Locale = hasChosen ? await resolveLocale() : view.locale;
  const t = await getTranslations({ locale, namespace: "invitations" });
  const values = {
    inviter: view.inviterName ?? "",
    office: view.officeName ?? "",
    dossier: view.dossierName ?? "",
    role: view.role ? t(`roles.${view.role}`) : "",
    name: view.signUp?.personName ?? "",
    companyNumber: view.signUp ? formatCompanyNumber(view.signUp.companyNumber) : "",
    email: view.email,
    expires: new Intl.DateTimeFormat(`${locale}-BE`, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "Europe/Brussels",
    }).format(view.expiresAt),
  };
  const currentEmail = session?.user?.email?.toLowerCase();
  const variant = view.kind === "portal_member" && !view.inviterName ? "portal_member_operator" : view.kind;

  return (
    <Shell>
      <h1 className="text-xl font-semibold">{t(`page.${variant}.title`, values)}</h1>
      <p className="mt-2 text-slate-700">{t(`page.${variant}.body`, values)}</p>
      {view.kind === "portal_member" && view.role ? (
        <p className="mt-3 text-sm text-slate-600">{t(`page.portal_member.${view.role}`)}</p>
      ) : null}
      {view.kind === "dossier_member" || view.kind === "office_sign_up" ? (
        <p className="mt-3 text-sm text-slate-600">{t(`page.${view.kind}.what`)}</p>
      ) : null}
      {currentEmail && currentEmail !== view.email ? (
        <div className="mt-6 rounded-md border border-amber-200 bg-amber-50 p-4">
          <h2 className="font-medium text-amber-900">{t("page.otherAccount.title")}</h2>
          <p className="mt-1 text-sm text-amber-900">
            {t("page.otherAccount.body", { ...values, current: currentEmail })}
          </p>
          <form action={switchAccountForInvitationAction} className="mt-3">
            <input type="hidden" name="token" value={token} />
            <button
              type="submit"
              className="min-h-11 rounded-md border border-amber-300 bg-white px-4 py-2 text-sm font-medium text-amber-900 hover:bg-amber-100"
            >
              {t("page.otherAccount.switch")}
            </button>
          </form>
        </div>
      ) : (
        <>
          <p className="mt-4 text-sm text-slate-600">{t("page.as", values)}</p>
          <AcceptInvitationForm
            token={token}
            labels={{
              submit: view.kind === "office_sign_up" ? t("page.create") : t("page.accept"),
              errors: {
                unknown: t("page.states.unknown.body"),
                expired: t("page.states.expired.body"),
                revoked: t("page.states.revoked.body"),
                used: t("page.states.used.body"),
                officeExists: t("page.states.officeExists.body"),
                failed: t("page.failed"),
              },
            }}
          />
          <p className="mt-4 text-xs text-slate-500">{t("page.expiresAt", values)}</p>
        </>
      )}
    </Shell>
  );
}
