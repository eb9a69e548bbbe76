import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { UnreachableNotice } from "@/components/connections/unreachable-notice";
import { ClientMessages } from "@/components/ui/client-messages";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import type { ConnectionField, ConnectionForm } from "@/lib/connections/form";
import { isOAuthOutcome, type OAuthOutcome } from "@/lib/connections/oauth";
import { listConnectionOptions, listConnections } from "@/lib/connections/service";
import { listUnreachable } from "@/lib/dispatch/breaker";
import { connectionFieldHelpHref } from "@/lib/help/links";
import type { Channel } from "@/lib/packages/catalog";
import { getPortal } from "@/lib/portals/overview";
import { PortalTabs, portalTabsFor } from "../_components/portal-tabs";
import { AddConnectionPanel } from "./_components/add-connection-panel";
import { ConnectionCard } from "./_components/connection-card";
import type { FormField, FormSpec, PickerOption } from "./_components/types";

type Props = {
  params: Promise<{ portalId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("connections.page");
  return { title: t("metaTitle") };
}

/**
 * The portal step of integration setup: the office's API and FTP connections with their health.
 * Admins add, edit, test, disable and enable; accountants see the same list without buttons.
 * Only the public view reaches this page (no secret value, no encrypted blob).
 */
export default function PortalIntegrationsPage(props: Props) {
  return (
    <ClientMessages area="portalIntegrations">
      <PortalIntegrationsPageContent {...props} />
    </ClientMessages>
  );
}

async function PortalIntegrationsPageContent({ params, searchParams }: Props) {
  const { portalId } = await params;
  const search = await searchParams;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  const canManage = can(actor, "connection.manage", { portalId: portal.id });
  const canAuthorize = can(actor, "connection.authorize", { portalId: portal.id });
  const hasFailureDigest = can(actor, "failureDigest.manage", { portalId: portal.id });
  const canManageWebhooks = can(actor, "webhook.manage", { portalId: portal.id });
  const canManageApiKeys = can(actor, "token.manage", { portalId: portal.id });
  const [connections, options, t, tRoot, unreachable] = await Promise.all([
    orNotFound(listConnections(db, actor, portal.id)),
    canManage ? listConnectionOptions(actor, portal.id) : Promise.resolve([]),
    getTranslations("connections"),
    getTranslations(),
    // Connections whose deliveries wait for them to answer again (their breaker is open).
    listUnreachable(db, portal.id),
  ]);

  // Field labels come from the connector's `.meta({ labelKey })`; unknown keys fall back to the name.
  type RootKey = Parameters<typeof tRoot>[0];
  const translateKey = (key: string | undefined) =>
    key && tRoot.has(key as RootKey) ? String(tRoot(key as RootKey)) : null;
  const withLabels = (fields: ConnectionField[], packageId: string, channel: Channel): FormField[] =>
    fields.map((field) => ({
      ...field,
      helpHref: connectionFieldHelpHref(packageId, channel, field.name),
      label: translateKey(field.labelKey) ?? field.name,
      hint:
        [
          translateKey(field.hintKey),
          field.standardValue ? t("form.packageStandard", { value: field.standardValue }) : null,
        ]
          .filter(Boolean)
          .join(" ") || null,
      ...(field.optionLabelsKey && field.options
        ? {
            optionLabels: Object.fromEntries(
              field.options.map((option) => [option, translateKey(`${field.optionLabelsKey}.${option}`) ?? option]),
            ),
          }
        : {}),
    }));
  const translateForm = (form: ConnectionForm | null, packageId: string, channel: Channel): FormSpec =>
    form
      ? {
          settings: withLabels(form.settings, packageId, channel),
          secrets: withLabels(form.secrets, packageId, channel),
        }
      : null;

  const pickerOptions: PickerOption[] = options.map((option) => ({
    key: `${option.packageId}:${option.channel}`,
    packageId: option.packageId,
    packageName: option.packageName,
    packageInitials: option.packageInitials,
    channel: option.channel,
    isAvailable: option.isAvailable,
    form: translateForm(option.form, option.packageId, option.channel),
  }));
  const formOf = (packageId: string, channel: string) =>
    pickerOptions.find((option) => option.key === `${packageId}:${channel}`)?.form ?? null;

  const pathname = `/portals/${portal.id}/integrations`;
  const isAdding = canManage && first(search.add) === "1";
  const created = connections.find((connection) => connection.id === first(search.created)) ?? null;

  // Back from a package's consent screen (app/api/oauth/callback): how it went, in a banner.
  const oauthOutcome = first(search.oauth);
  let oauthBanner: { tone: "success" | "warning" | "neutral" | "error"; text: string } | null = null;
  if (isOAuthOutcome(oauthOutcome)) {
    const connection = connections.find((candidate) => candidate.id === first(search.connection));
    const reasonKey = `connectors.errors.${first(search.reason) ?? ""}`;
    const reason = translateKey(reasonKey) ?? t("card.unknownReason");
    const tones: Partial<Record<OAuthOutcome, "success" | "warning" | "neutral">> = {
      connected: "success",
      connectedCheckFailed: "warning",
      declined: "neutral",
    };
    oauthBanner = {
      tone: tones[oauthOutcome] ?? "error",
      text: t(`oauth.outcome.${oauthOutcome}`, {
        package: connection?.packageName ?? t("oauth.thePackage"),
        reason,
      }),
    };
  }

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: portal.name, href: `/portals/${portal.id}` }]}
        title={t("page.title")}
        description={t("page.summary", { count: connections.length })}
        actions={
          canManage && !isAdding ? (
            <Link
              href={`${pathname}?add=1`}
              scroll={false}
              className="inline-flex items-center gap-1.5 rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700"
            >
              <span aria-hidden="true" className="text-base leading-none">
                +
              </span>
              {t("page.add")}
            </Link>
          ) : null
        }
      />
      <PortalTabs portalId={portal.id} active="integrations" tabs={portalTabsFor(actor, portal.id)} />

      <p className="mb-4 max-w-3xl text-sm text-slate-600">{t("page.intro")}</p>
      {canManage ? null : (
        <p className="mb-4 max-w-3xl rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-500/15 ring-inset">
          {t("page.readOnly")}
        </p>
      )}

      {isAdding ? <AddConnectionPanel portalId={portal.id} options={pickerOptions} closeHref={pathname} /> : null}

      {oauthBanner ? (
        <p
          role={oauthBanner.tone === "error" ? "alert" : "status"}
          data-oauth-outcome={oauthOutcome}
          className={`mb-4 rounded-md p-3 text-sm ring-1 ring-inset ${
            oauthBanner.tone === "success"
              ? "bg-emerald-50 text-emerald-900 ring-emerald-600/20"
              : oauthBanner.tone === "warning"
                ? "bg-amber-50 text-amber-950 ring-amber-600/20"
                : oauthBanner.tone === "neutral"
                  ? "bg-slate-100 text-slate-800 ring-slate-500/20"
                  : "bg-red-50 text-red-900 ring-red-600/20"
          }`}
        >
          {oauthBanner.text}
        </p>
      ) : null}

      {created && !isAdding ? (
        <p
          role="status"
          className="mb-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
        >
          {t("page.created", { label: created.label })}
        </p>
      ) : null}

      {connections.length > 0 ? (
        <ul className="flex flex-col gap-4">
          {connections.map((connection) => (
            <ConnectionCard
              key={connection.id}
              portalId={portal.id}
              connection={connection}
              canManage={canManage}
              canAuthorize={canAuthorize}
              form={canManage ? formOf(connection.packageId, connection.channel) : null}
              isNew={connection.id === created?.id}
              unreachable={
                unreachable.some((lane) => lane.connectionId === connection.id) ? (
                  <UnreachableNotice lanes={unreachable.filter((lane) => lane.connectionId === connection.id)} />
                ) : null
              }
            />
          ))}
        </ul>
      ) : (
        <EmptyState
          title={t("page.empty.title")}
          body={t("page.empty.body")}
          action={
            canManage && !isAdding ? (
              <Link
                href={`${pathname}?add=1`}
                className="rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700"
              >
                {t("page.add")}
              </Link>
            ) : null
          }
        />
      )}

      {canManage ? (
        <section className="mt-8 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
          <h2 className="font-semibold text-slate-900">{t("page.webhook.title")}</h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">{t("page.webhook.body")}</p>
          <Link
            href={`/portals/${portal.id}/settings/webhook`}
            className="mt-3 inline-flex min-h-11 items-center text-sm font-medium text-brand-700 underline hover:text-brand-600"
          >
            {t("page.webhook.link")}
          </Link>
        </section>
      ) : null}

      {canManageWebhooks ? (
        <section className="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
          <h2 className="font-semibold text-slate-900">{tRoot("webhooks.integrations.title")}</h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">{tRoot("webhooks.integrations.body")}</p>
          <Link
            href={`/portals/${portal.id}/settings/webhooks`}
            className="mt-3 inline-flex min-h-11 items-center text-sm font-medium text-brand-700 underline hover:text-brand-600"
          >
            {tRoot("webhooks.integrations.link")}
          </Link>
        </section>
      ) : null}

      {canManageApiKeys ? (
        <section className="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
          <h2 className="font-semibold text-slate-900">{tRoot("apiKeys.link.title")}</h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">{tRoot("apiKeys.link.body")}</p>
          <Link
            href={`/portals/${portal.id}/settings/api-keys`}
            className="mt-3 inline-flex min-h-11 items-center text-sm font-medium text-brand-700 underline hover:text-brand-600"
          >
            {tRoot("apiKeys.link.link")}
          </Link>
        </section>
      ) : null}

      {hasFailureDigest ? (
        <section className="mt-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
          <h2 className="font-semibold text-slate-900">{tRoot("portal.digest.settings.title")}</h2>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">{tRoot("portal.digest.settings.description")}</p>
          <Link
            href={`/portals/${portal.id}/settings/notifications`}
            className="mt-3 inline-flex min-h-11 items-center text-sm font-medium text-brand-700 underline hover:text-brand-600"
          >
            {tRoot("portal.digest.settings.link")}
          </Link>
        </section>
      ) : null}
    </>
  );
}
