import Link from "next/link";
import { useTranslations } from "next-intl";
import { type OnboardingChecklist as Checklist, ONBOARDING_STEPS, type OnboardingStep } from "@/lib/portals/checklist";

/** Per step: where it is done, and whether this person may do it there (else "ask an admin"). */
export type OnboardingTargets = Record<OnboardingStep, { href: string | null; isAllowed: boolean }>;

/**
 * A new office's first steps on its overview. Each ticks itself off from what exists
 * (lib/portals/checklist.ts); the overview leaves the panel out once all are done.
 */
export function OnboardingChecklist({ checklist, targets }: { checklist: Checklist; targets: OnboardingTargets }) {
  const t = useTranslations("onboarding");
  const doneCount = ONBOARDING_STEPS.filter((step) => checklist.done[step]).length;
  const total = ONBOARDING_STEPS.length;
  return (
    <section
      aria-labelledby="onboarding-title"
      className="mb-6 rounded-xl border border-brand-100 bg-white p-5 shadow-sm sm:p-6"
    >
      <div className="flex flex-col gap-1 sm:flex-row sm:items-baseline sm:justify-between sm:gap-4">
        <h2 id="onboarding-title" className="text-base font-semibold text-slate-900">
          {t("title")}
        </h2>
        <p className="text-sm text-slate-600">{t("progress", { done: doneCount, total })}</p>
      </div>
      <p className="mt-1 max-w-2xl text-sm text-slate-600">{t("intro")}</p>
      <div
        className="mt-3 h-1.5 overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-label={t("title")}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={doneCount}
      >
        <div className="h-full rounded-full bg-emerald-500" style={{ width: `${(doneCount / total) * 100}%` }} />
      </div>
      <ol className="mt-4 divide-y divide-slate-100">
        {ONBOARDING_STEPS.map((step) => {
          const isDone = checklist.done[step];
          const target = targets[step];
          const isWaiting = step === "recognition" && !isDone && checklist.hasRecognitionSecret;
          const needsDossierFirst = step === "client" && checklist.firstDossierId === null;
          return (
            <li key={step} className="flex gap-3 py-3 first:pt-0 last:pb-0">
              <span
                aria-hidden="true"
                className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full ${
                  isDone ? "bg-emerald-500 text-white" : "border-2 border-slate-300"
                }`}
              >
                {isDone ? (
                  <svg aria-hidden="true" viewBox="0 0 20 20" className="size-3.5">
                    <path
                      fill="currentColor"
                      d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z"
                    />
                  </svg>
                ) : null}
              </span>
              <div className="flex min-w-0 flex-1 flex-col gap-2 sm:flex-row sm:items-start sm:justify-between sm:gap-4">
                <div className="min-w-0">
                  <p className={`text-sm font-medium ${isDone ? "text-slate-500" : "text-slate-900"}`}>
                    {t(`steps.${step}.title`)}
                    <span className="sr-only"> — {isDone ? t("done") : t("toDo")}</span>
                  </p>
                  {isDone ? null : (
                    <p className="mt-0.5 text-sm text-slate-600">
                      {isWaiting ? t("recognitionWaiting") : t(`steps.${step}.body`)}
                    </p>
                  )}
                </div>
                {isDone ? null : (
                  <div className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                    {target.isAllowed ? null : <span className="text-slate-500">{t("askAdmin")}</span>}
                    {target.href ? (
                      <Link
                        href={target.href}
                        className={
                          target.isAllowed
                            ? "inline-flex min-h-9 items-center rounded-md border border-slate-300 bg-white px-3 font-medium text-slate-800 shadow-xs hover:bg-slate-50"
                            : "font-medium text-brand-700 hover:underline"
                        }
                      >
                        {target.isAllowed
                          ? needsDossierFirst
                            ? t("steps.dossier.action")
                            : t(`steps.${step}.action`)
                          : t(`steps.${step}.view`)}
                      </Link>
                    ) : null}
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
