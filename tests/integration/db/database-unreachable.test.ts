import { createServer } from "node:net";
import { drizzle } from "drizzle-orm/node-postgres";
import { NextRequest } from "next/server";
import { createTranslator } from "next-intl";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as documentFile } from "@/app/api/documents/[documentId]/file/route";
import { POST as upload } from "@/app/api/dossiers/[dossierId]/documents/route";
import { GET as documentStates } from "@/app/api/dossiers/[dossierId]/documents/status/route";
import { GET as deliveryLog } from "@/app/api/portals/[portalId]/delivery-log/route";
import { GET as apiDossiers } from "@/app/api/v1/dossiers/route";
import type { Db } from "@/db";
import { databaseUnreachableSince, setDatabaseUnreachableSince } from "@/db/health-flag";
import * as schema from "@/db/schema";
import { isDatabaseUnreachable } from "@/db/unreachable";
import type { Actor } from "@/lib/auth/actor";
import { MESSAGES } from "@/lib/i18n/messages";
import { proxy } from "@/proxy";
import { createTestDb } from "../../helpers/db";

// The database out of reach (stopped, restarting, cut off): the list's status poll answers 503
// with a problem that says the documents are safe, not a generic 500. Driven against a real
// node-postgres pool whose server is not there (a closed port) or hangs up at once.

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("@/lib/i18n/resolve-locale", () => ({ resolveLocale: async () => "nl" }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "nl", messages: MESSAGES.nl, namespace: namespace as never }),
}));

const DOSSIER_ID = "8a0d3c52-52b3-4c8a-9a55-0c8f0b7f4e21";
const DOCUMENT_ID = "3f5b9e1c-0d7a-4b2e-8c61-2a9f4d7e6b10";
let hangUp: ReturnType<typeof createServer>;
let hangUpPort = 0;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  // Accepts and closes at once, as a server going down does.
  hangUp = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => hangUp.listen(0, "127.0.0.1", resolve));
  hangUpPort = (hangUp.address() as { port: number }).port;
  session.actor = {
    kind: "user",
    userId: "0b6f2d8e-6c1a-4f57-9f0e-5d2c7a1b3e44",
    // An admin of the portal the delivery log is asked for (the dossier id doubles as its id).
    portalRoles: { [DOSSIER_ID]: "admin" },
    dossiers: {},
  } as Actor;
});
afterAll(async () => {
  globalThis.__koppelDb = undefined;
  await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
  await new Promise<void>((resolve) => hangUp.close(() => resolve()));
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function useDatabaseAt(port: number): void {
  const pool = new pg.Pool({
    connectionString: `postgres://koppel@127.0.0.1:${port}/koppel`,
    connectionTimeoutMillis: 2000,
  });
  pool.on("error", () => {});
  pools.push(pool);
  const db = drizzle({ client: pool, schema, casing: "snake_case" }) as unknown as Db;
  globalThis.__koppelDb = Promise.resolve({ db, driver: "node-postgres", close: () => pool.end() });
}

async function poll(): Promise<Response> {
  const request = new Request(`https://koppel.example/api/dossiers/${DOSSIER_ID}/documents/status?ids=${DOCUMENT_ID}`);
  return documentStates(request, { params: Promise.resolve({ dossierId: DOSSIER_ID }) });
}

describe("the document status poll while the database is out of reach", () => {
  it.each([
    ["nobody listens (stopped)", async () => closedPort()],
    ["the server hangs up (restarting)", async () => hangUpPort],
  ])("%s: 503 with Retry-After and a problem that says the documents are safe", async (_case, portOf) => {
    useDatabaseAt(await portOf());
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await poll();
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("retry-after")).toBe("10");
      expect(await response.json()).toMatchObject({
        type: "urn:koppel:problem:documents:database-unavailable",
        status: 503,
        detail:
          "Koppel kan zijn databank nu niet bereiken. Je documenten zijn veilig; het verzenden gaat verder zodra ze terug is.",
      });
    } finally {
      logged.mockRestore();
    }
  });
});

const DETAIL_NL =
  "Koppel kan zijn databank nu niet bereiken. Je documenten zijn veilig; het verzenden gaat verder zodra ze terug is.";

describe("every JSON route while the database is out of reach: 503 problem JSON with Retry-After, never 500", () => {
  const routes: [string, () => Promise<Response>, string][] = [
    [
      "REST API (token lookup)",
      () =>
        apiDossiers(
          new Request("https://koppel.example/api/v1/dossiers", {
            headers: { authorization: `Bearer kop_${"a".repeat(43)}`, "accept-language": "nl" },
          }),
          { params: Promise.resolve({}) },
        ),
      "urn:koppel:problem:database_unavailable",
    ],
    [
      "upload",
      () => {
        const form = new FormData();
        form.append("files", new File([new Uint8Array([37, 80, 68, 70])], "a.pdf", { type: "application/pdf" }));
        return upload(
          new Request(`https://koppel.example/api/dossiers/${DOSSIER_ID}/documents`, {
            method: "POST",
            body: form,
            headers: { "sec-fetch-site": "same-origin" },
          }),
          { params: Promise.resolve({ dossierId: DOSSIER_ID }) },
        );
      },
      "urn:koppel:problem:documents:database-unavailable",
    ],
    [
      "document file",
      () =>
        documentFile(new Request(`https://koppel.example/api/documents/${DOCUMENT_ID}/file`), {
          params: Promise.resolve({ documentId: DOCUMENT_ID }),
        }),
      "urn:koppel:problem:documents:database-unavailable",
    ],
    [
      "delivery log",
      () =>
        deliveryLog(new Request(`https://koppel.example/api/portals/${DOSSIER_ID}/delivery-log`), {
          params: Promise.resolve({ portalId: DOSSIER_ID }),
        }),
      "urn:koppel:problem:documents:database-unavailable",
    ],
  ];
  it.each(routes)("%s", async (_name, call, type) => {
    useDatabaseAt(await closedPort());
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await call();
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("retry-after")).toBe("10");
      expect(await response.json()).toMatchObject({ type, status: 503, detail: DETAIL_NL });
    } finally {
      logged.mockRestore();
      setDatabaseUnreachableSince(undefined);
    }
  });
});

describe("pages while the database is out of reach", () => {
  function pageRequest(headers: Record<string, string>) {
    return new NextRequest("https://koppel.example/some-portal/dossiers", { headers });
  }

  it("answer the 503 page in the person's language, with Retry-After, until the probe sees the database back", async () => {
    useDatabaseAt(await closedPort());
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const opened = await createTestDb();
    try {
      // Before any failure: pages go through as usual.
      expect(proxy(pageRequest({ cookie: "authjs.session-token=x" })).status).toBe(200);
      // A route that fails on the database notes it (the status poll here; pages through onRequestError).
      expect((await poll()).status).toBe(503);
      expect(databaseUnreachableSince()).toBeTypeOf("number");

      const nl = proxy(pageRequest({ cookie: "authjs.session-token=x" }));
      expect(nl.status).toBe(503);
      expect(nl.headers.get("retry-after")).toBe("10");
      expect(nl.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(nl.headers.get("content-security-policy")).toContain("default-src 'none'");
      const html = await nl.text();
      expect(html).toContain("Koppel kan zijn databank niet bereiken");
      expect(html).toContain("Je documenten zijn veilig en gaan verder zodra ze terug is.");
      expect(html).not.toContain("<script");
      const fr = await proxy(pageRequest({ cookie: "koppel-locale=fr" })).text();
      expect(fr).toContain("Koppel ne peut pas joindre sa base de données");
      const en = await proxy(pageRequest({ "accept-language": "en-GB,en;q=0.9" })).text();
      expect(en).toContain("Koppel cannot reach its database");
      expect(en).toContain("Your documents are safe and will go on when it is back.");

      // The database is back: the probe (every 2 s) lifts the page by itself.
      globalThis.__koppelDb = Promise.resolve(opened);
      await vi.waitFor(() => expect(databaseUnreachableSince()).toBeUndefined(), { timeout: 8_000, interval: 200 });
      expect(proxy(pageRequest({ cookie: "authjs.session-token=x" })).status).toBe(200);
    } finally {
      logged.mockRestore();
      info.mockRestore();
      setDatabaseUnreachableSince(undefined);
      await opened.close();
    }
  });
});

describe("isDatabaseUnreachable", () => {
  it("knows lost connections and leaves query errors alone", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(isDatabaseUnreachable(new Error("Failed query: select 1", { cause: refused }))).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
    expect(
      isDatabaseUnreachable(Object.assign(new Error("the database system is starting up"), { code: "57P03" })),
    ).toBe(true);
    expect(isDatabaseUnreachable(Object.assign(new Error("connection failure"), { code: "08006" }))).toBe(true);
    expect(isDatabaseUnreachable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnreachable(new AggregateError([refused]))).toBe(true);

    expect(isDatabaseUnreachable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnreachable(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(false);
    expect(isDatabaseUnreachable(new Error("Failed query: select 1", { cause: new TypeError("x is undefined") }))).toBe(
      false,
    );
    expect(isDatabaseUnreachable(null)).toBe(false);
  });
});
