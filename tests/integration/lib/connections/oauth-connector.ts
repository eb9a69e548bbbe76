import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import type { ConnectionDeps } from "@/lib/connections/deps";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, ConnectorOAuth } from "@/lib/connectors/types";

/**
 * A small OAuth package for the platform's tests: a connector with the ConnectorOAuth contract and
 * a real HTTP token endpoint on 127.0.0.1 that behaves like Exact's where it matters (single-use
 * codes; every refresh rotates the refresh token and the old one stops working; grants die 30 days
 * after their last use). The platform code under test (lib/connections/oauth.ts, the runtime)
 * never knows which package it talks to.
 */

const GRANT_LIFETIME_MS = 30 * 24 * 60 * 60_000;

export const oauthSettingsSchema = z.object({
  baseUrl: z.url().meta({ labelKey: "connections.fields.baseUrl" }),
  region: z.enum(["be", "nl"]).default("be"),
  /** The office's own OAuth app; else the deployment's. */
  clientId: z.string().trim().min(1).optional(),
});

export const oauthSecretsSchema = z.object({
  clientSecret: z.string().min(1).optional(),
  accessToken: z.string().optional().meta({ managed: true }),
  refreshToken: z.string().optional().meta({ managed: true }),
  /** ISO time the refresh token dies unless used. */
  grantExpiresAt: z.iso.datetime().optional().meta({ managed: true }),
});

type Settings = z.infer<typeof oauthSettingsSchema>;
type Secrets = z.infer<typeof oauthSecretsSchema>;

type TokenAnswer = { access_token: string; refresh_token: string; expires_in: number };

export type TokenRequest = Record<string, string>;

async function readForm(req: IncomingMessage): Promise<TokenRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
}

/**
 * The token endpoint (POST /token) and a "who am I" probe (GET /me, bearer token). `issueCode`
 * mints a code as the consent screen would; `holdRefreshes` parks refresh answers until released.
 */
export async function startFakeOAuthServer() {
  const codes = new Set<string>();
  const liveRefreshTokens = new Set<string>();
  const liveAccessTokens = new Set<string>();
  const exchanges: TokenRequest[] = [];
  const refreshes: TokenRequest[] = [];
  let failNextExchange: { status: number; body: unknown } | null = null;
  let held: { arrived: () => void; release: Promise<void> } | null = null;

  const mint = (): TokenAnswer => {
    const answer = {
      access_token: `at-${randomBytes(8).toString("hex")}`,
      refresh_token: `rt-${randomBytes(8).toString("hex")}`,
      expires_in: 600,
    };
    liveAccessTokens.add(answer.access_token);
    liveRefreshTokens.add(answer.refresh_token);
    return answer;
  };

  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/me") {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      return liveAccessTokens.has(token) ? send(200, { me: "ok" }) : send(401, { error: "unauthorized" });
    }
    if (req.method !== "POST" || req.url !== "/token") return send(404, { error: "not_found" });
    const form = await readForm(req);
    if (form.grant_type === "authorization_code") {
      exchanges.push(form);
      if (failNextExchange) {
        const answer = failNextExchange;
        failNextExchange = null;
        return send(answer.status, answer.body);
      }
      if (!form.code || !codes.delete(form.code)) return send(400, { error: "invalid_grant" });
      return send(200, mint());
    }
    if (form.grant_type === "refresh_token") {
      refreshes.push(form);
      if (held) {
        const { arrived, release } = held;
        arrived();
        await release;
      }
      // Rotation: a refresh token works once.
      if (!form.refresh_token || !liveRefreshTokens.delete(form.refresh_token)) {
        return send(400, { error: "invalid_grant", error_description: "The refresh token expired" });
      }
      return send(200, mint());
    }
    return send(400, { error: "unsupported_grant_type" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    refreshes,
    /** A code as the consent screen would hand out (single use). */
    issueCode(): string {
      const code = `code-${randomUUID()}`;
      codes.add(code);
      return code;
    },
    /** A grant stored earlier, as if an authorization had happened. */
    issueGrant(): TokenAnswer {
      return mint();
    },
    revokeAll() {
      liveRefreshTokens.clear();
      liveAccessTokens.clear();
    },
    failNextExchangeWith(answer: { status: number; body: unknown }) {
      failNextExchange = answer;
    },
    /**
     * Parks refresh answers until `release()`; `arrived` resolves when the first one came in.
     */
    holdRefreshes() {
      let arrived!: () => void;
      let release!: () => void;
      const hasArrived = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = { arrived, release: released };
      return {
        arrived: hasArrived,
        release: () => {
          held = null;
          release();
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function grantOf(answer: TokenAnswer, clientSecret: string | undefined, now: Date): Secrets {
  return {
    ...(clientSecret ? { clientSecret } : {}),
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    grantExpiresAt: new Date(now.getTime() + GRANT_LIFETIME_MS).toISOString(),
  };
}

async function postToken(baseUrl: string, form: Record<string, string>, signal: AbortSignal): Promise<TokenAnswer> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
      signal,
    });
  } catch (error) {
    throw new ConnectorError("retryable", "network", { cause: error });
  }
  const body = (await response.json()) as Partial<TokenAnswer> & { error?: string };
  if (response.status === 400) throw new ConnectorError("auth", "auth_failed", { vendorDetail: body.error });
  if (!response.ok) throw new ConnectorError("retryable", "server_error", { vendorDetail: String(response.status) });
  if (!body.access_token || !body.refresh_token) throw new ConnectorError("retryable", "unknown");
  return body as TokenAnswer;
}

/** One refresh at the fake's token endpoint: the new grant, or an `auth` error for a spent token. */
export async function refreshGrant(
  baseUrl: string,
  latest: Secrets,
  app: { clientId: string; clientSecret: string },
  signal: AbortSignal,
): Promise<Secrets> {
  if (!latest.refreshToken) throw new ConnectorError("auth", "not_authorised");
  const answer = await postToken(
    baseUrl,
    {
      grant_type: "refresh_token",
      refresh_token: latest.refreshToken,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    },
    signal,
  );
  return grantOf(answer, latest.clientSecret, new Date());
}

/** Counts what the platform asked of the connector. */
export type OAuthConnectorCalls = { keepAlive: number; rotations: number };

export function createOAuthTestConnector() {
  const calls: OAuthConnectorCalls = { keepAlive: 0, rotations: 0 };
  const oauth: ConnectorOAuth<Settings, Secrets> = {
    authorizationUrl({ settings, app, redirectUri, state }) {
      const url = new URL("/auth", settings.baseUrl);
      url.search = new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: redirectUri,
        response_type: "code",
        state,
      }).toString();
      return url.toString();
    },
    async exchangeCode({ settings, current, app, code, redirectUri, signal }) {
      const answer = await postToken(
        settings.baseUrl,
        {
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          client_id: app.clientId,
          client_secret: app.clientSecret,
        },
        signal,
      );
      return grantOf(answer, current.clientSecret, new Date());
    },
    grantExpiresAt(secrets) {
      return secrets.grantExpiresAt ? new Date(secrets.grantExpiresAt) : null;
    },
    async keepAlive(ctx) {
      calls.keepAlive++;
      const app = ctx.oauthApp;
      if (!app) throw new ConnectorError("auth", "not_authorised");
      await ctx.rotateSecrets(async (latest) => {
        calls.rotations++;
        return refreshGrant(ctx.settings.baseUrl, latest, app, ctx.signal);
      });
    },
  };

  const connector = {
    id: "oauth-test",
    channel: "api",
    settingsSchema: oauthSettingsSchema,
    secretsSchema: oauthSecretsSchema,
    dossierSettingsSchema: z.object({ division: z.string() }),
    oauth,
    async check(ctx) {
      if (!ctx.secrets.accessToken) throw new ConnectorError("auth", "not_authorised");
      const response = await fetch(`${ctx.settings.baseUrl}/me`, {
        headers: { authorization: `Bearer ${ctx.secrets.accessToken}` },
        signal: ctx.signal,
      });
      if (response.status === 401)
        return { ok: false, checkedAt: new Date(), error: new ConnectorError("auth", "auth_failed") };
      return { ok: true, checkedAt: new Date() };
    },
    async deliver() {
      throw new ConnectorError("permanent", "package_refused", { vendorDetail: "the test connector does not deliver" });
    },
  } satisfies Connector<typeof oauthSettingsSchema, typeof oauthSecretsSchema>;

  const deps: ConnectionDeps = {
    loadConnector: async (_packageId, channel) => (channel === "api" ? (connector as unknown as Connector) : null),
    checkTimeoutMs: 5_000,
  };
  return { connector, deps, calls };
}

/** A signed-in user row (oauth_states points at users) with the given portal roles. */
export async function insertUserActor(
  db: DbOrTx,
  portalRoles: Record<string, "admin" | "accountant">,
): Promise<Extract<Actor, { kind: "user" }>> {
  const [user] = await db
    .insert(users)
    .values({ email: `${randomUUID()}@example.test` })
    .returning({ id: users.id });
  if (!user) throw new Error("user not inserted");
  for (const [portalId, role] of Object.entries(portalRoles)) {
    await db.insert(portalMembers).values({ portalId, userId: user.id, role });
  }
  return { kind: "user", userId: user.id, portalRoles, dossiers: {} };
}

/** The state and redirect URI an authorization URL carries. */
export function stateOf(url: string): { state: string; redirectUri: string; clientId: string } {
  const params = new URL(url).searchParams;
  return {
    state: params.get("state") ?? "",
    redirectUri: params.get("redirect_uri") ?? "",
    clientId: params.get("client_id") ?? "",
  };
}
