import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { HelpLink } from "@/components/help/help-link";
import { Badge } from "@/components/ui/badge";
import { packageHelpHref } from "@/lib/help/links";
import type { CurrentIntegration, DossierIntegrationView } from "@/lib/integrations/get";
import { DOCUMENT_CATEGORIES } from "@/lib/packages/catalog";
import { HealthPanel } from "./health-panel";
import { PackageInitials } from "./package-initials";
import { TestSend } from "./test-send";

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5 sm:flex-row sm:gap-4">
      <dt className="shrink-0 text-sm text-slate-500 sm:w-40">{label}</dt>
      <dd className="min-w-0 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function Addresses({
  addresses,
  acceptedCategories,
}: {
  addresses: Record<(typeof DOCUMENT_CATEGORIES)[number], string | null>;
  /** Categories that should have an address; null = any (free mail). */
  acceptedCategories: readonly string[] | null;
}) {
  const t = useTranslations();
  return (
    <ul className="flex flex-col gap-1">
      {DOCUMENT_CATEGORIES.map((category) => {
        const address = addresses[category];
        const isExpected = acceptedCategories?.includes(category) ?? false;
        return (
          <li key={category} className="flex min-w-0 flex-wrap items-baseline gap-x-2">
            <span className="w-20 shrink-0 text-slate-500">{t(`connectors.categories.${category}`)}</span>
            {address ? (
              <span className="min-w-0 font-medium break-words">{address}</span>
            ) : isExpected ? (
              <span className="font-medium text-red-700">{t("integrations.current.noAddress")}</span>
            ) : (
              <span className="text-slate-400">{t("integrations.current.notByMail")}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A dossier setting's label: the one its connector field has (as in the form); while the connector
 * is not there, the catalog's name for an API field of that name; else the setting's name.
 */
function settingLabel(t: unknown, name: string, key: string | undefined): string {
  const loose = t as { (key: string): string; has(key: string): boolean };
  const found = [key, `connectors.apiFields.${name}`].find((candidate) => candidate && loose.has(candidate));
  return found ? loose(found) : name;
}

function Details({ current }: { current: CurrentIntegration }) {
  const t = useTranslations();
  switch (current.kind) {
    case "connection":
      return (
        <dl className="flex flex-col gap-3">
          <Row label={t("integrations.current.package")}>
            <span className="flex items-center gap-2">
              <PackageInitials initials={current.initials} size="sm" />
              {current.packageName}
              <HelpLink href={packageHelpHref(current.packageId)} topic={current.packageName} />
            </span>
          </Row>
          <Row label={t("integrations.current.connection")}>
            <span className="flex flex-wrap items-center gap-2">
              {current.connectionLabel}
              <Badge
                tone={
                  current.connectionStatus === "connected"
                    ? "green"
                    : current.connectionStatus === "not_checked"
                      ? "grey"
                      : "red"
                }
              >
                {t(`integrations.current.connectionStatus.${current.connectionStatus}`)}
              </Badge>
            </span>
          </Row>
          {Object.keys(current.settings).length > 0 ? (
            <Row label={t("integrations.current.settings")}>
              <ul>
                {Object.entries(current.settings).map(([name, value]) => (
                  <li key={name} className="flex min-w-0 flex-wrap items-baseline gap-x-2">
                    <span className="text-slate-500">{settingLabel(t, name, current.settingLabelKeys[name])}</span>
                    <span className="min-w-0 font-medium break-words">{value}</span>
                  </li>
                ))}
              </ul>
            </Row>
          ) : null}
        </dl>
      );
    case "email":
      return (
        <dl className="flex flex-col gap-3">
          <Row label={t("integrations.current.package")}>
            <span className="flex items-center gap-2">
              <PackageInitials initials={current.initials} size="sm" />
              {current.packageName}
              <HelpLink href={packageHelpHref(current.packageId)} topic={current.packageName} />
            </span>
          </Row>
          <Row label={t("integrations.current.addresses")}>
            <Addresses addresses={current.addresses} acceptedCategories={current.acceptedCategories} />
          </Row>
        </dl>
      );
    case "free_email":
      return (
        <dl className="flex flex-col gap-3">
          <Row label={t("integrations.current.package")}>
            {current.packageName ?? t("integrations.current.freePackageUnnamed")}
          </Row>
          <Row label={t("integrations.current.addresses")}>
            <Addresses addresses={current.addresses} acceptedCategories={null} />
          </Row>
        </dl>
      );
    case "none":
      return <p className="text-sm text-slate-700">{t("integrations.current.noneBody")}</p>;
    case "unreadable":
      return <p className="text-sm text-slate-700">{t("integrations.current.unreadable")}</p>;
  }
}

function MarkingBadge({ current }: { current: CurrentIntegration }) {
  const t = useTranslations("integrations.markings");
  switch (current.kind) {
    case "connection":
      return <Badge tone="green">{t("connection", { channel: current.channel })}</Badge>;
    case "email":
      return (
        <Badge tone={current.marking}>
          {t(current.addressMode === "individual" ? "email_individual" : "email_standard")}
        </Badge>
      );
    case "free_email":
      return <Badge tone="blue">{t("free_email")}</Badge>;
    case "none":
      return <Badge tone="red">{t("none")}</Badge>;
    case "unreadable":
      return null;
  }
}

/** The dossier's integration now, whether it is set up correctly, and (for the office) a test send. */
export function CurrentIntegrationCard({ view }: { view: DossierIntegrationView }) {
  const t = useTranslations("integrations");
  const format = useFormatter();
  const { current } = view;
  const isTestable = current !== null && ["connection", "email", "free_email"].includes(current.kind);
  return (
    <section
      aria-labelledby="current-integration-title"
      className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 border-b border-slate-100 px-4 py-3 sm:px-5">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="current-integration-title" className="text-base font-semibold text-slate-900">
            {t("current.title")}
          </h2>
          {current ? <MarkingBadge current={current} /> : null}
        </div>
        {view.updatedAt ? (
          <p className="text-xs text-slate-500">
            {t("current.changedAt", { date: format.dateTime(view.updatedAt, { dateStyle: "long" }) })}
          </p>
        ) : null}
      </div>
      <div className="flex flex-col gap-4 p-4 sm:p-5">
        <HealthPanel evaluation={view.evaluation} canConfigure={view.canConfigure} />
        {current ? <Details current={current} /> : null}
        {view.canConfigure ? null : <p className="text-sm text-slate-600">{t("current.readOnly")}</p>}
      </div>
      {view.canConfigure && isTestable ? (
        <div className="border-t border-slate-100 bg-slate-50/60 px-4 py-4 sm:px-5">
          <TestSend dossierId={view.dossier.id} />
        </div>
      ) : null}
    </section>
  );
}
