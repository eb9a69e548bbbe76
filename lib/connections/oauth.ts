import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, isNotNull, isNull, lt, lte, notInArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db";
import { connections, oauthStates } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize, can } from "@/lib/auth/authorize";
import { runConnectorCall, runUntilAborted } from "@/lib/connectors/call";
import { ConnectorError, toConnectorError } from "@/lib/connectors/errors";
import type { Connector, ConnectorOAuth } from "@/lib/connectors/types";
import { afterConnectionRestored } from "@/lib/dispatch/waiting";
import { env } from "@/lib/env";
import { AppError, type AppErrorCode, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { findPackage, isPackageId } from "@/lib/packages/catalog";
import { type ConnectionCheckResult, runConnectionCheck } from "./check";
import { CHECK_TIMEOUT_MS, type ConnectionDeps, DEFAULT_CONNECTION_DEPS } from "./deps";
import { ConnectorUnavailableError } from "./errors";
import { checkHealthEvent, recordConnectionHealth } from "./health";
import { oauthAppEnvNames, oauthAppFor } from "./oauth-app";
import { createConnectorContext, decryptConnectionSecrets, storeConnectionSecrets } from "./runtime";
import { connectionIdSchema } from "./schemas";

/**
 * The OAuth platform every OAuth package shares (authorization-code flow; the connector knows only
 * its vendor's URLs and token shapes, see ConnectorOAuth in lib/connectors/types.ts):
 * - `startAuthorization`: an admin asks to connect; a random state is stored (its SHA-256 only),
 *   bound to the admin, the portal and the connection, and the browser goes to the package.
 * - `completeAuthorization`: the package sends the browser back to /api/oauth/callback; the state
 *   is consumed once, the admin's role re-checked, the code traded for tokens, which are stored
 *   encrypted with the grant's expiry, and the connection is checked for real.
 * - `listConnectionsDueForKeepAlive` / `keepAliveConnection`: the daily oauth-keep-alive job uses
 *   grants before they die of disuse (Exact: ~30 days).
 */

/** How long an admin has between "Connect" and coming back from the package. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
/** One callback for every package: the address an office registers with its OAuth app. */
export const OAUTH_CALLBACK_PATH = "/api/oauth/callback";
/** Used states are kept this long after expiring (to tell "expired" from "unknown"), then removed. */
const STATE_RETENTION_MS = 24 * 60 * 60_000;
/** A grant that dies within this window is used by the keep-alive job. */
export const KEEP_ALIVE_WINDOW_MS = 10 * 24 * 60 * 60_000;
/** Connections per keep-alive run; the rest (latest expiry last) wait for the next day. */
export const KEEP_ALIVE_BATCH = 200;

/**
 * How an authorization ended, as the Integrations page's banner names it (`?oauth=<outcome>`,
 * text under connections.oauth.outcome.<outcome>).
 */
export const OAUTH_OUTCOMES = [
  "connected",
  "connectedCheckFailed",
  "declined",
  "vendorError",
  "unknownState",
  "expired",
  "used",
  "otherUser",
  "forbidden",
  "notFound",
  "connectorUnavailable",
  "appMissing",
  "exchangeFailed",
] as const;
export type OAuthOutcome = (typeof OAUTH_OUTCOMES)[number];

export function isOAuthOutcome(value: unknown): value is OAuthOutcome {
  return typeof value === "string" && (OAUTH_OUTCOMES as readonly string[]).includes(value);
}

/** The connection an authorization was for, when the signed-in user may see its portal. */
export type OAuthTarget = { portalId: string; connectionId: string };

const OUTCOME_ERRORS: Record<Exclude<OAuthOutcome, "connected" | "connectedCheckFailed">, [AppErrorCode, number]> = {
  declined: ["conflict", 409],
  vendorError: ["conflict", 409],
  unknownState: ["not_found", 404],
  expired: ["conflict", 409],
  used: ["conflict", 409],
  otherUser: ["forbidden", 403],
  forbidden: ["forbidden", 403],
  notFound: ["not_found", 404],
  connectorUnavailable: ["conflict", 409],
  appMissing: ["conflict", 409],
  exchangeFailed: ["conflict", 409],
};

/**
 * A callback that did not connect. `target` is set only when the user may see the connection's
 * portal, so the callback route can send them back to its Integrations page; `reason` is the
 * connector error code of a failed exchange (connectors.errors.<code>).
 */
export class OAuthCallbackError extends AppError {
  readonly outcome: Exclude<OAuthOutcome, "connected" | "connectedCheckFailed">;
  readonly target: OAuthTarget | null;
  readonly reason: string | null;

  constructor(
    outcome: Exclude<OAuthOutcome, "connected" | "connectedCheckFailed">,
    target: OAuthTarget | null,
    options: { reason?: string; cause?: unknown } = {},
  ) {
    const [code, status] = OUTCOME_ERRORS[outcome];
    super(code, `oauth.outcome.${outcome}`, status, { cause: options.cause });
    this.name = "OAuthCallbackError";
    this.outcome = outcome;
    this.target = target;
    this.reason = options.reason ?? null;
  }
}

function hashState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/**
 * `<AUTH_URL or the request's origin>/api/oauth/callback`. AUTH_URL wins: behind a proxy the
 * request's own origin may be an internal address the package would never reach.
 */
export function oauthRedirectUri(requestOrigin: string): string {
  const base = env().AUTH_URL ?? requestOrigin;
  const url = new URL(base);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("the app's origin is not http(s)");
  return new URL(OAUTH_CALLBACK_PATH, url.origin).toString();
}

const oauthColumns = {
  id: connections.id,
  portalId: connections.portalId,
  packageId: connections.packageId,
  channel: connections.channel,
  settings: connections.settings,
  // Read here only to hand it to the connector runtime, which alone decrypts it.
  secretsEncrypted: connections.secretsEncrypted,
  status: connections.status,
};

type OAuthConnector = Connector & { oauth: ConnectorOAuth<unknown, unknown> };

function hasOAuth(connector: Connector): connector is OAuthConnector {
  return connector.oauth !== undefined;
}

/** The package's connector when it connects by OAuth, else null. */
async function loadOAuthConnector(
  deps: Pick<ConnectionDeps, "loadConnector">,
  packageId: string,
  channel: (typeof connections.$inferSelect)["channel"],
): Promise<OAuthConnector | null> {
  if (!isPackageId(packageId)) return null;
  const connector = await deps.loadConnector(packageId, channel);
  return connector && hasOAuth(connector) ? connector : null;
}

/** The stored secrets as far as they decrypt ({} when they do not: a new grant replaces them). */
function currentSecretsOf(row: { id: string; secretsEncrypted: string | null }): Record<string, unknown> {
  try {
    const value = decryptConnectionSecrets(row);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * An admin asks to connect (or reconnect) a connection of an OAuth package: returns the package's
 * authorization URL to send the browser to. Admins only, and only people (connection.authorize): a
 * consent screen needs a browser, so API tokens are refused. The OAuth app is the connection's own
 * client id and secret, else the deployment's (EXACT_ONLINE_CLIENT_ID / _SECRET); without either
 * the admin gets a message saying so.
 */
export async function startAuthorization(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  connectionId: string,
  options: { origin: string; now?: Date },
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<{ url: string }> {
  authorize(actor, "connection.authorize", { portalId });
  // Only a person got past authorize; this narrows the type for the state's user id.
  if (actor.kind !== "user") throw new ForbiddenError("oauthNeedsPerson");
  const id = connectionIdSchema.safeParse(connectionId);
  if (!id.success) throw new NotFoundError();
  const [row] = await db
    .select(oauthColumns)
    .from(connections)
    .where(and(eq(connections.id, id.data), eq(connections.portalId, portalId)));
  if (!row) throw new NotFoundError();

  const connector = isPackageId(row.packageId) ? await deps.loadConnector(row.packageId, row.channel) : null;
  if (!connector) throw new ConnectorUnavailableError();
  if (!hasOAuth(connector)) throw new ConflictError("oauthUnsupported");
  const settings = connector.settingsSchema.safeParse(row.settings);
  if (!settings.success) throw new ConflictError("oauthSettingsInvalid");
  const app = oauthAppFor(row.packageId, settings.data, currentSecretsOf(row));
  if (!app) {
    // The operator's part (which variables to set) goes to the log and the README; the person
    // is told which package, never an environment variable.
    console.warn(
      `[oauth] no ${row.packageId} app: set ${oauthAppEnvNames(row.packageId).join(" and ")} or the connection's own client id and secret`,
    );
    throw new AppError("conflict", "oauthAppMissing", 409, {
      messageValues: { package: findPackage(row.packageId)?.name ?? row.packageId },
    });
  }

  const now = options.now ?? new Date();
  const redirectUri = oauthRedirectUri(options.origin);
  // 32 random bytes; the browser carries the state, the database only its hash.
  const state = randomBytes(32).toString("base64url");
  await db.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date(now.getTime() - STATE_RETENTION_MS)));
  await db.insert(oauthStates).values({
    stateHash: hashState(state),
    portalId: row.portalId,
    connectionId: row.id,
    userId: actor.userId,
    packageId: row.packageId,
    redirectUri,
    createdAt: now,
    expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_MS),
  });
  return { url: connector.oauth.authorizationUrl({ settings: settings.data, app, redirectUri, state }) };
}

/** What the package's redirect carried (query parameters of /api/oauth/callback). */
export type OAuthCallbackInput = { state?: string | null; code?: string | null; error?: string | null };

export type OAuthCompletion = {
  outcome: "connected" | "connectedCheckFailed";
  target: OAuthTarget;
  check: ConnectionCheckResult;
};

type ConsumedState = typeof oauthStates.$inferSelect;

/**
 * Consumes a state: ONE conditional update (unused, unexpired, started by this user), so of two
 * callbacks racing with the same state exactly one gets the row. When none does, a second read
 * only chooses the message; it never grants anything.
 */
async function consumeState(
  db: DbOrTx,
  actor: Extract<Actor, { kind: "user" }>,
  state: string,
  now: Date,
): Promise<ConsumedState> {
  const stateHash = hashState(state);
  const [consumed] = await db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthStates.stateHash, stateHash),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, now),
        eq(oauthStates.userId, actor.userId),
      ),
    )
    .returning();
  if (consumed) return consumed;

  const [found] = await db.select().from(oauthStates).where(eq(oauthStates.stateHash, stateHash));
  if (!found) throw new OAuthCallbackError("unknownState", null);
  // Someone else's authorization: name its portal only to members who may see it anyway.
  const target = can(actor, "connection.view", { portalId: found.portalId })
    ? { portalId: found.portalId, connectionId: found.connectionId }
    : null;
  if (found.userId !== actor.userId) throw new OAuthCallbackError("otherUser", target);
  if (found.usedAt) throw new OAuthCallbackError("used", target);
  throw new OAuthCallbackError("expired", target);
}

/**
 * The package sent the admin back. Consumes the state (single use, same user, unexpired),
 * re-checks that the signed-in user is still an admin of the state's portal, then trades the code
 * for tokens within the check timeout and stores them encrypted, with the grant's expiry, in one
 * update that also marks the connection connected and clears its last error; finally runs a real
 * check. A declined consent changes nothing; a failed exchange stores no token and marks the
 * connection needs_reauth with the error's code. Every refusal is an OAuthCallbackError.
 */
export async function completeAuthorization(
  db: Db,
  actor: Actor,
  input: OAuthCallbackInput,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
  now: Date = new Date(),
): Promise<OAuthCompletion> {
  if (actor.kind !== "user" || !input.state) throw new OAuthCallbackError("unknownState", null);
  const state = await consumeState(db, actor, input.state, now);
  const target: OAuthTarget = { portalId: state.portalId, connectionId: state.connectionId };

  // The role as it is now, not as it was when the admin clicked "Connect".
  try {
    authorize(actor, "connection.authorize", { portalId: state.portalId });
  } catch (error) {
    if (error instanceof ForbiddenError) throw new OAuthCallbackError("forbidden", target, { cause: error });
    throw new OAuthCallbackError("notFound", null, { cause: error });
  }

  if (input.error) {
    // The package's own error code goes to the logs only; the admin reads a plain sentence.
    if (input.error === "access_denied") throw new OAuthCallbackError("declined", target);
    console.warn("[oauth] the package answered the authorization with an error", { error: input.error.slice(0, 100) });
    throw new OAuthCallbackError("vendorError", target);
  }
  if (!input.code) throw new OAuthCallbackError("vendorError", target);

  const [row] = await db
    .select(oauthColumns)
    .from(connections)
    .where(and(eq(connections.id, state.connectionId), eq(connections.portalId, state.portalId)));
  if (!row || row.packageId !== state.packageId) throw new OAuthCallbackError("notFound", null);
  const connector = await loadOAuthConnector(deps, row.packageId, row.channel);
  if (!connector) throw new OAuthCallbackError("connectorUnavailable", target);
  const current = currentSecretsOf(row);

  let secrets: unknown;
  try {
    const settings = connector.settingsSchema.safeParse(row.settings);
    if (!settings.success) throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "settings" });
    const app = oauthAppFor(row.packageId, settings.data, current);
    if (!app) throw new OAuthCallbackError("appMissing", target);
    const signal = AbortSignal.timeout(deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS);
    const code = input.code;
    const exchanged = await runUntilAborted(signal, () =>
      connector.oauth.exchangeCode({
        settings: settings.data,
        current,
        app,
        code,
        redirectUri: state.redirectUri,
        signal,
      }),
    );
    const parsed = connector.secretsSchema.safeParse(exchanged);
    if (!parsed.success) {
      throw new ConnectorError("permanent", "unknown", { vendorDetail: "the exchanged tokens do not fit the schema" });
    }
    secrets = parsed.data;
  } catch (error) {
    if (error instanceof OAuthCallbackError) throw error;
    const failure = toConnectorError(error);
    console.warn("[oauth] code exchange failed", {
      connectionId: row.id,
      code: failure.code,
      vendorDetail: failure.vendorDetail,
    });
    // Whatever went wrong, the connection is not authorised: a person must connect it again.
    await recordConnectionHealth(db, row, {
      ok: false,
      at: now,
      isCheck: false,
      status: "needs_reauth",
      errorCode: failure.code,
    });
    throw new OAuthCallbackError("exchangeFailed", target, { reason: failure.code, cause: failure });
  }

  await storeConnectionSecrets(db, connector, row, secrets, {
    // Decided in SQL, so an admin's "disable" meanwhile is never undone.
    status: sql`case when ${connections.status} = 'disabled' then 'disabled'::connection_status else 'connected'::connection_status end`,
    lastErrorCode: null,
    lastErrorAt: null,
  });
  const check = await runConnectionCheck(db, actor, row.id, deps);
  const isHealthy = check.status === "connected" || check.status === "disabled";
  // Documents auto-send left because this connection needed signing in again go now.
  if (check.status === "connected") await afterConnectionRestored(db, target);
  return { outcome: isHealthy ? "connected" : "connectedCheckFailed", target, check };
}

/**
 * Connections whose grant dies within KEEP_ALIVE_WINDOW_MS (or already has), soonest first, at
 * most KEEP_ALIVE_BATCH. Disabled ones are left alone, and so are those that need
 * re-authorisation: their grant was refused, and only an admin can make a new one. Across
 * portals: the keep-alive job runs as the system.
 */
export async function listConnectionsDueForKeepAlive(
  db: DbOrTx,
  now: Date = new Date(),
  deps: Pick<ConnectionDeps, "loadConnector"> = DEFAULT_CONNECTION_DEPS,
): Promise<{ id: string; portalId: string }[]> {
  const rows = await db
    .select({
      id: connections.id,
      portalId: connections.portalId,
      packageId: connections.packageId,
      channel: connections.channel,
    })
    .from(connections)
    .where(
      and(
        isNotNull(connections.credentialsExpireAt),
        lte(connections.credentialsExpireAt, new Date(now.getTime() + KEEP_ALIVE_WINDOW_MS)),
        notInArray(connections.status, ["disabled", "needs_reauth"]),
      ),
    )
    .orderBy(asc(connections.credentialsExpireAt), asc(connections.id))
    .limit(KEEP_ALIVE_BATCH);
  const due: { id: string; portalId: string }[] = [];
  for (const row of rows) {
    if (await loadOAuthConnector(deps, row.packageId, row.channel)) {
      due.push({ id: row.id, portalId: row.portalId });
    }
  }
  return due;
}

export type KeepAliveResult =
  | { outcome: "kept_alive" | "skipped" }
  | { outcome: "needs_reauth" | "failed"; errorCode: string; vendorDetail?: string };

/**
 * Uses one connection's grant so it does not expire (connector.oauth.keepAlive, which rotates
 * through ctx.rotateSecrets and so moves credentials_expire_at on). A refused grant marks the
 * connection needs_reauth, so the page shows the reconnect button; any other failure changes
 * nothing and is tried again the next day. Runs as the system.
 */
export async function keepAliveConnection(
  db: DbOrTx,
  connectionId: string,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<KeepAliveResult> {
  const id = connectionIdSchema.safeParse(connectionId);
  if (!id.success) return { outcome: "skipped" };
  const [row] = await db.select(oauthColumns).from(connections).where(eq(connections.id, id.data));
  if (!row || row.status === "disabled") return { outcome: "skipped" };
  const packageEntry = findPackage(row.packageId);
  const connector = await loadOAuthConnector(deps, row.packageId, row.channel);
  if (!packageEntry || !connector) return { outcome: "skipped" };

  const startedAt = new Date();
  try {
    const ctx = createConnectorContext({
      db,
      connector,
      packageEntry,
      connection: row,
      dossier: null,
      dossierSettings: null,
      idempotencyKey: `keep-alive:${row.id}:${startedAt.getTime()}`,
      timeoutMs: deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS,
    });
    await runConnectorCall(ctx, () => connector.oauth.keepAlive(ctx));
    return { outcome: "kept_alive" };
  } catch (error) {
    const failure = toConnectorError(error);
    if (failure.kind !== "auth") {
      return { outcome: "failed", errorCode: failure.code, vendorDetail: failure.vendorDetail };
    }
    await recordConnectionHealth(db, row, checkHealthEvent(startedAt, failure));
    return { outcome: "needs_reauth", errorCode: failure.code, vendorDetail: failure.vendorDetail };
  }
}
