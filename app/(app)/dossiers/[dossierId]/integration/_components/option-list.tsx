import Link from "next/link";
import { useTranslations } from "next-intl";
import { HelpLink } from "@/components/help/help-link";
import { Badge } from "@/components/ui/badge";
import { helpHref, packageHelpHref } from "@/lib/help/links";
import type { IntegrationOption } from "@/lib/integrations/options";
import type { IntegrationMarking } from "@/lib/integrations/schemas";
import { IntegrationForm } from "./integration-form";
import { PackageInitials } from "./package-initials";

const MARKINGS: readonly IntegrationMarking[] = ["green", "yellow", "orange", "blue", "red"];

export const FORM_ID = "integration-form";

function SymbolTile({ children }: { children: string }) {
  return (
    <span
      aria-hidden="true"
      className="inline-flex size-9 shrink-0 items-center justify-center rounded-md bg-slate-100 text-base font-semibold text-slate-500 ring-1 ring-slate-200 ring-inset"
    >
      {children}
    </span>
  );
}

function OptionTile({ option, href, isSelected }: { option: IntegrationOption; href: string; isSelected: boolean }) {
  const t = useTranslations();
  let icon = <SymbolTile>@</SymbolTile>;
  let title = "";
  let detail = "";
  let isMuted = false;
  switch (option.kind) {
    case "connection":
      icon = <PackageInitials initials={option.initials} />;
      title = option.label;
      detail = [
        option.label === option.packageName ? null : option.packageName,
        t("integrations.markings.connection", { channel: option.channel }),
        option.isAvailable ? null : t("integrations.choose.unavailable"),
      ]
        .filter(Boolean)
        .join(" · ");
      isMuted = !option.isAvailable;
      break;
    case "email_standard":
      icon = <PackageInitials initials={option.initials} />;
      title = option.packageName;
      detail = `${t(option.rule.kind === "template" ? "integrations.choose.tile.standardTemplate" : "integrations.choose.tile.standardAsk")} · ${t(`connectors.status.${option.rule.status}`)}`;
      break;
    case "email_individual":
      icon = <PackageInitials initials={option.initials} />;
      title = option.packageName;
      detail = t("integrations.choose.tile.individual");
      break;
    case "free_email":
      title = t("integrations.markings.free_email");
      detail = t("integrations.choose.tile.free");
      break;
    case "none":
      icon = <SymbolTile>∅</SymbolTile>;
      title = t("integrations.markings.none");
      detail = t("integrations.choose.tile.none");
      break;
  }
  // The option's article: the package's own, free mail's or "no integration".
  const helpTarget =
    option.kind === "none"
      ? helpHref("no-integration")
      : option.kind === "free_email"
        ? helpHref("free-email")
        : packageHelpHref(option.packageId);
  return (
    <li className="relative">
      <Link
        href={href}
        aria-current={isSelected ? "true" : undefined}
        data-option={option.key}
        className={`flex min-h-14 items-center gap-3 rounded-lg border py-2 pr-11 pl-3 text-left focus-visible:outline-2 focus-visible:outline-brand-500 ${
          isSelected
            ? "border-brand-500 bg-brand-50 ring-1 ring-brand-500"
            : "border-slate-200 bg-white hover:border-slate-300 hover:bg-slate-50"
        } ${isMuted ? "opacity-70" : ""}`}
      >
        {icon}
        <span className="min-w-0 flex-1">
          <span className="flex min-w-0 items-center gap-2">
            <span className="truncate text-sm font-medium text-slate-900">{title}</span>
            {option.isCurrent ? (
              <Badge tone="brand" className="shrink-0">
                {t("integrations.choose.current")}
              </Badge>
            ) : null}
          </span>
          <span className="block truncate text-xs text-slate-500">{detail}</span>
        </span>
      </Link>
      {/* Beside the tile's link, not in it (a link holds no link): over its right edge. */}
      <span className="absolute top-1/2 right-3 -translate-y-1/2">
        <HelpLink href={helpTarget} topic={title} />
      </span>
    </li>
  );
}

/**
 * Every way this dossier can deliver, grouped by the seed's five markings (colours as the
 * integration badges), each a link (`?option=`) that opens its form under its group.
 */
export function OptionList({
  options,
  selectedKey,
  basePath,
  dossier,
  senderAddress,
}: {
  options: IntegrationOption[];
  selectedKey: string | null;
  basePath: string;
  dossier: { id: string; companyNumber: string; vatNumber: string | null };
  senderAddress: string;
}) {
  const t = useTranslations("integrations.choose");
  const selected = options.find((option) => option.key === selectedKey) ?? null;
  return (
    <section aria-labelledby="choose-integration-title" className="flex flex-col gap-4">
      <div>
        <h2 id="choose-integration-title" className="text-lg font-semibold text-slate-900">
          {t("title")}
        </h2>
        <p className="mt-0.5 text-sm text-slate-600">{t("intro")}</p>
      </div>
      {MARKINGS.map((marking) => {
        const group = options.filter((option) => option.marking === marking);
        return (
          <div
            key={marking}
            data-marking={marking}
            className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
          >
            <div className="flex flex-col gap-1 border-b border-slate-100 px-4 py-3 sm:flex-row sm:items-center sm:gap-3">
              <h3 className="shrink-0">
                <Badge tone={marking} className="text-sm">
                  {t(`groups.${marking}.title`)}
                </Badge>
              </h3>
              <p className="text-sm text-slate-600">{t(`groups.${marking}.body`)}</p>
            </div>
            {group.length > 0 ? (
              <ul className="grid gap-2 p-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
                {group.map((option) => (
                  <OptionTile
                    key={option.key}
                    option={option}
                    isSelected={option.key === selected?.key}
                    href={`${basePath}?option=${encodeURIComponent(option.key)}#${FORM_ID}`}
                  />
                ))}
              </ul>
            ) : (
              <p className="px-4 py-3 text-sm text-slate-500">{t(`groups.${marking}.empty` as "groups.green.empty")}</p>
            )}
            {selected && selected.marking === marking ? (
              <div id={FORM_ID} className="scroll-mt-20 border-t border-slate-200 bg-slate-50/70 p-4 sm:p-5">
                <IntegrationForm
                  key={selected.key}
                  option={selected}
                  dossier={dossier}
                  senderAddress={senderAddress}
                  closeHref={basePath}
                />
              </div>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}
