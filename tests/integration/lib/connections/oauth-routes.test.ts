import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";
import { startAuthorization } from "@/lib/connections/oauth";
import { createConnection } from "@/lib/connections/service";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "./helpers";
import { createOAuthTestConnector, insertUserActor, startFakeOAuthServer, stateOf } from "./oauth-connector";

// The two HTTP ends of the flow, run for real: the page's "Connect" action and GET
// /api/oauth/callback. Stand-ins: who is signed in, the database handle, the request's headers and
// language (English), and the registry (no OAuth connector is registered yet).
const session = vi.hoisted(() => ({ actor: null as unknown, db: null as unknown, connector: null as unknown }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ origin: "https://koppel.example", host: "internal:3000" }),
}));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "en", messages: MESSAGES.en, namespace: namespace as never }),
}));
vi.mock("@/lib/connectors/registry", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/connectors/registry")>()),
  loadConnector: async (_packageId: string, channel: string) => (channel === "api" ? session.connector : null),
}));

const { GET } = await import("@/app/api/oauth/callback/route");
const { startAuthorizationAction } = await import("@/app/(app)/portals/[portalId]/integrations/actions");

let opened: OpenedDb;
let server: Awaited<ReturnType<typeof startFakeOAuthServer>>;
let portalId = "";
let admin: Extract<Actor, { kind: "user" }>;
let stranger: Extract<Actor, { kind: "user" }>;
const { connector, deps } = createOAuthTestConnector();
session.connector = connector;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", undefined);
  resetEnvCache();
  useTestEncryptionKey();
  opened = await createTestDb();
  session.db = opened.db;
  server = await startFakeOAuthServer();
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  const otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  admin = await insertUserActor(opened.db, { [portalId]: "admin" });
  stranger = await insertUserActor(opened.db, { [otherPortalId]: "admin" });
});
beforeEach(() => {
  session.actor = admin;
});
afterAll(async () => {
  await server?.close();
  await opened?.close();
  vi.unstubAllEnvs();
  resetEnvCache();
});

async function newConnection() {
  return createConnection(
    opened.db,
    admin,
    portalId,
    {
      packageId: "exact-online",
      channel: "api",
      label: "Exact Online",
      settings: { baseUrl: server.url, clientId: "office-app" },
      secrets: { clientSecret: "office-app-secret" },
    },
    deps,
  );
}

async function startedState(connectionId: string) {
  const { url } = await startAuthorization(
    opened.db,
    admin,
    portalId,
    connectionId,
    { origin: "https://koppel.example" },
    deps,
  );
  return stateOf(url).state;
}

const callback = (query: Record<string, string>) =>
  GET(new Request(`http://localhost:3000/api/oauth/callback?${new URLSearchParams(query)}`));

function locationOf(response: Response): URL {
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location") ?? "");
}

describe("the Connect action", () => {
  function connectForm(connectionId: string) {
    const form = new FormData();
    form.set("portalId", portalId);
    form.set("connectionId", connectionId);
    return form;
  }

  it("sends the admin's browser to the package, with the callback on the browser's origin", async () => {
    const connection = await newConnection();
    const redirect = await startAuthorizationAction(null, connectForm(connection.id)).then(
      () => {
        throw new Error("expected a redirect");
      },
      (error: unknown) => error as { digest?: string },
    );
    // next/navigation's redirect: "NEXT_REDIRECT;<type>;<url>;<status>;".
    const target = String(redirect.digest).split(";")[2] ?? "";
    expect(target.startsWith(`${server.url}/auth?`)).toBe(true);
    expect(stateOf(target)).toMatchObject({
      redirectUri: "https://koppel.example/api/oauth/callback",
      clientId: "office-app",
    });
  });

  it("answers with the reason when it cannot start", async () => {
    const connection = await newConnection();
    session.actor = { ...admin, portalRoles: { [portalId]: "accountant" } };
    expect(await startAuthorizationAction(null, connectForm(connection.id))).toEqual({
      ok: false,
      error: { code: "forbidden", messageKey: "forbidden" },
    });
  });
});

describe("GET /api/oauth/callback", () => {
  it("sends a visitor without a session to sign in, and back here afterwards", async () => {
    session.actor = null;
    const response = await callback({ state: "abc", code: "xyz" });
    const location = locationOf(response);
    expect(location.pathname).toBe("/sign-in");
    expect(location.searchParams.get("callbackUrl")).toBe("/api/oauth/callback?state=abc&code=xyz");
  });

  it("connects and sends the admin back to the Integrations page with the outcome", async () => {
    const connection = await newConnection();
    const state = await startedState(connection.id);
    const response = await callback({ state, code: server.issueCode() });
    const location = locationOf(response);
    expect(location.pathname).toBe(`/portals/${portalId}/integrations`);
    expect(Object.fromEntries(location.searchParams)).toEqual({ oauth: "connected", connection: connection.id });
    expect(location.hash).toBe(`#connection-${connection.id}`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row?.status).toBe("connected");
  });

  it("reports a declined consent and a failed exchange on the same page", async () => {
    const connection = await newConnection();
    const declined = locationOf(await callback({ state: await startedState(connection.id), error: "access_denied" }));
    expect(declined.searchParams.get("oauth")).toBe("declined");

    const failed = locationOf(await callback({ state: await startedState(connection.id), code: "never-issued" }));
    expect(Object.fromEntries(failed.searchParams)).toEqual({
      oauth: "exchangeFailed",
      connection: connection.id,
      reason: "auth_failed",
    });
  });

  it("answers a callback that names no portal of this user with a short page in their language", async () => {
    const unknown = await callback({ state: "made-up", code: "x" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("text/html");
    expect(await unknown.text()).toContain(MESSAGES.en.connections.oauth.outcome.unknownState);

    const connection = await newConnection();
    const state = await startedState(connection.id);
    session.actor = stranger;
    const someoneElses = await callback({ state, code: server.issueCode() });
    expect(someoneElses.status).toBe(403);
    const page = await someoneElses.text();
    expect(page).toContain(MESSAGES.en.connections.oauth.outcome.otherUser);
    expect(page).not.toContain(portalId);
  });
});

describe("the Integrations page's card of an OAuth connection", () => {
  /** The card as the Integrations page renders it for the admin or an accountant: its buttons from the table. */
  async function renderCard(connectionId: string, role: "admin" | "accountant") {
    const viewer: Actor = { ...admin, portalRoles: { [portalId]: role } };
    const [
      { createElement },
      { renderToStaticMarkup },
      { NextIntlClientProvider },
      { ConnectionCard },
      { getConnection },
    ] = await Promise.all([
      import("react"),
      import("react-dom/server"),
      import("next-intl"),
      import("@/app/(app)/portals/[portalId]/integrations/_components/connection-card"),
      import("@/lib/connections/service"),
    ]);
    const connection = await getConnection(opened.db, admin, portalId, connectionId, deps);
    return renderToStaticMarkup(
      createElement(NextIntlClientProvider, {
        locale: "en",
        messages: MESSAGES.en,
        timeZone: "Europe/Brussels",
        now: new Date(),
        children: createElement(ConnectionCard, {
          portalId,
          connection,
          canManage: can(viewer, "connection.manage", { portalId }),
          canAuthorize: can(viewer, "connection.authorize", { portalId }),
          form: null,
        }),
      }),
    );
  }

  it("says not connected yet, with Connect for admins only", async () => {
    const connection = await newConnection();
    const forAdmin = await renderCard(connection.id, "admin");
    expect(forAdmin).toContain('data-oauth="not-authorised"');
    expect(forAdmin).toContain(MESSAGES.en.connections.oauth.notAuthorised);
    expect(forAdmin).toContain("Connect with Exact Online");
    const forAccountant = await renderCard(connection.id, "accountant");
    expect(forAccountant).toContain(MESSAGES.en.connections.oauth.notAuthorised);
    expect(forAccountant).not.toContain("Connect with Exact Online");

    // The health check of a connection never authorised finds "not authorised": no talk of refused access.
    await opened.db
      .update(connections)
      .set({ status: "needs_reauth", lastErrorCode: "not_authorised", lastErrorAt: new Date() })
      .where(eq(connections.id, connection.id));
    const unchecked = await renderCard(connection.id, "admin");
    expect(unchecked).toContain(MESSAGES.en.connections.oauth.notAuthorised);
    expect(unchecked).toContain("Connect with Exact Online");
    expect(unchecked).not.toContain("no longer accepts");
  });

  it("shows when an authorised grant would expire, and Reconnect with the reason when it was refused", async () => {
    const connection = await newConnection();
    await callback({ state: await startedState(connection.id), code: server.issueCode() });
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, connection.id));
    const expiresOn = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "Europe/Brussels" }).format(
      row?.credentialsExpireAt ?? undefined,
    );
    const forAccountant = await renderCard(connection.id, "accountant");
    expect(forAccountant).toContain("Connected with Exact Online");
    expect(forAccountant).toContain(`Would expire on ${expiresOn} if unused`);
    expect(forAccountant).not.toContain("Reconnect");

    await opened.db
      .update(connections)
      .set({ status: "needs_reauth", lastErrorCode: "auth_failed", lastErrorAt: new Date() })
      .where(eq(connections.id, connection.id));
    const refused = await renderCard(connection.id, "admin");
    expect(refused).toContain("Exact Online no longer accepts Koppel");
    expect(refused).toContain(`Reason: ${MESSAGES.en.connectors.errors.auth_failed}`);
    expect(refused).toContain("Reconnect");
  });
});
