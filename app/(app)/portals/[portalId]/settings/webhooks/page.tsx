import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/ui/client-messages";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { getPortal } from "@/lib/portals/overview";
import { listEndpoints } from "@/lib/webhooks/endpoints";
import { EndpointForm } from "./_components/endpoint-form";
import { EndpointStatusBadge, FailingSince } from "./_components/endpoint-status";
import { eventKey } from "./_components/event-label";

type Props = { params: Promise<{ portalId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("webhooks.page");
  return { title: t("metaTitle") };
}

/**
 * The office's outgoing webhook endpoints, for its admins (everyone else gets a 404): each with its
 * state and a link to its settings and log, and the form to add one. Never a secret.
 */
export default function WebhooksPage(props: Props) {
  return (
    <ClientMessages area="webhooks">
      <WebhooksPageContent {...props} />
    </ClientMessages>
  );
}

async function WebhooksPageContent({ params }: Props) {
  const { portalId } = await params;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  if (!can(actor, "webhook.manage", { portalId: portal.id })) notFound();
  const [endpoints, t, tConnections] = await Promise.all([
    listEndpoints(db, actor, portal.id),
    getTranslations("webhooks"),
    getTranslations("connections.page"),
  ]);

  return (
    <>
      <PageHeader
        breadcrumbs={[
          { label: portal.name, href: `/portals/${portal.id}` },
          { label: tConnections("title"), href: `/portals/${portal.id}/integrations` },
        ]}
        title={t("page.title")}
        description={t("page.description")}
      />
      <div className="flex max-w-3xl flex-col gap-6">
        <p className="text-sm text-slate-600">{t("page.intro")}</p>

        {endpoints.length > 0 ? (
          <ul className="flex flex-col gap-3">
            {endpoints.map((endpoint) => (
              <li
                key={endpoint.id}
                className="flex flex-col gap-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
              >
                <div className="flex flex-wrap items-center gap-2">
                  <EndpointStatusBadge status={endpoint.status} />
                  {endpoint.description ? (
                    <span className="text-sm font-medium text-slate-900">{endpoint.description}</span>
                  ) : null}
                </div>
                <code className="block font-mono text-sm break-all text-slate-800">{endpoint.url}</code>
                {endpoint.status === "active" && endpoint.failingSince ? (
                  <FailingSince since={endpoint.failingSince} />
                ) : null}
                <ul className="flex flex-wrap gap-1.5" aria-label={t("form.events")}>
                  {endpoint.eventTypes.map((type) => (
                    <li key={type} className="rounded-md bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                      {t(`events.${eventKey(type)}.label`)}
                    </li>
                  ))}
                </ul>
                <Link
                  href={`/portals/${portal.id}/settings/webhooks/${endpoint.id}`}
                  aria-label={t("page.manageLabel", { url: endpoint.url })}
                  className="inline-flex min-h-11 items-center self-start text-sm font-medium text-brand-700 underline hover:text-brand-600"
                >
                  {t("page.manage")}
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title={t("page.empty.title")} body={t("page.empty.body")} />
        )}

        <section
          aria-labelledby="add-endpoint-title"
          className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
        >
          <h2 id="add-endpoint-title" className="mb-3 text-base font-semibold text-slate-900">
            {t("add.title")}
          </h2>
          <EndpointForm portalId={portal.id} />
        </section>
      </div>
    </>
  );
}
