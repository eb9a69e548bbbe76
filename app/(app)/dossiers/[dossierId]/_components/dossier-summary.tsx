import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/badge";
import type { DossierOverview } from "@/lib/dossiers/get";
import { type IntegrationState, integrationTone } from "@/lib/portals/integration-state";

const CONNECTION_WARNINGS = {
  needs_reauth: "needsReauth",
  error: "error",
  disabled: "disabled",
} as const;

/** The dossier's way in, in one line, coloured like the portal overview's integration badges. */
function IntegrationLine({ state }: { state: IntegrationState }) {
  const t = useTranslations("dossier.integration");
  const tone = integrationTone(state);
  switch (state.kind) {
    case "connection": {
      const warning =
        state.connectionStatus in CONNECTION_WARNINGS
          ? CONNECTION_WARNINGS[state.connectionStatus as keyof typeof CONNECTION_WARNINGS]
          : null;
      return (
        <span className="flex flex-wrap items-center gap-2" title={state.connectionLabel}>
          <Badge tone={tone}>{t("connection", { package: state.packageName, channel: state.channel })}</Badge>
          {warning ? (
            <span className="inline-flex items-center gap-1 text-xs font-medium text-red-700">
              <span aria-hidden="true">⚠</span>
              {t(`connectionStatus.${warning}`)}
            </span>
          ) : null}
        </span>
      );
    }
    case "email":
      return (
        <Badge tone={tone}>
          {t(state.addressMode === "individual" ? "emailIndividual" : "emailStandard", {
            package: state.packageName,
          })}
        </Badge>
      );
    case "free_email":
      return <Badge tone={tone}>{t("freeEmail")}</Badge>;
    case "none":
      return <Badge tone={tone}>{t("none")}</Badge>;
    case "not_configured":
      return <Badge tone={tone}>{t("notConfigured")}</Badge>;
  }
}

/** Integration state and the auto-send flag, with the way to the switch in the dossier's settings. */
export function DossierSummary({ overview }: { overview: DossierOverview }) {
  const t = useTranslations("dossier");
  return (
    <dl className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:flex-row sm:flex-wrap sm:items-center sm:gap-x-8">
      <div className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
        <dt className="text-sm text-slate-500">{t("integration.label")}</dt>
        <dd className="min-w-0">
          <IntegrationLine state={overview.integration} />
        </dd>
      </div>
      <div className="flex items-center gap-3">
        <dt className="text-sm text-slate-500">{t("autoSend.label")}</dt>
        <dd className="flex items-center gap-2">
          <Badge tone={overview.isAutoSendEnabled ? "green" : "grey"}>
            {overview.isAutoSendEnabled ? t("autoSend.on") : t("autoSend.off")}
          </Badge>
          <a
            href="#dossier-settings"
            className="text-sm font-medium text-brand-700 hover:text-brand-600 hover:underline"
          >
            {t("autoSend.change")}
          </a>
        </dd>
      </div>
    </dl>
  );
}
