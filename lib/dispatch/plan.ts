import "server-only";
import { createHash } from "node:crypto";
import type { connections } from "@/db/schema";
import { deliveryThrottleRate, loadConnector } from "@/lib/connectors/registry";
import { type Connector, categoryOf, type DocumentType } from "@/lib/connectors/types";
import type { SendRefusal } from "@/lib/documents/refusals";
import type { CategoryAddresses } from "@/lib/integrations/schemas";
import {
  type IntegrationEvaluation,
  type IntegrationProblem,
  type IntegrationProblemCode,
  integrationProblem,
  parseStoredIntegration,
  resolveEmailTarget,
  type StoredIntegrationRow,
} from "@/lib/integrations/status";
import {
  type Channel,
  type DocumentCategory,
  findPackage,
  freeMailPackage,
  isPackageId,
  type PackageEntry,
} from "@/lib/packages/catalog";
import type { DossierIdentity } from "@/lib/packages/email-addresses";

/**
 * Where a dossier's documents go and through which connector — the one answer to "is this
 * integration usable, and where does this document go". requestSend uses it to refuse what cannot
 * go and to record the target; the deliver job uses it again on fresh state, so a change made in
 * between (connection disabled, address removed) is honoured; "Send a test document" sends along
 * it; and the integration's health (dossier tab, portal overview, after a save) is read off the
 * same decision, so what a page shows and what a delivery does never disagree:
 * - a connection that is connected, not checked yet, or in error is usable; in error it shows
 *   "needs attention" (its last check failed; the next delivery may well go through);
 * - one that needs re-authorisation or is disabled refuses.
 */

export type DispatchTarget = Record<string, string | number | boolean | null>;

export type PlanConnection = {
  id: string;
  packageId: string;
  channel: (typeof connections.$inferSelect)["channel"];
  label: string;
  status: (typeof connections.$inferSelect)["status"];
};

/** A dossier with its integration and that integration's connection (lib/integrations/load's shape). */
export type IntegrationSnapshot = {
  dossier: DossierIdentity;
  integration: StoredIntegrationRow | null;
  connection: PlanConnection | null;
};

export type DeliveryRoute =
  | {
      kind: "email";
      connector: Connector;
      packageEntry: PackageEntry;
      /** Catalog package, or null for free mail. */
      packageId: string | null;
      addresses: CategoryAddresses;
    }
  | {
      kind: "connection";
      connector: Connector;
      packageEntry: PackageEntry;
      connection: PlanConnection;
      dossierSettings: unknown;
    };

export type RouteResult = { ok: true; route: DeliveryRoute } | { ok: false; reason: SendRefusal };

export type RoutePlan = {
  /** How the dossier's documents go now, or why none can. */
  route: RouteResult;
  /** What to fix, each with its message; a usable route may still have some (a connection in error). */
  problems: IntegrationProblem[];
};

/** The connector of a package on a channel, already loaded; `null` package = free mail. Null = not built. */
export type ConnectorLookup = (packageId: string | null, channel: Channel) => Connector | null;

function refused(reason: SendRefusal, ...problems: IntegrationProblemCode[]): RoutePlan {
  return { route: { ok: false, reason }, problems: problems.map(integrationProblem) };
}

/**
 * The decision itself, pure: the snapshot and its connectors in, the route (or the refusal) and
 * the problems out. resolveRoute and evaluateIntegration load the connectors and call it.
 */
export function planRoute(snapshot: IntegrationSnapshot, connectorOf: ConnectorLookup): RoutePlan {
  const { integration } = snapshot;
  if (!integration) return refused("no_integration");
  const stored = parseStoredIntegration(integration);
  if (!stored) return refused("integration_incomplete", "settings_invalid");
  switch (stored.kind) {
    case "none":
      return refused("integration_none");
    case "connection": {
      const connection = snapshot.connection;
      if (!connection) return refused("integration_incomplete", "connection_missing");
      // Every problem is named (the health lists them all); the first one is why the route refuses.
      const problems: IntegrationProblemCode[] = [];
      let refusal: SendRefusal | null = null;
      const refuse = (reason: SendRefusal, problem: IntegrationProblemCode) => {
        refusal ??= reason;
        problems.push(problem);
      };
      if (connection.status === "disabled") refuse("connection_disabled", "connection_disabled");
      else if (connection.status === "needs_reauth") refuse("connection_needs_reauth", "connection_needs_reauth");
      // In error, it still delivers (its last check failed; the next delivery may well go through).
      else if (connection.status === "error") problems.push("connection_error");
      const packageEntry = findPackage(connection.packageId);
      const connector = packageEntry ? connectorOf(connection.packageId, connection.channel) : null;
      if (!packageEntry || !connector) refuse("connector_unavailable", "connector_unavailable");
      else if (!connector.dossierSettingsSchema.safeParse(stored.settings).success) {
        refuse("integration_incomplete", "settings_invalid");
      }
      if (refusal || !packageEntry || !connector) return refused(refusal ?? "connector_unavailable", ...problems);
      return {
        route: {
          ok: true,
          route: { kind: "connection", connector, packageEntry, connection, dossierSettings: stored.settings },
        },
        problems: problems.map(integrationProblem),
      };
    }
    case "email":
    case "free_email": {
      const resolved = resolveEmailTarget(stored, snapshot.dossier);
      if (!resolved) return refused("integration_incomplete", "settings_invalid");
      const packageEntry =
        stored.kind === "email" ? resolved.packageEntry : freeMailPackage(stored.settings.packageName);
      // Free mail has no package, so no registry key: the e-mail channel's one connector serves it.
      const connector = packageEntry ? connectorOf(stored.kind === "email" ? packageEntry.id : null, "email") : null;
      if (!packageEntry || !connector) {
        return { route: { ok: false, reason: "connector_unavailable" }, problems: resolved.problems };
      }
      return {
        route: {
          ok: true,
          route: {
            kind: "email",
            connector,
            packageEntry,
            packageId: stored.kind === "email" ? packageEntry.id : null,
            addresses: resolved.addresses,
          },
        },
        // Missing addresses refuse only the categories they are for (targetFor), not the route.
        problems: resolved.problems,
      };
    }
  }
}

let emailConnectorModule: Promise<Connector> | undefined;

/** The e-mail connector for free mail, imported once (lazily: planning must not load the mail stack up front). */
function loadFreeMailConnector(): Promise<Connector> {
  emailConnectorModule ??= import("@/lib/connectors/email").then(
    (module) => module.emailConnector as unknown as Connector,
  );
  return emailConnectorModule;
}

/** Loads the connectors these snapshots can need (the registry keeps them), for planRoute. */
export async function loadConnectorLookup(snapshots: readonly IntegrationSnapshot[]): Promise<ConnectorLookup> {
  const wanted = new Map<string, { packageId: string | null; channel: Channel }>();
  for (const snapshot of snapshots) {
    const integration = snapshot.integration;
    if (integration?.kind === "connection" && snapshot.connection) {
      const { packageId, channel } = snapshot.connection;
      wanted.set(`${channel}:${packageId}`, { packageId, channel });
    } else if (integration?.kind === "email" && integration.packageId) {
      wanted.set(`email:${integration.packageId}`, { packageId: integration.packageId, channel: "email" });
    } else if (integration?.kind === "free_email") {
      wanted.set("email:", { packageId: null, channel: "email" });
    }
  }
  const loaded = new Map(
    await Promise.all(
      [...wanted].map(async ([key, { packageId, channel }]): Promise<[string, Connector | null]> => {
        if (packageId === null) return [key, await loadFreeMailConnector()];
        return [key, isPackageId(packageId) ? await loadConnector(packageId, channel) : null];
      }),
    ),
  );
  return (packageId, channel) => loaded.get(`${channel}:${packageId ?? ""}`) ?? null;
}

/** The dossier's way out, or why there is none that works now. */
export async function resolveRoute(snapshot: IntegrationSnapshot): Promise<RouteResult> {
  return planRoute(snapshot, await loadConnectorLookup([snapshot])).route;
}

/**
 * Is the dossier's integration set up correctly, and if not, exactly what is missing: the route's
 * own problems. "No integration needed" is a valid choice, so it is "ok".
 */
export function evaluateIntegration(
  snapshot: IntegrationSnapshot,
  connectorOf: ConnectorLookup,
): IntegrationEvaluation {
  if (!snapshot.integration) return { state: "not_configured", problems: [] };
  const { problems } = planRoute(snapshot, connectorOf);
  return { state: problems.length > 0 ? "needs_attention" : "ok", problems };
}

export type TargetResult = { ok: true; target: DispatchTarget } | { ok: false; reason: SendRefusal };

/** Where one document of this type goes on the route (recorded on the dispatch and its attempts). */
export function targetFor(route: DeliveryRoute, documentType: DocumentType): TargetResult {
  const category: DocumentCategory = categoryOf(documentType);
  if (route.kind === "email") {
    const to = route.addresses[category];
    // Several packages take only some categories by mail; this one has no address for it.
    if (!to) return { ok: false, reason: "integration_incomplete" };
    return { ok: true, target: { channel: "email", packageId: route.packageId, category, to } };
  }
  const settings = (route.dossierSettings ?? {}) as Record<string, unknown>;
  return {
    ok: true,
    target: {
      channel: route.connection.channel,
      packageId: route.connection.packageId,
      connectionId: route.connection.id,
      connection: route.connection.label,
      category,
      // The dossier's own settings (administration, division, folder) say where it lands; never secrets.
      ...Object.fromEntries(
        Object.entries(settings).filter((entry): entry is [string, string | number | boolean] =>
          ["string", "number", "boolean"].includes(typeof entry[1]),
        ),
      ),
    },
  };
}

/** Mail spreads over a few lanes; a connection has one lane unless its connector asks for more. */
export const MAIL_LANES = 4;

/**
 * The deliver job's concurrency key. The job allows one run per key, so the key decides how many
 * deliveries run at once:
 * - a portal connection: one lane (the connection id) — API packages rate-limit per credential —
 *   or the connector's `deliveryLanes` (FTP: 2, so one delivery reads its rows and file while the
 *   other holds the pooled session; the session pool still lets one call at a time use it);
 * - mail: one of MAIL_LANES lanes, enough to keep a bulk send moving while staying near Resend's
 *   default rate limit (429s with Retry-After are honoured anyway).
 * The lane is derived from the dispatch id alone, so two runs of the same dispatch (a resume next
 * to a late retry) always share a key and never execute at once.
 */
export function concurrencyKeyOf(dispatch: { id: string; connectionId: string | null; lanes?: number }): string {
  const laneOf = (lanes: number) => {
    const lane = Number.parseInt(dispatch.id.replace(/-/g, "").slice(-6), 16) % lanes;
    return Number.isFinite(lane) ? lane : 0;
  };
  if (!dispatch.connectionId) return `email:${laneOf(MAIL_LANES)}`;
  const lanes = Math.max(1, Math.floor(dispatch.lanes ?? 1));
  return lanes === 1 ? dispatch.connectionId : `${dispatch.connectionId}:${laneOf(lanes)}`;
}

/** The lanes a route's deliveries may use at once (concurrencyKeyOf): the connector's, else one. */
export function deliveryLanesOf(route: DeliveryRoute): number {
  return route.kind === "connection" ? (route.connector.deliveryLanes ?? 1) : 1;
}

/**
 * Deliveries a minute that may start per throttle key (lib/jobs/definitions/deliver.ts): the rate
 * the throttled connectors declare (DeliveryThrottle in lib/connectors/types.ts explains why there
 * is one rate for every key, and lib/connectors/registry.ts refuses two different ones).
 */
export const DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY = deliveryThrottleRate();

/** Longest throttle key a deliver job carries; a connector's longer key is hashed to fit. */
export const MAX_THROTTLE_KEY_LENGTH = 200;

/**
 * The rate-limit bucket of a route's deliveries: the connector's `deliveryThrottle.key` over the
 * connection's and the dossier's parsed settings, prefixed with the connector id (unless it starts
 * with it already) so two packages never share a bucket. Null when the route is not throttled, or
 * when its settings do not parse (the delivery then fails on its own terms) or the connector's key
 * function throws: a throttle key must never stop a send.
 */
export function routeThrottleKey(route: DeliveryRoute, connectionSettings: unknown): string | null {
  if (route.kind !== "connection" || !route.connector.deliveryThrottle) return null;
  const throttle = route.connector.deliveryThrottle;
  const settings = route.connector.settingsSchema.safeParse(connectionSettings ?? {});
  const dossierSettings = route.connector.dossierSettingsSchema.safeParse(route.dossierSettings ?? {});
  if (!settings.success || !dossierSettings.success) return null;
  let key: string | null;
  try {
    key = throttle.key(settings.data, dossierSettings.data);
  } catch (error) {
    console.warn(`[plan] ${route.connector.id}: deliveryThrottle.key failed; deliveries go unthrottled`, error);
    return null;
  }
  if (!key) return null;
  const prefixed = key.startsWith(`${route.connector.id}:`) ? key : `${route.connector.id}:${key}`;
  return prefixed.length <= MAX_THROTTLE_KEY_LENGTH
    ? prefixed
    : `${route.connector.id}:sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * The deliver job's throttle key: the route's bucket, or else the dispatch's own id — a bucket of
 * one, so an unthrottled delivery never waits for another.
 */
export function throttleKeyOf(dispatchId: string, routeKey: string | null): string {
  return routeKey ?? dispatchId;
}
