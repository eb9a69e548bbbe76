import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/ui/client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { requireActor } from "@/lib/auth/session";
import { getFailureDigestSetting } from "@/lib/digest/settings";
import { getPortal } from "@/lib/portals/overview";
import { FailureDigestSetting } from "./_components/failure-digest-setting";

type Props = { params: Promise<{ portalId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("portal.digest.settings");
  return { title: t("title") };
}

/**
 * The signed-in admin's mail settings for this portal: the daily failure digest. Only the portal's
 * admins have one; everyone else gets a 404.
 */
export default function PortalNotificationsPage(props: Props) {
  return (
    <ClientMessages area="notifications">
      <PortalNotificationsPageContent {...props} />
    </ClientMessages>
  );
}

async function PortalNotificationsPageContent({ params }: Props) {
  const { portalId } = await params;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  const setting = await orNotFound(getFailureDigestSetting(db, actor, portal.id));
  const t = await getTranslations("portal.digest.settings");

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: portal.name, href: `/portals/${portal.id}` }]}
        title={t("title")}
        description={t("adminsOnly")}
      />
      <section className="max-w-3xl rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
        <FailureDigestSetting portalId={portal.id} isEnabled={setting.isEnabled} />
      </section>
    </>
  );
}
