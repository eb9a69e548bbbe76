import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { cache } from "react";
import { ClientMessages } from "@/components/ui/client-messages";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { requireActor } from "@/lib/auth/session";
import { getDossierOverview } from "@/lib/dossiers/get";
import { listDossierClients } from "@/lib/members/dossier-clients";
import { DossierHeader } from "../_components/dossier-header";
import { AccessHistory } from "./_components/access-history";
import { AccessNoticeProvider } from "./_components/access-notice";
import { ClientList } from "./_components/client-list";
import { InvitationList } from "./_components/invitation-list";
import { InviteClientsForm } from "./_components/invite-clients-form";

type Props = {
  params: Promise<{ dossierId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const loadOverview = cache(async (dossierId: string) => {
  const actor = await requireActor();
  return getDossierOverview(await getDb(), actor, dossierId);
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { dossierId } = await params;
  const overview = await orNotFound(loadOverview(dossierId));
  const t = await getTranslations("clients.page");
  return { title: t("metaTitle", { dossier: overview.name }) };
}

/**
 * The dossier's "Toegang" tab, for the office's admins and accountants (dossierMember.manage):
 * invite entrepreneurs, see who has access and who is invited, withdraw either, and what changed.
 * Entrepreneurs never get the tab; opening its address gives them the dossier's 404.
 */
export default function DossierAccessPage(props: Props) {
  return (
    <ClientMessages area="dossierAccess">
      <DossierAccessPageContent {...props} />
    </ClientMessages>
  );
}

async function DossierAccessPageContent({ params, searchParams }: Props) {
  const { dossierId } = await params;
  const search = await searchParams;
  const actor = await requireActor();
  const overview = await orNotFound(loadOverview(dossierId));
  if (!overview.canManageClients) notFound();
  const [view, t] = await Promise.all([
    orNotFound(listDossierClients(await getDb(), actor, overview.id)),
    getTranslations("clients"),
  ]);

  return (
    <div className="flex flex-col gap-6">
      <DossierHeader overview={overview} active="access" isEditing={search.edit === "1"} />

      <div>
        <h2 className="text-lg font-semibold text-slate-900">{t("page.title")}</h2>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">{t("page.intro")}</p>
      </div>

      <div className="grid items-start gap-6 lg:grid-cols-5">
        <div className="lg:col-span-2 lg:col-start-4 lg:row-start-1">
          <InviteClientsForm dossierId={view.dossier.id} defaultLocale={view.dossier.locale} />
        </div>
        <div className="flex min-w-0 flex-col gap-6 lg:col-span-3 lg:col-start-1 lg:row-start-1">
          <AccessNoticeProvider>
            <ClientList dossierId={view.dossier.id} clients={view.clients} />
            <InvitationList dossierId={view.dossier.id} invitations={view.invitations} />
            <AccessHistory events={view.history} />
          </AccessNoticeProvider>
        </div>
      </div>
    </div>
  );
}
