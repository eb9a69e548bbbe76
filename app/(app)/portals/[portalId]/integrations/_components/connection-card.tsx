import { useFormatter, useNow, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { HelpLink } from "@/components/help/help-link";
import type { ConnectionView } from "@/lib/connections/service";
import { packageHelpHref } from "@/lib/help/links";
import { CheckStatusButton } from "./check-status-button";
import { ConnectionActions } from "./connection-actions";
import { ConnectionStatusBadge } from "./connection-status-badge";
import { OAuthConnectButton } from "./oauth-connect-button";
import { PackageInitials } from "./package-initials";
import type { FormSpec } from "./types";

/**
 * One portal connection: package, channel, label, health (status, last check, last success, last
 * error with a plain reason) and how many dossiers deliver through it. Who may manage gets the
 * buttons. Connections of OAuth packages also say whether they are connected and when the grant
 * would expire unused (everyone), with Connect / Reconnect for who may authorise.
 * SFTP connections show the server key they trust (its fingerprint, typed or pinned on first use),
 * so whoever sees the page can compare it with the one the provider gives.
 * Renders the public view only: no secret ever reaches this component.
 */
export function ConnectionCard({
  portalId,
  connection,
  canManage,
  canAuthorize,
  form,
  isNew = false,
  unreachable = null,
}: {
  portalId: string;
  connection: ConnectionView;
  /** connection.manage: edit, test, disable and enable. */
  canManage: boolean;
  /** connection.authorize: Connect / Reconnect with the package. */
  canAuthorize: boolean;
  /** The generated edit form (null while the connector is not built). */
  form: FormSpec;
  isNew?: boolean;
  /** Its breaker is open (lib/dispatch/breaker.ts): "unreachable since …", rendered by the page. */
  unreachable?: ReactNode;
}) {
  const t = useTranslations("connections");
  const tChannels = useTranslations("connectors.channels");
  const tReasons = useTranslations("connectors.errors");
  const format = useFormatter();
  const now = useNow();
  type ReasonKey = Parameters<typeof tReasons>[0];
  const status = connection.status;
  const oauth = connection.oauth;
  const serverKey = connection.serverKey;
  // An OAuth connection never authorised is explained by its "not connected yet" line instead.
  const help =
    status === "needs_reauth" && oauth
      ? oauth.isAuthorised
        ? t("oauth.needsReauthHelp", { package: connection.packageName })
        : null
      : status === "needs_reauth" || status === "error" || status === "disabled"
        ? t(`statusHelp.${status}`)
        : null;

  // The read-back skips connections that are off or need re-authorisation: no button there.
  const checkStatus =
    connection.hasReadBack && status !== "disabled" && status !== "needs_reauth" ? (
      <CheckStatusButton portalId={portalId} connectionId={connection.id} />
    ) : null;

  const when = (date: Date | null) =>
    date ? (
      <time dateTime={date.toISOString()} title={format.dateTime(date, { dateStyle: "medium", timeStyle: "short" })}>
        {format.relativeTime(date, now)}
      </time>
    ) : null;

  const reason = connection.lastErrorCode
    ? tReasons.has(connection.lastErrorCode as ReasonKey)
      ? tReasons(connection.lastErrorCode as ReasonKey)
      : t("card.unknownReason")
    : null;

  return (
    <li
      id={`connection-${connection.id}`}
      data-connection-id={connection.id}
      className={`rounded-xl border bg-white p-4 shadow-sm sm:p-5 ${
        isNew ? "border-brand-300 ring-2 ring-brand-100" : "border-slate-200"
      } ${status === "disabled" ? "bg-slate-50/60" : ""}`}
    >
      <div className="flex flex-wrap items-start gap-x-3 gap-y-2">
        <PackageInitials initials={connection.packageInitials} muted={status === "disabled"} />
        <div className="min-w-0 flex-1">
          <h2 className="text-base font-semibold break-words text-slate-900">{connection.label}</h2>
          <p className="mt-0.5 flex items-center gap-2 text-sm text-slate-600">
            {t("card.channelOf", {
              package: connection.packageName,
              // Only SFTP connections have a server key; "SFTP" reads the same in every language.
              channel: connection.serverKey ? "SFTP" : tChannels(connection.channel),
            })}
            <HelpLink href={packageHelpHref(connection.packageId)} topic={connection.packageName} />
          </p>
        </div>
        {/* Under the name on phones (aligned with it), on the right from sm up. */}
        <div className="w-full pl-13 sm:w-auto sm:pl-0">
          <ConnectionStatusBadge status={status} />
        </div>
      </div>

      {unreachable ? <div className="mt-3">{unreachable}</div> : null}

      {help ? (
        <p
          className={`mt-3 rounded-md px-3 py-2 text-sm ring-1 ring-inset ${
            status === "disabled"
              ? "bg-slate-100 text-slate-700 ring-slate-500/20"
              : status === "needs_reauth"
                ? "bg-orange-50 text-orange-900 ring-orange-600/20"
                : "bg-red-50 text-red-900 ring-red-600/20"
          }`}
        >
          {help}
        </p>
      ) : null}

      {oauth ? (
        <div
          data-oauth={oauth.isAuthorised ? "authorised" : "not-authorised"}
          className="mt-3 flex flex-col gap-3 rounded-md bg-slate-50 px-3 py-3 ring-1 ring-slate-500/10 ring-inset sm:flex-row sm:items-start sm:justify-between"
        >
          <div className="min-w-0 text-sm">
            <p className="font-medium text-slate-900">
              {oauth.isAuthorised
                ? t("oauth.authorised", { package: connection.packageName })
                : t("oauth.notAuthorised")}
            </p>
            {!oauth.isAuthorised ? (
              <p className="mt-0.5 text-slate-600">
                {t("oauth.notAuthorisedHelp", { package: connection.packageName })}
              </p>
            ) : null}
            {oauth.isAuthorised && oauth.expiresAt ? (
              <p className="mt-0.5 text-slate-600">
                {t("oauth.expiresOn", {
                  date: format.dateTime(oauth.expiresAt, { dateStyle: "long" }),
                })}{" "}
                <span className="text-slate-500">{t("oauth.expiresHint")}</span>
              </p>
            ) : null}
            {status === "needs_reauth" && reason ? (
              <p className="mt-0.5 text-orange-900">{t("oauth.reason", { reason })}</p>
            ) : null}
          </div>
          {canAuthorize && status !== "disabled" ? (
            <OAuthConnectButton
              portalId={portalId}
              connectionId={connection.id}
              label={
                oauth.isAuthorised ? t("oauth.reconnect") : t("oauth.connect", { package: connection.packageName })
              }
              pendingLabel={t("oauth.connecting", { package: connection.packageName })}
              isPrimary={!oauth.isAuthorised || status === "needs_reauth"}
            />
          ) : null}
        </div>
      ) : null}

      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-3 text-sm lg:grid-cols-[1fr_1fr_2fr_1fr]">
        <Detail label={t("card.lastCheck")}>{when(connection.lastCheckedAt) ?? t("card.never")}</Detail>
        <Detail label={t("card.lastSuccess")}>{when(connection.lastSuccessAt) ?? t("card.never")}</Detail>
        <Detail label={t("card.lastError")} wide>
          {reason ? (
            <>
              <span className="text-slate-900">{reason}</span>
              {connection.lastErrorAt ? (
                <span className="text-slate-500">
                  {" · "}
                  {when(connection.lastErrorAt)}
                </span>
              ) : null}
            </>
          ) : (
            t("card.none")
          )}
        </Detail>
        <Detail label={t("card.dossiers")}>{t("card.dossierCount", { count: connection.dossierCount })}</Detail>
        {serverKey ? (
          <div className="col-span-full" data-server-key={serverKey.source}>
            <dt className="text-xs text-slate-500">{t("card.serverKey.label")}</dt>
            <dd className="mt-0.5 text-slate-800">
              {serverKey.fingerprint ? (
                <>
                  {/* A fingerprint has no spaces: it may break anywhere, or it runs off a phone. */}
                  <code className="font-mono text-[0.8125rem] break-all text-slate-900">{serverKey.fingerprint}</code>{" "}
                  <span className="text-slate-500">({t(`card.serverKey.${serverKey.source}`)})</span>
                </>
              ) : (
                t("card.serverKey.firstUse")
              )}
            </dd>
          </div>
        ) : null}
      </dl>

      {canManage ? (
        <ConnectionActions
          checkStatus={checkStatus}
          portalId={portalId}
          connection={{
            id: connection.id,
            label: connection.label,
            status: connection.status,
            dossierCount: connection.dossierCount,
            settings: connection.settings,
            secretsSet: connection.secretsSet,
            form,
          }}
        />
      ) : checkStatus ? (
        <div className="mt-4 flex flex-wrap gap-2 border-t border-slate-100 pt-4">{checkStatus}</div>
      ) : null}
    </li>
  );
}

function Detail({ label, wide = false, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? "col-span-2 lg:col-span-1" : undefined}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-800">{children}</dd>
    </div>
  );
}
