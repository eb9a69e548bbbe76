import { getTranslations } from "next-intl/server";
import type { ShareOutcome } from "@/lib/share/outcome";

/**
 * After files were shared into this dossier from a phone (lib/share/outcome.ts): how many arrived,
 * and how many were refused, grouped by why, in the person's language. A key that names no message
 * of ours is shown as the generic one.
 */
export async function ShareOutcomeNotice({ outcome }: { outcome: ShareOutcome }) {
  const [t, tErrors] = await Promise.all([getTranslations("share.outcome"), getTranslations("errors")]);
  type ErrorKey = Parameters<typeof tErrors>[0];
  const reasonOf = (key: string): string => {
    if (tErrors.has(key as ErrorKey)) {
      const message = tErrors(key as ErrorKey);
      if (typeof message === "string" && message !== `errors.${key}`) return message;
    }
    return tErrors("generic");
  };
  const refusedByReason = new Map<string, number>();
  for (const key of outcome.refused) {
    const reason = reasonOf(key);
    refusedByReason.set(reason, (refusedByReason.get(reason) ?? 0) + 1);
  }
  const hasRefusals = refusedByReason.size > 0;
  return (
    <section
      aria-label={t("label")}
      role="status"
      className={`rounded-xl p-4 text-sm ring-1 ring-inset ${
        hasRefusals
          ? "bg-amber-50 text-amber-900 ring-amber-600/20"
          : "bg-emerald-50 text-emerald-900 ring-emerald-600/20"
      }`}
    >
      <p className="font-medium">{t("received", { count: outcome.received })}</p>
      {hasRefusals ? (
        <>
          <p className="mt-2">{t("refused", { count: outcome.refused.length })}</p>
          <ul className="mt-1 list-disc pl-5">
            {[...refusedByReason].map(([reason, count]) => (
              <li key={reason}>{t("refusedReason", { count, reason })}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
