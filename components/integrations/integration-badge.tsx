import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Icon } from "@/components/ui/icon";
import { type IntegrationState, integrationTone } from "@/lib/portals/integration-state";

/**
 * How a dossier delivers: a coloured pill for the kind (green API/FTP connection, yellow e-mail
 * to standard addresses, orange to individual addresses, blue free mail, red no integration
 * needed, grey not configured), with the package and connection underneath.
 */
export function IntegrationBadge({ state }: { state: IntegrationState }) {
  const t = useTranslations("portal.integration");
  const tone = integrationTone(state);
  switch (state.kind) {
    case "connection": {
      const warning =
        state.connectionStatus === "needs_reauth"
          ? t("connectionStatus.needsReauth")
          : state.connectionStatus === "error"
            ? t("connectionStatus.error")
            : state.connectionStatus === "disabled"
              ? t("connectionStatus.disabled")
              : null;
      return (
        <IntegrationCell
          badge={<Badge tone={tone}>{t(state.channel)}</Badge>}
          detail={
            state.connectionLabel === state.packageName
              ? state.packageName
              : `${state.packageName} · ${state.connectionLabel}`
          }
          warning={warning}
        />
      );
    }
    case "email":
      return (
        <IntegrationCell
          badge={
            <Badge tone={tone}>{state.addressMode === "individual" ? t("emailIndividual") : t("emailStandard")}</Badge>
          }
          detail={state.packageName}
        />
      );
    case "free_email":
      return <IntegrationCell badge={<Badge tone={tone}>{t("freeEmail")}</Badge>} />;
    case "none":
      return <IntegrationCell badge={<Badge tone={tone}>{t("none")}</Badge>} />;
    case "not_configured":
      return <IntegrationCell badge={<Badge tone={tone}>{t("notConfigured")}</Badge>} />;
  }
}

function IntegrationCell({ badge, detail, warning }: { badge: ReactNode; detail?: string; warning?: string | null }) {
  return (
    <div className="flex min-w-0 flex-col items-start gap-1">
      {badge}
      {detail ? <span className="max-w-full truncate text-xs text-slate-500">{detail}</span> : null}
      {warning ? (
        <span className="inline-flex items-center gap-1 text-xs font-medium text-red-700">
          <Icon name="warning" className="size-3.5 shrink-0" />
          {warning}
        </span>
      ) : null}
    </div>
  );
}
