import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectorError } from "@/lib/connectors/errors";
import { closeFtpSessions, ftpConnector } from "@/lib/connectors/ftp";
import { FtpSessionPool, ftpSessionPool } from "@/lib/connectors/ftp/pool";
import type { FtpEndpoint } from "@/lib/connectors/ftp/session";
import type { DeliveryDocument } from "@/lib/connectors/types";
import { type FakeFtpServer, startFakeFtpServer } from "../../../../fakes/ftp-server";
import { allowPrivateFtpHosts, contextFor, documentFor, pdfBytes } from "./helpers";

// The FTP session pool against a real FTP server (ftp-srv, plain FTP, in this process): consecutive
// deliveries share one login, a session the server dropped is replaced without the delivery
// noticing, other settings never share a session, idle sessions close, and two deliveries started
// together take turns on the one session instead of mixing their commands.

let server: FakeFtpServer;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  server = await startFakeFtpServer({ users: { probe: "secret", tweede: "ander-wachtwoord" } });
});
beforeEach(async () => {
  await closeFtpSessions();
  server.users.probe = "secret";
  server.hangUpOnNextCommand = false;
  for (const entry of server.listFiles().map((file) => file.split("/")[1])) {
    rmSync(path.join(server.root, entry ?? ""), { recursive: true, force: true });
  }
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await closeFtpSessions();
  await server?.close();
  allowPrivateFtpHosts(undefined);
});

/** Delivers `count` documents one after another with the same context settings. */
async function deliverMany(count: number, options: Parameters<typeof contextFor>[1] = {}) {
  const references: string[] = [];
  for (let i = 0; i < count; i++) {
    const receipt = await ftpConnector.deliver(contextFor(server, options), documentFor({ fileName: `doc-${i}.pdf` }), {
      content: pdfBytes(1_000 + i, i),
    });
    references.push(receipt.packageReference ?? "");
  }
  return references;
}

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(caught instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(caught)}`);
  return caught;
}

describe("reuse", () => {
  it("logs in once for consecutive deliveries to the same connection", async () => {
    const loginsBefore = server.logins.length;
    const connectionsBefore = server.connectionCount;
    const references = await deliverMany(6);
    expect(server.logins.length - loginsBefore).toBe(1);
    expect(server.connectionCount - connectionsBefore).toBe(1);
    expect(server.listFiles()).toEqual([...references].sort());
    expect(ftpSessionPool().size).toBe(1);
  });

  it("keeps deliveries in sub-folders and other folders right on the reused session", async () => {
    const ctx = () => contextFor(server, { packageId: "expert-m" });
    const types: Array<[DeliveryDocument["category"], DeliveryDocument["documentType"]]> = [
      ["purchase", "purchase_invoice"],
      ["sales", "sales_invoice"],
      ["purchase", "receipt"],
      ["other", "other"],
      ["sales", "sales_credit_note"],
    ];
    const references: string[] = [];
    for (const [category, documentType] of types) {
      const receipt = await ftpConnector.deliver(ctx(), documentFor({ category, documentType }), {
        content: pdfBytes(),
      });
      references.push(receipt.packageReference ?? "");
    }
    expect(references.map((reference) => path.posix.dirname(reference))).toEqual([
      "/0123456749/Aankoop",
      "/0123456749/Verkoop",
      "/0123456749/Aankoop",
      "/0123456749/Divers",
      "/0123456749/Verkoop",
    ]);
    expect(server.listFiles()).toEqual([...references].sort());
  });

  it("resolves a relative base folder from the login folder, also after earlier deliveries moved elsewhere", async () => {
    await deliverMany(1, { settings: { baseFolder: "/elders" } });
    const [reference] = await deliverMany(1, { settings: { baseFolder: "import" } });
    expect(reference).toMatch(/^\/import\/0123456749\/purchase\//);
  });

  it("makes a folder again that was removed on the server since the session last used it", async () => {
    const loginsBefore = server.logins.length;
    const [first] = await deliverMany(1);
    rmSync(path.join(server.root, "0123456749"), { recursive: true, force: true });
    const [second] = await deliverMany(1);
    expect(path.posix.dirname(second ?? "")).toBe(path.posix.dirname(first ?? ""));
    expect(server.listFiles()).toEqual([second]);
    expect(server.logins.length - loginsBefore).toBe(1);
  });

  it("the connection test never borrows a pooled session: it proves a login of its own", async () => {
    await deliverMany(1);
    const loginsBefore = server.logins.length;
    expect(await ftpConnector.check(contextFor(server))).toMatchObject({ ok: true });
    expect(server.logins.length - loginsBefore).toBe(1);
    // The delivery's session is still pooled and used by the next delivery.
    await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(1);
  });

  it("read-back shares the delivery's session", async () => {
    const loginsBefore = server.logins.length;
    const references = await deliverMany(2);
    const states = await ftpConnector.pollStatus(contextFor(server), references);
    expect(states.map((state) => state.state)).toEqual(["pending", "pending"]);
    expect(server.logins.length - loginsBefore).toBe(1);
  });
});

describe("broken sessions", () => {
  it("replaces a session the server dropped between deliveries, and the delivery succeeds", async () => {
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    server.dropConnections();
    const references = await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(2);
    expect(server.listFiles()).toContain(references[0]);
  });

  it("replaces a session the server hangs up on (421) at the next command, and the delivery succeeds", async () => {
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    server.hangUpOnNextCommand = true;
    const references = await deliverMany(1);
    expect(server.hangUpOnNextCommand).toBe(false);
    expect(server.logins.length - loginsBefore).toBe(2);
    expect(server.listFiles()).toContain(references[0]);
  });

  it("closes a session whose delivery failed and logs in afresh for the next one", async () => {
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    server.readOnlyPaths.add("/locked");
    try {
      const error = await failureOf(
        ftpConnector.deliver(contextFor(server, { settings: { baseFolder: "/locked" } }), documentFor(), {
          content: pdfBytes(),
        }),
      );
      expect(error).toMatchObject({ kind: "permanent", code: "permission_denied" });
    } finally {
      server.readOnlyPaths.clear();
    }
    expect(ftpSessionPool().size).toBe(0);
    await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(2);
  });

  it("a delivery cut off mid-upload fails as before (no silent second try), and the next one logs in afresh", async () => {
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    server.dropNextUploadAfterBytes = 5_000;
    const error = await failureOf(
      ftpConnector.deliver(contextFor(server), documentFor(), { content: pdfBytes(100_000) }),
    );
    expect(error).toMatchObject({ kind: "retryable", code: "network" });
    await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(2);
  });
});

describe("what defines a session", () => {
  it("a changed password never reuses the old session", async () => {
    const loginsBefore = server.logins.length;
    await deliverMany(1, { password: "secret" });
    server.users.probe = "nieuw-geheim";
    await deliverMany(1, { password: "nieuw-geheim" });
    expect(server.logins.length - loginsBefore).toBe(2);
    // A wrong password fails at login, even with a logged-in session for the same user around.
    const error = await failureOf(
      ftpConnector.deliver(contextFor(server, { password: "fout" }), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "auth", code: "login_failed" });
  });

  it("another user, port or security mode gets a session of its own", async () => {
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    await deliverMany(1, { settings: { username: "tweede" }, password: "ander-wachtwoord" });
    await deliverMany(1);
    await deliverMany(1, { settings: { username: "tweede" }, password: "ander-wachtwoord" });
    expect(server.logins.slice(loginsBefore)).toEqual(["probe", "tweede"]);
    expect(ftpSessionPool().size).toBe(2);
  });
});

describe("limits", () => {
  it("closes a session that stayed unused for the idle timeout", async () => {
    await closeFtpSessions({ idleTimeoutMs: 50 });
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    expect(ftpSessionPool().size).toBe(1);
    await vi.waitFor(() => expect(server.openConnectionCount).toBe(0), { timeout: 5_000, interval: 20 });
    expect(ftpSessionPool().size).toBe(0);
    await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(2);
  });

  it("does not lend out a session idle for longer than the timeout, even when its timer is late (clock)", async () => {
    let now = 1_000_000;
    await closeFtpSessions({ now: () => now });
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    now += 29_000;
    await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(1);
    now += 30_000;
    await deliverMany(1);
    expect(server.logins.length - loginsBefore).toBe(2);
    // The stale one was closed, not left behind.
    await vi.waitFor(() => expect(server.openConnectionCount).toBe(1), { timeout: 5_000, interval: 20 });
  });

  it("retires a session older than the maximum age", async () => {
    let now = 1_000_000;
    await closeFtpSessions({ now: () => now, maxAgeMs: 60_000 });
    const loginsBefore = server.logins.length;
    for (let i = 0; i < 4; i++) {
      await deliverMany(1);
      now += 20_000;
    }
    expect(server.logins.length - loginsBefore).toBe(2);
  });

  it("keeps at most maxSessions open: the least recently used idle one makes room", async () => {
    await closeFtpSessions({ maxSessions: 1 });
    const loginsBefore = server.logins.length;
    await deliverMany(1);
    await deliverMany(1, { settings: { username: "tweede" }, password: "ander-wachtwoord" });
    expect(ftpSessionPool().size).toBe(1);
    await vi.waitFor(() => expect(server.openConnectionCount).toBe(1), { timeout: 5_000, interval: 20 });
    await deliverMany(1);
    expect(server.logins.slice(loginsBefore)).toEqual(["probe", "tweede", "probe"]);
  });

  it("when every pooled session is busy, a call gets a session of its own, closed afterwards", async () => {
    const pool = new FtpSessionPool({ maxSessions: 1 });
    const gate = gated();
    const first = pool.run(endpoint(), { signal: neverAborted() }, async (session) => {
      await session.currentFolder();
      await gate.wait;
    });
    await vi.waitFor(() => expect(pool.size).toBe(1), { timeout: 5_000, interval: 5 });
    // Only the first call's session is open (earlier tests' sessions are gone).
    await vi.waitFor(() => expect(server.openConnectionCount).toBe(1), { timeout: 5_000, interval: 20 });
    await pool.run(
      endpoint({ username: "tweede", password: "ander-wachtwoord" }),
      { signal: neverAborted() },
      (session) => session.currentFolder(),
    );
    expect(pool.size).toBe(1);
    // Its own session is closed again; the pooled one stays.
    await vi.waitFor(() => expect(server.openConnectionCount).toBe(1), { timeout: 5_000, interval: 20 });
    gate.open();
    await first;
    await pool.closeAll();
    expect(pool.size).toBe(0);
  });
});

describe("one delivery at a time per session", () => {
  it("two deliveries started together both succeed on one session, one after the other", async () => {
    const loginsBefore = server.logins.length;
    const connectionsBefore = server.connectionCount;
    const commandsBefore = server.commands.length;
    const documents = [documentFor({ fileName: "eerste.pdf" }), documentFor({ fileName: "tweede.pdf" })];
    const receipts = await Promise.all(
      documents.map((document) =>
        ftpConnector.deliver(contextFor(server), document, { content: pdfBytes(300_000, 4) }),
      ),
    );
    expect(server.listFiles()).toEqual(receipts.map((receipt) => receipt.packageReference).sort());
    expect(server.logins.length - loginsBefore).toBe(1);
    expect(server.connectionCount - connectionsBefore).toBe(1);

    // The server saw each delivery's commands as one block: STOR, RNFR, RNTO of the first, then
    // those of the second, never mixed.
    const owner = (command: string) =>
      command.includes("eerste") ? "eerste" : command.includes("tweede") ? "tweede" : null;
    const sequence = server.commands
      .slice(commandsBefore)
      .map((entry) => owner(entry.command))
      .filter((name): name is "eerste" | "tweede" => name !== null);
    const blocks = sequence.filter((name, index) => index === 0 || sequence[index - 1] !== name);
    expect(blocks).toHaveLength(2);
    expect(sequence.filter((name) => name === "eerste")).toHaveLength(3);
    expect(sequence.filter((name) => name === "tweede")).toHaveLength(3);
  });

  it("calls for one key take turns: never two at once on the session, whatever the caller does", async () => {
    const pool = new FtpSessionPool();
    const loginsBefore = server.logins.length;
    let running = 0;
    let mostAtOnce = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        pool.run(endpoint(), { signal: neverAborted() }, async (session) => {
          running++;
          mostAtOnce = Math.max(mostAtOnce, running);
          await session.ensureFolder(`/beurt/${i % 3}`);
          await session.sizeOf(`/beurt/${i % 3}/niets.pdf`);
          await session.currentFolder();
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(mostAtOnce).toBe(1);
    expect(server.logins.length - loginsBefore).toBe(1);
    await pool.closeAll();
  });

  it("a call whose deadline passes while it waits for its turn gives up with a timeout; the others go on", async () => {
    const pool = new FtpSessionPool();
    const gate = gated();
    const first = pool.run(endpoint(), { signal: neverAborted() }, async (session) => {
      await session.currentFolder();
      await gate.wait;
      return "first";
    });
    const controller = new AbortController();
    let secondStarted = false;
    const second = pool.run(endpoint(), { signal: controller.signal }, async () => {
      secondStarted = true;
    });
    const third = pool.run(endpoint(), { signal: neverAborted() }, (session) => session.currentFolder());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondStarted).toBe(false);
    controller.abort();
    await expect(second).rejects.toMatchObject({ kind: "retryable", code: "timeout" });
    gate.open();
    expect(await first).toBe("first");
    expect(await third).toBe("/");
    expect(secondStarted).toBe(false);
    await pool.closeAll();
  });

  it("a deadline that passes mid-call closes that session; the next call logs in afresh", async () => {
    const pool = new FtpSessionPool();
    const loginsBefore = server.logins.length;
    await pool.run(endpoint(), { signal: neverAborted() }, (session) => session.currentFolder());
    const controller = new AbortController();
    const gate = gated();
    const cut = pool.run(endpoint(), { signal: controller.signal }, async (session) => {
      await session.currentFolder();
      controller.abort();
      await gate.wait;
      // The session was closed at the deadline: this command cannot run.
      await session.ensureFolder("/te-laat");
    });
    gate.open();
    await expect(cut).rejects.toMatchObject({ kind: "retryable", code: "timeout" });
    expect(pool.size).toBe(0);
    await pool.run(endpoint(), { signal: neverAborted() }, (session) => session.currentFolder());
    expect(server.logins.length - loginsBefore).toBe(2);
    await pool.closeAll();
  });
});

/** The endpoint the connector would build for the fake server (plain FTP, user probe). */
function endpoint(overrides: Partial<FtpEndpoint> = {}): FtpEndpoint {
  return {
    hostname: server.host,
    address: server.host,
    port: server.port,
    security: "plain",
    username: "probe",
    password: "secret",
    ...overrides,
  };
}

function neverAborted(): AbortSignal {
  return new AbortController().signal;
}

/** A promise the test opens when it wants a call to go on. */
function gated(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}
