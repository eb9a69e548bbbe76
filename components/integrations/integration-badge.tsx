import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
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
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-3.5 shrink-0">
            <path
              fill="currentColor"
              fillRule="evenodd"
              d="M8.5 2.6a1.7 1.7 0 0 1 3 0l6.3 11.8a1.7 1.7 0 0 1-1.5 2.6H3.7a1.7 1.7 0 0 1-1.5-2.6L8.5 2.6ZM10 7a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 7Zm0 7.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
              clipRule="evenodd"
            />
          </svg>
          {warning}
        </span>
      ) : null}
    </div>
  );
}
