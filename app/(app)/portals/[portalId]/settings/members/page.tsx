import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/ui/client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { isLocale } from "@/lib/i18n/config";
import { listMemberHistory, listMembers, listOpenInvitations } from "@/lib/members/list";
import { getPortal } from "@/lib/portals/overview";
import { PortalTabs, portalTabsFor } from "../../_components/portal-tabs";
import { InvitationList } from "./_components/invitation-list";
import { InviteMemberForm } from "./_components/invite-member-form";
import { MemberHistory } from "./_components/member-history";
import { MemberList } from "./_components/member-list";

type Props = {
  params: Promise<{ portalId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("members.page");
  return { title: t("metaTitle") };
}

/**
 * The office's people, for its admins (member.manage); everyone else gets a 404. Admins invite
 * colleagues, follow and resend or withdraw open invitations, change roles, remove people, and read
 * the history of all of it. Everything is read fresh on each request: nothing here is cached.
 */
export default function MembersPage(props: Props) {
  return (
    <ClientMessages area="members">
      <MembersPageContent {...props} />
    </ClientMessages>
  );
}

async function MembersPageContent({ params, searchParams }: Props) {
  const { portalId } = await params;
  const search = await searchParams;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  if (!can(actor, "member.manage", { portalId: portal.id })) notFound();
  const before = first(search.before);
  const [members, invitations, history, t, locale] = await Promise.all([
    listMembers(db, actor, portal.id),
    listOpenInvitations(db, actor, portal.id),
    listMemberHistory(db, actor, portal.id, { before }),
    getTranslations("members"),
    getLocale(),
  ]);
  const pathname = `/portals/${portal.id}/settings/members`;
  const admins = members.filter((member) => member.role === "admin").length;

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: portal.name, href: `/portals/${portal.id}` }]}
        title={t("page.title")}
        description={t("page.description", { office: portal.name })}
      />
      <PortalTabs portalId={portal.id} active="members" tabs={portalTabsFor(actor, portal.id)} />

      <div className="flex flex-col gap-8">
        <section aria-labelledby="members-list-title" className="flex flex-col gap-3">
          <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
            <h2 id="members-list-title" className="text-base font-semibold text-slate-900">
              {t("list.title")}
            </h2>
            <p className="text-sm text-slate-600">
              {t("list.summary", { admins, accountants: members.length - admins })}
            </p>
          </div>
          <MemberList portalId={portal.id} officeName={portal.name} members={members} />
        </section>

        <div className="grid gap-8 lg:grid-cols-2 lg:items-start">
          <InviteMemberForm portalId={portal.id} defaultLocale={isLocale(locale) ? locale : "nl"} />
          <section aria-labelledby="members-invitations-title" className="flex flex-col gap-3">
            <h2 id="members-invitations-title" className="text-base font-semibold text-slate-900">
              {t("invitations.title")}
            </h2>
            <InvitationList portalId={portal.id} invitations={invitations} />
          </section>
        </div>

        <section id="history" aria-labelledby="members-history-title" className="flex flex-col gap-3">
          <div>
            <h2 id="members-history-title" className="text-base font-semibold text-slate-900">
              {t("history.title")}
            </h2>
            <p className="mt-1 max-w-3xl text-sm text-slate-600">{t("history.intro")}</p>
          </div>
          <MemberHistory
            events={history.events}
            newestHref={before ? `${pathname}#history` : null}
            olderHref={history.nextCursor ? `${pathname}?before=${history.nextCursor}#history` : null}
          />
        </section>
      </div>
    </>
  );
}
