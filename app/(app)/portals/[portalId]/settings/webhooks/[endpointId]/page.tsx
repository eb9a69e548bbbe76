import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { ClientMessages } from "@/components/ui/client-messages";
import { PageHeader } from "@/components/ui/page-header";
import { getDb } from "@/db";
import { orNotFound } from "@/lib/actions/or-not-found";
import { can } from "@/lib/auth/authorize";
import { requireActor } from "@/lib/auth/session";
import { getPortal } from "@/lib/portals/overview";
import { listDeliveries, type WebhookDeliveryView } from "@/lib/webhooks/deliveries";
import { getEndpoint } from "@/lib/webhooks/endpoints";
import { DeleteEndpointButton, EndpointSwitch, ReplayButton, SendTestButton } from "../_components/endpoint-actions";
import { EndpointForm } from "../_components/endpoint-form";
import { EndpointSecret } from "../_components/endpoint-secret";
import { EndpointStatusBadge, FailingSince } from "../_components/endpoint-status";
import { eventKey } from "../_components/event-label";

type Props = {
  params: Promise<{ portalId: string; endpointId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("webhooks.endpoint");
  return { title: t("metaTitle") };
}

function Section({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <section aria-labelledby={id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <h2 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      <div className="mt-2 flex flex-col gap-3 text-sm text-slate-700">{children}</div>
    </section>
  );
}

const DELIVERY_TONES: Record<WebhookDeliveryView["status"], BadgeTone> = {
  pending: "blue",
  succeeded: "green",
  failed: "red",
};

/**
 * One endpoint, for the office's admins (everyone else gets a 404): on/off, address and events,
 * the secret (shown on request), a test message, the delivery log with replays, and delete.
 */
export default function WebhookEndpointPage(props: Props) {
  return (
    <ClientMessages area="webhookEndpoint">
      <WebhookEndpointPageContent {...props} />
    </ClientMessages>
  );
}

async function WebhookEndpointPageContent({ params, searchParams }: Props) {
  const { portalId, endpointId } = await params;
  const search = await searchParams;
  const actor = await requireActor();
  const db = await getDb();
  const portal = await orNotFound(getPortal(db, actor, portalId));
  if (!can(actor, "webhook.manage", { portalId: portal.id })) notFound();
  const endpoint = await orNotFound(getEndpoint(db, actor, endpointId));
  if (endpoint.portalId !== portal.id) notFound();
  const cursor = first(search.cursor);
  const [log, t, tConnections, format] = await Promise.all([
    listDeliveries(db, actor, endpoint.id, { cursor, limit: 25 }),
    getTranslations("webhooks"),
    getTranslations("connections.page"),
    getFormatter(),
  ]);
  const when = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "medium" });
  const pathname = `/portals/${portal.id}/settings/webhooks/${endpoint.id}`;
  const answerOf = (delivery: { lastResponseStatus: number | null; lastDurationMs: number | null }) =>
    delivery.lastDurationMs === null
      ? "—"
      : t("log.answer", {
          status: delivery.lastResponseStatus === null ? t("log.noAnswer") : String(delivery.lastResponseStatus),
          ms: delivery.lastDurationMs,
        });

  return (
    <>
      <PageHeader
        breadcrumbs={[
          { label: portal.name, href: `/portals/${portal.id}` },
          { label: tConnections("title"), href: `/portals/${portal.id}/integrations` },
          { label: t("page.title"), href: `/portals/${portal.id}/settings/webhooks` },
        ]}
        title={endpoint.description || new URL(endpoint.url).host}
        description={<span className="font-mono break-all">{endpoint.url}</span>}
      />
      <div className="flex max-w-3xl flex-col gap-4">
        {first(search.added) === "1" ? (
          <p
            role="status"
            className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900 ring-1 ring-emerald-600/20 ring-inset"
          >
            {t("add.added")}
          </p>
        ) : null}

        <Section id="endpoint-switch" title={t("endpoint.statusTitle")}>
          <div className="flex flex-wrap items-center gap-2">
            <EndpointStatusBadge status={endpoint.status} />
          </div>
          {endpoint.status === "disabled_failing" && endpoint.failingSince ? (
            <p className="rounded-md bg-red-50 p-3 text-red-900 ring-1 ring-red-600/20 ring-inset">
              {t("status.disabledFailingNote", {
                since: format.dateTime(endpoint.failingSince, { dateStyle: "medium", timeStyle: "short" }),
              })}
            </p>
          ) : null}
          {endpoint.status === "active" && endpoint.failingSince ? (
            <FailingSince since={endpoint.failingSince} />
          ) : null}
          <EndpointSwitch endpointId={endpoint.id} isEnabled={endpoint.status === "active"} />
        </Section>

        <Section id="endpoint-settings" title={t("endpoint.settingsTitle")}>
          <EndpointForm portalId={portal.id} endpoint={endpoint} />
        </Section>

        <Section id="endpoint-secret" title={t("secret.title")}>
          <p>{t("secret.body")}</p>
          <EndpointSecret
            endpointId={endpoint.id}
            previousValidUntil={
              endpoint.previousSecretExpiresAt
                ? format.dateTime(endpoint.previousSecretExpiresAt, { dateStyle: "medium", timeStyle: "short" })
                : null
            }
          />
        </Section>

        <Section id="endpoint-test" title={t("test.title")}>
          <p>{t("test.body")}</p>
          <SendTestButton endpointId={endpoint.id} />
        </Section>

        <Section id="endpoint-log" title={t("log.title")}>
          <p>{t("log.intro")}</p>
          <Link
            href={pathname}
            className="inline-flex min-h-11 items-center self-start font-medium text-brand-700 underline"
          >
            {t("log.refresh")}
          </Link>
          {log.deliveries.length === 0 ? (
            <p className="text-slate-500">{t("log.empty")}</p>
          ) : (
            <ul className="flex flex-col gap-3">
              {log.deliveries.map((delivery) => (
                <li key={delivery.id} className="rounded-lg border border-slate-200 p-3" data-delivery-id={delivery.id}>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <span className="font-medium text-slate-900">
                      {t(`events.${eventKey(delivery.eventType)}.label`)}{" "}
                      <code className="font-mono text-xs text-slate-500">{delivery.eventType}</code>
                    </span>
                    <Badge tone={DELIVERY_TONES[delivery.status]}>{t(`log.deliveryStatus.${delivery.status}`)}</Badge>
                  </div>
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm sm:grid-cols-[auto_1fr_auto_1fr]">
                    <dt className="text-slate-500">{t("log.created")}</dt>
                    <dd>{when(delivery.createdAt)}</dd>
                    <dt className="text-slate-500">{t("log.attempts")}</dt>
                    <dd>{delivery.attemptCount}</dd>
                    <dt className="text-slate-500">{t("log.lastAnswer")}</dt>
                    <dd>{answerOf(delivery)}</dd>
                    <dt className="text-slate-500">{t("log.nextTry")}</dt>
                    <dd>{delivery.nextAttemptAt ? when(delivery.nextAttemptAt) : "—"}</dd>
                  </dl>
                  {delivery.lastError ? (
                    <p className="mt-1 font-mono text-xs break-all text-red-800">{delivery.lastError}</p>
                  ) : null}
                  <div className="mt-2 flex flex-wrap items-start justify-between gap-2">
                    {delivery.attempts.length > 0 ? (
                      <details className="min-w-0 flex-1">
                        <summary className="inline-flex min-h-11 cursor-pointer items-center text-brand-700">
                          {t("log.showAttempts")}
                        </summary>
                        <ol
                          aria-label={t("log.attemptsLabel", { messageId: delivery.messageId })}
                          className="mt-1 flex flex-col gap-1"
                        >
                          {delivery.attempts.map((attempt) => (
                            <li key={attempt.attemptedAt.toISOString()} className="text-xs text-slate-700">
                              {when(attempt.attemptedAt)} ·{" "}
                              {answerOf({
                                lastResponseStatus: attempt.responseStatus,
                                lastDurationMs: attempt.durationMs,
                              })}
                              {attempt.error ? (
                                <span className="block font-mono break-all text-red-800">{attempt.error}</span>
                              ) : null}
                            </li>
                          ))}
                        </ol>
                        <p className="mt-1 font-mono text-xs text-slate-500">{delivery.messageId}</p>
                      </details>
                    ) : (
                      <span />
                    )}
                    {delivery.status !== "pending" && endpoint.status === "active" ? (
                      <ReplayButton deliveryId={delivery.id} />
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          )}
          <nav className="flex flex-wrap gap-4">
            {cursor ? (
              <Link href={pathname} className="inline-flex min-h-11 items-center font-medium text-brand-700 underline">
                {t("log.newest")}
              </Link>
            ) : null}
            {log.nextCursor ? (
              <Link
                href={`${pathname}?cursor=${encodeURIComponent(log.nextCursor)}`}
                className="inline-flex min-h-11 items-center font-medium text-brand-700 underline"
              >
                {t("log.older")}
              </Link>
            ) : null}
          </nav>
        </Section>

        <Section id="endpoint-delete" title={t("delete.title")}>
          <p>{t("delete.body")}</p>
          <DeleteEndpointButton endpointId={endpoint.id} />
        </Section>
      </div>
    </>
  );
}
