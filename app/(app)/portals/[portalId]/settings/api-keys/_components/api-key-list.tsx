import { useFormatter, useNow, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { ApiKeyPerson, ApiKeyStatus, ApiKeySummary } from "@/lib/api-keys/service";
import { RevokeApiKeyButton } from "./revoke-api-key-button";

const STATUS_TONES = { active: "green", expired: "grey", revoked: "red" } as const satisfies Record<
  ApiKeyStatus,
  BadgeTone
>;

const DAY_MS = 24 * 60 * 60 * 1000;

function Detail({ label, children, wide = false }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={`min-w-0 ${wide ? "sm:col-span-2" : ""}`}>
      <dt className="text-slate-500">{label}</dt>
      <dd className="mt-0.5 break-words text-slate-900">{children}</dd>
    </div>
  );
}

/**
 * The office's keys as cards (one column on phones): name, status, prefix, role, scopes, who made
 * it and when, last use, expiry, and for revoked keys who revoked them. Active keys get a revoke
 * button. Only summaries reach this component: never a key, never a hash.
 */
export function ApiKeyList({ portalId, keys }: { portalId: string; keys: ApiKeySummary[] }) {
  const t = useTranslations("apiKeys");
  const format = useFormatter();
  const now = useNow();

  const personOf = (person: ApiKeyPerson) =>
    person === null ? t("list.removedPerson") : person.name ? `${person.name} (${person.email})` : person.email;
  const timeOf = (date: Date, content: string) => (
    <time dateTime={date.toISOString()} title={format.dateTime(date, { dateStyle: "medium", timeStyle: "short" })}>
      {content}
    </time>
  );
  const byPerson = (date: Date, person: ApiKeyPerson) =>
    t("list.byPerson", { date: format.dateTime(date, { dateStyle: "medium" }), person: personOf(person) });
  // Keys made here expire at the end of a day in UTC (lib/api-keys/schemas.ts): name that day.
  // Any other instant is shown as it is.
  const expiryOf = (expiresAt: Date) =>
    expiresAt.getTime() % DAY_MS === 0
      ? timeOf(
          expiresAt,
          t("list.expiresOn", {
            date: format.dateTime(new Date(expiresAt.getTime() - 1), { dateStyle: "medium", timeZone: "UTC" }),
          }),
        )
      : timeOf(expiresAt, format.dateTime(expiresAt, { dateStyle: "medium", timeStyle: "short" }));

  return (
    <ul className="flex flex-col gap-3">
      {keys.map((key) => (
        <li
          key={key.id}
          data-api-key-id={key.id}
          className={`rounded-xl border border-slate-200 p-4 shadow-sm sm:p-5 ${
            key.status === "active" ? "bg-white" : "bg-slate-50"
          }`}
        >
          <div className="flex flex-wrap items-start justify-between gap-2">
            <h3 className="min-w-0 text-base font-semibold break-words text-slate-900">{key.name}</h3>
            <Badge tone={STATUS_TONES[key.status]}>{t(`status.${key.status}`)}</Badge>
          </div>
          <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            <Detail label={t("list.prefix")}>
              <code className="font-mono text-sm text-slate-900">{key.prefix}…</code>
            </Detail>
            <Detail label={t("list.role")}>{t(`roles.${key.role}.label`)}</Detail>
            <Detail label={t("list.scopes")} wide>
              <ul className="flex flex-wrap gap-1.5">
                {key.scopes.map((scope) => (
                  <li key={scope}>
                    <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800 ring-1 ring-slate-200 ring-inset">
                      {scope}
                    </code>
                  </li>
                ))}
              </ul>
            </Detail>
            <Detail label={t("list.created")}>{byPerson(key.createdAt, key.createdBy)}</Detail>
            <Detail label={t("list.lastUsed")}>
              {key.lastUsedAt ? timeOf(key.lastUsedAt, format.relativeTime(key.lastUsedAt, now)) : t("list.never")}
            </Detail>
            <Detail label={t("list.expires")}>
              {key.expiresAt ? expiryOf(key.expiresAt) : t("list.neverExpires")}
            </Detail>
            {key.revokedAt ? <Detail label={t("list.revoked")}>{byPerson(key.revokedAt, key.revokedBy)}</Detail> : null}
          </dl>
          <RevokeApiKeyButton portalId={portalId} keyId={key.id} name={key.name} isActive={key.status === "active"} />
        </li>
      ))}
    </ul>
  );
}
