import { createServer, type Server, type Socket } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { runConnectionCheck } from "@/lib/connections/check";
import { createConnection, testConnection, updateConnection } from "@/lib/connections/service";
import { closeFtpSessions, ftpConnector } from "@/lib/connectors/ftp";
import { type FakeFtpServer, startFakeFtpServer } from "../../../../fakes/ftp-server";
import { createTestDb } from "../../../../helpers/db";
import { insertDossier, insertPortal } from "../../../../helpers/fixtures";
import { actorsFor, useTestEncryptionKey } from "../../connections/helpers";
import { allowPrivateFtpHosts, contextFor } from "./helpers";

// "Test connection" against a real FTP server: the check itself (probe written and removed,
// precise failures), the host guard end to end, and what runConnectionCheck records.

let server: FakeFtpServer;
let opened: OpenedDb;
let portalId = "";
let actors: ReturnType<typeof actorsFor>;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  useTestEncryptionKey();
  server = await startFakeFtpServer({ users: { probe: "secret", koppel: "Juist-Wachtwoord 1" } });
  opened = await createTestDb();
  const portal = await insertPortal(opened.db, "Kantoor De Vos");
  const other = await insertPortal(opened.db, "Kantoor B");
  portalId = portal.id;
  actors = actorsFor(portalId, other.id, (await insertDossier(opened.db, portalId)).id);
});
afterAll(async () => {
  // Pooled sessions first: the server must not wait for clients that are still logged in.
  await closeFtpSessions();
  await server?.close();
  await opened?.close();
  allowPrivateFtpHosts(undefined);
});
beforeEach(() => {
  allowPrivateFtpHosts("1");
  server.readOnlyPaths.clear();
});

describe("check", () => {
  it("logs in, creates the base folder, and leaves nothing behind", async () => {
    const health = await ftpConnector.check(contextFor(server, { settings: { baseFolder: "/koppel/check" } }));
    expect(health).toMatchObject({ ok: true });
    expect(server.listFiles()).toEqual([]);
    // The folder exists now (the probe went in and out again).
    expect(() => server.readFile("/koppel/check")).toThrow(/EISDIR/);
  });

  it("says permission_denied for a base folder the user may not write to", async () => {
    server.makeFolder("/archive");
    server.readOnlyPaths.add("/archive");
    const health = await ftpConnector.check(contextFor(server, { settings: { baseFolder: "/archive" } }));
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "permission_denied" } });
  });

  it("says connection_refused when nothing listens on the port", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const health = await ftpConnector.check(contextFor({ host: "127.0.0.1", port }));
    expect(health).toMatchObject({ ok: false, error: { kind: "retryable", code: "connection_refused" } });
  });

  it("gives up at the deadline when the server never answers", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const health = await ftpConnector.check(contextFor({ host: "127.0.0.1", port }, { timeoutMs: 500 }));
      expect(health).toMatchObject({ ok: false, error: { kind: "retryable", code: "timeout" } });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("the host guard, end to end", () => {
  it("refuses 127.0.0.1 without KOPPEL_ALLOW_PRIVATE_FTP_HOSTS, without connecting", async () => {
    allowPrivateFtpHosts("0");
    const loginsBefore = server.logins.length;
    const health = await ftpConnector.check(contextFor(server));
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "host_not_allowed" } });
    expect(server.logins.length).toBe(loginsBefore);
  });

  it("refuses a name that resolves to loopback (localhost) the same way", async () => {
    allowPrivateFtpHosts("0");
    const health = await ftpConnector.check(contextFor({ host: "localhost", port: server.port }));
    expect(health).toMatchObject({ ok: false, error: { code: "host_not_allowed" } });
  });

  it("allows 127.0.0.1 with KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1", async () => {
    allowPrivateFtpHosts("1");
    expect(await ftpConnector.check(contextFor(server))).toMatchObject({ ok: true });
  });
});

describe("runConnectionCheck with the FTP connector", () => {
  const input = (password: string) => ({
    packageId: "expert-m",
    channel: "ftp" as const,
    label: "Expert/M kantoorserver",
    // As the form posts them: strings.
    settings: { host: "127.0.0.1", port: String(server.port), username: "koppel", security: "plain" },
    secrets: { password },
  });

  async function storedRow(id: string) {
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
    if (!row) throw new Error("connection missing");
    return row;
  }

  it("a wrong password marks the connection needs_reauth; the right one makes it connected", async () => {
    const created = await createConnection(opened.db, actors.admin, portalId, input("Fout-Wachtwoord"));
    const refused = await testConnection(opened.db, actors.admin, portalId, created.id);
    expect(refused).toMatchObject({ status: "needs_reauth", errorCode: "login_failed" });
    expect(await storedRow(created.id)).toMatchObject({ status: "needs_reauth", lastErrorCode: "login_failed" });

    await updateConnection(opened.db, actors.admin, portalId, created.id, {
      secrets: { password: "Juist-Wachtwoord 1" },
    });
    const accepted = await runConnectionCheck(opened.db, actors.system, created.id);
    expect(accepted).toMatchObject({ status: "connected", errorCode: null });
    expect(await storedRow(created.id)).toMatchObject({ status: "connected", lastErrorCode: null });
  });

  it("a refused host is recorded as an error with host_not_allowed", async () => {
    const created = await createConnection(opened.db, actors.admin, portalId, input("Juist-Wachtwoord 1"));
    allowPrivateFtpHosts("0");
    const result = await runConnectionCheck(opened.db, actors.system, created.id);
    expect(result).toMatchObject({ status: "error", errorCode: "host_not_allowed" });
  });

  it("settings that no longer parse (no user name) are invalid_settings, never a crash", async () => {
    const created = await createConnection(opened.db, actors.admin, portalId, input("Juist-Wachtwoord 1"));
    await opened.db
      .update(connections)
      .set({ settings: { host: "127.0.0.1", port: server.port } })
      .where(eq(connections.id, created.id));
    const result = await runConnectionCheck(opened.db, actors.system, created.id);
    expect(result).toMatchObject({ status: "error", errorCode: "invalid_settings" });
  });
});
