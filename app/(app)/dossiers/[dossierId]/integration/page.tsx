import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { cache } from "react";
import { ClientMessages } from "@/components/ui/client-messages";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { requireActor } from "@/lib/auth/session";
import { getDossierOverview } from "@/lib/dossiers/get";
import { env } from "@/lib/env";
import { getDossierIntegration } from "@/lib/integrations/get";
import { listIntegrationOptions } from "@/lib/integrations/options";
import { DossierHeader } from "../_components/dossier-header";
import { CurrentIntegrationCard } from "./_components/current-integration";
import { OptionList } from "./_components/option-list";

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
  const t = await getTranslations("integrations.page");
  return { title: t("metaTitle", { dossier: overview.name }) };
}

/** The address part of "Name <address>" (the sender packages must allow). */
function senderAddressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

/**
 * The dossier's "Integraties" tab: the current integration and whether it is set up correctly,
 * for everyone who sees the dossier; the options (by marking), their forms and a test send for
 * admins and accountants only.
 */
export default function DossierIntegrationPage(props: Props) {
  return (
    <ClientMessages area="dossierIntegration">
      <DossierIntegrationPageContent {...props} />
    </ClientMessages>
  );
}

async function DossierIntegrationPageContent({ params, searchParams }: Props) {
  const { dossierId } = await params;
  const search = await searchParams;
  const actor = await requireActor();
  const db = await getDb();
  const [overview, view] = await Promise.all([
    orNotFound(loadOverview(dossierId)),
    orNotFound(getDossierIntegration(db, actor, dossierId)),
  ]);
  const options = view.canConfigure ? await orNotFound(listIntegrationOptions(db, actor, dossierId)) : null;
  const requested = Array.isArray(search.option) ? search.option[0] : search.option;
  const basePath = `/dossiers/${overview.id}/integration`;

  return (
    <div className="flex flex-col gap-6">
      <DossierHeader overview={overview} active="integration" isEditing={search.edit === "1"} />

      <CurrentIntegrationCard view={view} />

      {options ? (
        <OptionList
          options={options.options}
          selectedKey={requested ?? null}
          basePath={basePath}
          dossier={{
            id: view.dossier.id,
            companyNumber: view.dossier.companyNumber,
            vatNumber: view.dossier.vatNumber,
          }}
          senderAddress={senderAddressOf(env().EMAIL_FROM)}
        />
      ) : null}
    </div>
  );
}
