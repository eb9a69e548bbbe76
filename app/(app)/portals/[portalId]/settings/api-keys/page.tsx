import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/ui/client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { expiryDateBounds } from "@/lib/api-keys/schemas";
import { listApiKeys } from "@/lib/api-keys/service";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { getPortal } from "@/lib/portals/overview";
import { ApiKeyList } from "./_components/api-key-list";
import { CreateApiKeyForm } from "./_components/create-api-key-form";

type Props = { params: Promise<{ portalId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("apiKeys.page");
  return { title: t("metaTitle") };
}

/**
 * The office's API keys, for its admins (token.manage); everyone else gets a 404. Admins make a
 * key (shown once, in the form's answer, never in this page's HTML), see every key by its prefix
 * with who made it and when it was last used, and revoke keys.
 */
export default function ApiKeysPage(props: Props) {
  return (
    <ClientMessages area="apiKeys">
      <ApiKeysPageContent {...props} />
    </ClientMessages>
  );
}

async function ApiKeysPageContent({ params }: Props) {
  const { portalId } = await params;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  if (!can(actor, "token.manage", { portalId: portal.id })) notFound();
  const [keys, t, tTabs] = await Promise.all([
    listApiKeys(db, actor, portal.id),
    getTranslations("apiKeys"),
    getTranslations("connections.tabs"),
  ]);

  return (
    <>
      <PageHeader
        breadcrumbs={[
          { label: portal.name, href: `/portals/${portal.id}` },
          { label: tTabs("integrations"), href: `/portals/${portal.id}/integrations` },
        ]}
        title={t("page.title")}
        description={t("page.description")}
      />
      <div className="flex max-w-3xl flex-col gap-6">
        <p className="text-sm text-slate-600">{t("page.intro")}</p>
        <CreateApiKeyForm portalId={portal.id} expiryBounds={expiryDateBounds()} />
        <section aria-labelledby="api-keys-list-title">
          <h2 id="api-keys-list-title" className="mb-3 text-base font-semibold text-slate-900">
            {t("list.title")}
          </h2>
          {keys.length > 0 ? (
            <ApiKeyList portalId={portal.id} keys={keys} />
          ) : (
            <p className="rounded-xl border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-600">
              {t("list.empty")}
            </p>
          )}
        </section>
      </div>
    </>
  );
}
