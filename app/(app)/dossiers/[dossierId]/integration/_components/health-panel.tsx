import { useTranslations } from "next-intl";
import type { IntegrationEvaluation } from "@/lib/integrations/status";

const ICONS = {
  ok: "M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z",
  warning:
    "M8.5 2.6a1.7 1.7 0 0 1 3 0l6.3 11.8a1.7 1.7 0 0 1-1.5 2.6H3.7a1.7 1.7 0 0 1-1.5-2.6L8.5 2.6ZM10 7a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 7Zm0 7.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z",
  info: "M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm.75 4.5a.75.75 0 1 1-1.5 0 .75.75 0 0 1 1.5 0ZM9.25 9a.75.75 0 0 1 1.5 0v4.5a.75.75 0 0 1-1.5 0V9Z",
};

function Icon({ path, className }: { path: string; className: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className={`mt-0.5 size-5 shrink-0 ${className}`}>
      <path fill="currentColor" fillRule="evenodd" clipRule="evenodd" d={path} />
    </svg>
  );
}

/** Set up correctly, exactly what is missing, or not chosen yet: the verdict of evaluateIntegration. */
export function HealthPanel({
  evaluation,
  canConfigure,
}: {
  evaluation: IntegrationEvaluation;
  canConfigure: boolean;
}) {
  const t = useTranslations();
  if (evaluation.state === "ok") {
    return (
      <div role="status" className="flex gap-3 rounded-lg bg-emerald-50 p-3 ring-1 ring-emerald-600/20 ring-inset">
        <Icon path={ICONS.ok} className="text-emerald-600" />
        <div className="text-sm">
          <p className="font-semibold text-emerald-900">{t("integrations.health.ok.title")}</p>
          <p className="text-emerald-800">{t("integrations.health.ok.body")}</p>
        </div>
      </div>
    );
  }
  if (evaluation.state === "not_configured") {
    return (
      <div role="status" className="flex gap-3 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-300 ring-inset">
        <Icon path={ICONS.info} className="text-slate-500" />
        <div className="text-sm">
          <p className="font-semibold text-slate-900">{t("integrations.health.notConfigured.title")}</p>
          <p className="text-slate-700">
            {canConfigure
              ? t("integrations.health.notConfigured.bodyConfigure")
              : t("integrations.health.notConfigured.bodyReadOnly")}
          </p>
        </div>
      </div>
    );
  }
  return (
    <div role="alert" className="flex gap-3 rounded-lg bg-red-50 p-3 ring-1 ring-red-600/20 ring-inset">
      <Icon path={ICONS.warning} className="text-red-600" />
      <div className="min-w-0 text-sm">
        <p className="font-semibold text-red-900">{t("integrations.health.needsAttention.title")}</p>
        <p className="text-red-800">{t("integrations.health.needsAttention.body")}</p>
        <ul className="mt-1 list-disc space-y-0.5 pl-5 text-red-800">
          {evaluation.problems.map((problem) => (
            <li key={problem.code}>{t(problem.messageKey as Parameters<typeof t>[0])}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}
