import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { runConnectionCheck } from "@/lib/connections/check";
import { decryptConnectionSecrets } from "@/lib/connections/runtime";
import { createConnection, updateConnection } from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import { closeFtpSessions, ftpConnector } from "@/lib/connectors/ftp";
import { type FtpSecrets, type FtpSettings, ftpSecretsSchema } from "@/lib/connectors/ftp/config";
import { withFtpSession } from "@/lib/connectors/ftp/open-session";
import type { FtpEndpoint } from "@/lib/connectors/ftp/session";
import { classifySftpError } from "@/lib/connectors/ftp/sftp";
import { type FakeFtpServer, startFakeFtpServer } from "../../../../fakes/ftp-server";
import { type FakeSftpServer, startFakeSftpServer } from "../../../../fakes/sftp-server";
import { createTestDb } from "../../../../helpers/db";
import { insertDossier, insertPortal } from "../../../../helpers/fixtures";
import { actorsFor, useTestEncryptionKey } from "../../connections/helpers";
import { allowPrivateFtpHosts, contextFor, documentFor, type FtpTestContext, pdfBytes } from "./helpers";

// The FTP connector's SFTP mode against a real SSH server in this process (ssh2's Server, a temp
// folder as its file system): host keys trusted on first use and pinned, typed fingerprints,
// delivery with temporary name then rename (with and without posix-rename), retries, the session
// pool, and how failures are classified.

let server: FakeSftpServer;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  server = await startFakeSftpServer({ users: { probe: "secret" } });
});
afterAll(async () => {
  await closeFtpSessions();
  await server?.close();
  allowPrivateFtpHosts(undefined);
});
beforeEach(async () => {
  // Sessions of an earlier test must not carry over (a new host key, posix-rename switched).
  await closeFtpSessions();
  for (const entry of new Set(server.listFiles().map((file) => file.split("/")[1]))) {
    rmSync(path.join(server.root, entry ?? ""), { recursive: true, force: true });
  }
  server.readOnlyPaths.clear();
  server.dropNextUploadAfterBytes = null;
  server.offersPosixRename = true;
});

/**
 * The connection's stored secrets, as the runtime keeps them: rotateSecrets runs one rotation at
 * a time (the row lock) on the latest value, and each call's context starts from a snapshot.
 */
type SecretsStore = { secrets: FtpSecrets; rotations: number; rotate: FtpTestContext["rotateSecrets"] };

function secretsStore(password = "secret"): SecretsStore {
  let turn: Promise<unknown> = Promise.resolve();
  const store: SecretsStore = {
    secrets: ftpSecretsSchema.parse({ password }),
    rotations: 0,
    rotate(rotate) {
      const run = turn.then(async () => {
        const next = await rotate(store.secrets);
        if (next === null) return store.secrets;
        store.secrets = ftpSecretsSchema.parse(next);
        store.rotations++;
        return store.secrets;
      });
      turn = run.catch(() => undefined);
      return run;
    },
  };
  return store;
}

function sftpContext(
  store: SecretsStore,
  options: {
    settings?: Partial<Record<keyof FtpSettings, unknown>>;
    packageId?: string;
    timeoutMs?: number;
    isFirstTry?: boolean;
    target?: { host: string; port: number };
  } = {},
): FtpTestContext {
  const ctx = contextFor(options.target ?? server, {
    packageId: options.packageId,
    timeoutMs: options.timeoutMs,
    settings: { security: "sftp", ...options.settings },
  });
  return {
    ...ctx,
    secrets: store.secrets,
    rotateSecrets: store.rotate,
    isFirstTry: options.isFirstTry ?? true,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(caught instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(caught)}`);
  return caught;
}

/** What the session's classification makes of an error it threw. */
function ftpConnectorErrorOf(error: unknown): ConnectorError {
  return classifySftpError(error, "inspect");
}

/** The SFTP requests the server saw from `from` on, with the verb only ("OPEN", "POSIX-RENAME"). */
function verbsSince(from: number): string[] {
  return server.requests.slice(from).map(({ request }) => request.split(" ")[0] ?? "");
}

describe("check: trust on first use", () => {
  it("logs in, proves the base folder writable, leaves nothing behind, and pins the host key", async () => {
    const store = secretsStore();
    const health = await ftpConnector.check(sftpContext(store, { settings: { baseFolder: "/koppel/check" } }));
    expect(health).toMatchObject({ ok: true });
    expect(server.listFiles()).toEqual([]);
    expect(store.secrets.pinnedHostKey).toMatchObject({
      host: "127.0.0.1",
      port: server.port,
      fingerprint: server.hostKeyFingerprint,
    });
    expect(store.secrets.password).toBe("secret");

    // A later check with the pin stored writes nothing to the store.
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    expect(store.rotations).toBe(1);
  });

  it("refuses another host key once one is pinned, before logging in and without writing", async () => {
    const store = secretsStore();
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    const pinned = server.hostKeyFingerprint;
    const newKey = server.changeHostKey();
    try {
      const loginsBefore = server.logins.length;
      const requestsBefore = server.requests.length;
      const health = await ftpConnector.check(sftpContext(store));
      expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "host_key_mismatch" } });
      const error = await failureOf(
        ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes(1_000) }),
      );
      expect(error).toMatchObject({ kind: "permanent", code: "host_key_mismatch" });
      expect(error.vendorDetail).toContain(newKey);
      // No password was sent (no login) and nothing was asked or written.
      expect(server.logins.length).toBe(loginsBefore);
      expect(server.requests.length).toBe(requestsBefore);
      expect(server.listFiles()).toEqual([]);
      expect(store.secrets.pinnedHostKey?.fingerprint).toBe(pinned);
    } finally {
      server.changeHostKey();
    }
  });

  it("a typed fingerprint wins over the pin, and becomes the pin", async () => {
    const store = secretsStore();
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    const newKey = server.changeHostKey();
    // The provider announced its new key; the admin types it (without the prefix, as some show it).
    const typed = { hostKeyFingerprint: newKey.replace(/^SHA256:/, "") };
    expect(await ftpConnector.check(sftpContext(store, { settings: typed }))).toMatchObject({ ok: true });
    expect(store.secrets.pinnedHostKey?.fingerprint).toBe(newKey);
    // Clearing the field later keeps trusting the key the admin confirmed.
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
  });

  it("a typed fingerprint that does not match is refused even on first use", async () => {
    const store = secretsStore();
    const other = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
    const loginsBefore = server.logins.length;
    const health = await ftpConnector.check(sftpContext(store, { settings: { hostKeyFingerprint: other } }));
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "host_key_mismatch" } });
    expect(server.logins.length).toBe(loginsBefore);
    expect(store.secrets.pinnedHostKey).toBeUndefined();
  });

  it("when another process pinned another key meanwhile, that pin wins: refused, nothing written", async () => {
    const store = secretsStore();
    const ctx = sftpContext(store); // its snapshot has no pin yet
    store.secrets = {
      ...store.secrets,
      pinnedHostKey: {
        host: "127.0.0.1",
        port: server.port,
        fingerprint: `SHA256:${Buffer.alloc(32, 9).toString("base64").replace(/=+$/, "")}`,
        pinnedAt: new Date().toISOString(),
      },
    };
    const requestsBefore = server.requests.length;
    const error = await failureOf(ftpConnector.deliver(ctx, documentFor(), { content: pdfBytes(1_000) }));
    expect(error).toMatchObject({ kind: "permanent", code: "host_key_mismatch" });
    expect(verbsSince(requestsBefore)).toEqual([]);
    expect(server.listFiles()).toEqual([]);
  });

  it("a pin made for another host or port does not apply after the settings changed", async () => {
    const store = secretsStore();
    store.secrets = {
      ...store.secrets,
      pinnedHostKey: {
        host: "sftp.elders.example",
        port: 22,
        fingerprint: `SHA256:${Buffer.alloc(32, 3).toString("base64").replace(/=+$/, "")}`,
        pinnedAt: new Date().toISOString(),
      },
    };
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    expect(store.secrets.pinnedHostKey).toMatchObject({ host: "127.0.0.1", fingerprint: server.hostKeyFingerprint });
  });
});

describe("check: failures", () => {
  it("a wrong password is auth login_failed", async () => {
    const health = await ftpConnector.check(sftpContext(secretsStore("wrong")));
    expect(health).toMatchObject({ ok: false, error: { kind: "auth", code: "login_failed" } });
  });

  it("a base folder the user may not write to is permanent permission_denied", async () => {
    server.makeFolder("/archive");
    server.readOnlyPaths.add("/archive");
    const health = await ftpConnector.check(sftpContext(secretsStore(), { settings: { baseFolder: "/archive" } }));
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "permission_denied" } });
  });

  it("nothing listening on the port is retryable connection_refused", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const health = await ftpConnector.check(sftpContext(secretsStore(), { target: { host: "127.0.0.1", port } }));
    expect(health).toMatchObject({ ok: false, error: { kind: "retryable", code: "connection_refused" } });
  });

  it("a server that never answers ends at the deadline with timeout", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const health = await ftpConnector.check(
        sftpContext(secretsStore(), { target: { host: "127.0.0.1", port }, timeoutMs: 500 }),
      );
      expect(health).toMatchObject({ ok: false, error: { kind: "retryable", code: "timeout" } });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("an FTP server on the port (sftp chosen by mistake) is not taken for SSH", async () => {
    const ftp: FakeFtpServer = await startFakeFtpServer();
    try {
      const health = await ftpConnector.check(
        sftpContext(secretsStore(), { target: { host: ftp.host, port: ftp.port }, timeoutMs: 1_500 }),
      );
      expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "ssh_failed" } });
      expect(ftp.logins).toEqual([]);
    } finally {
      await ftp.close();
    }
  });
});

describe("delivery over SFTP", () => {
  it("lands in the profile's folders under a temporary name first, then renamed (posix-rename)", async () => {
    const store = secretsStore();
    const content = pdfBytes(100_000, 5);
    const requestsBefore = server.requests.length;
    const receipt = await ftpConnector.deliver(
      sftpContext(store, { packageId: "adsolut", settings: { baseFolder: "/import" } }),
      documentFor({ fileName: "Factuur maart.pdf" }),
      { content },
    );
    expect(receipt.packageReference).toMatch(
      /^\/import\/BE0123456749\/Aankoop\/20250315-090507_Factuur-maart_[0-9a-f]{12}\.pdf$/,
    );
    expect(server.listFiles()).toEqual([receipt.packageReference]);
    expect(server.readFile(receipt.packageReference ?? "").equals(content)).toBe(true);

    const requests = server.requests.slice(requestsBefore).map(({ request }) => request);
    const open = requests.find((request) => request.startsWith("OPEN "));
    expect(open).toMatch(/\/import\/BE0123456749\/Aankoop\/\.[^/]+\.part$/);
    expect(requests).toContain(`POSIX-RENAME ${open?.slice(5)} -> ${receipt.packageReference}`);
    expect(requests.filter((request) => request.startsWith("MKDIR "))).toEqual([
      "MKDIR /import",
      "MKDIR /import/BE0123456749",
      "MKDIR /import/BE0123456749/Aankoop",
    ]);
  });

  it("replaces a final file of another size on a server without posix-rename (remove, then rename)", async () => {
    server.offersPosixRename = false;
    const store = secretsStore();
    const document = documentFor();
    const first = await ftpConnector.deliver(sftpContext(store), document, { content: pdfBytes(1_000, 1) });
    const requestsBefore = server.requests.length;
    const content = pdfBytes(3_000, 2);
    const second = await ftpConnector.deliver(sftpContext(store, { isFirstTry: false }), document, { content });
    expect(second.packageReference).toBe(first.packageReference);
    expect(server.listFiles()).toEqual([first.packageReference]);
    expect(server.readFile(first.packageReference ?? "").equals(content)).toBe(true);
    const verbs = verbsSince(requestsBefore);
    expect(verbs).not.toContain("POSIX-RENAME");
    expect(verbs).toContain("REMOVE");
    expect(verbs.lastIndexOf("RENAME")).toBeGreaterThan(verbs.indexOf("REMOVE"));
  });

  it("a retry after the connection dropped mid-upload leaves exactly one complete file", async () => {
    const store = secretsStore();
    const document = documentFor();
    const content = pdfBytes(200_000, 6);
    server.dropNextUploadAfterBytes = 50_000;
    const error = await failureOf(ftpConnector.deliver(sftpContext(store), document, { content }));
    expect(error.kind).toBe("retryable");
    // Only the partial temporary file is there; importers ignore dot-files.
    const partial = server.listFiles();
    expect(partial).toHaveLength(1);
    expect(path.posix.basename(partial[0] ?? "")).toMatch(/^\..+\.part$/);

    const receipt = await ftpConnector.deliver(sftpContext(store, { isFirstTry: false }), document, { content });
    expect(server.listFiles()).toEqual([receipt.packageReference]);
    expect(server.readFile(receipt.packageReference ?? "").equals(content)).toBe(true);
  });

  it("a repeated try that finds its file complete (the rename's answer was lost) uploads nothing", async () => {
    const store = secretsStore();
    const document = documentFor();
    const content = pdfBytes(2_000, 8);
    await ftpConnector.deliver(sftpContext(store), document, { content });
    const requestsBefore = server.requests.length;
    const receipt = await ftpConnector.deliver(sftpContext(store, { isFirstTry: false }), document, { content });
    expect(receipt.target).toMatchObject({ isAlreadyThere: true });
    expect(verbsSince(requestsBefore)).not.toContain("OPEN");
  });

  it("a wrong password is auth login_failed, a read-only folder permanent permission_denied", async () => {
    const wrong = await failureOf(
      ftpConnector.deliver(sftpContext(secretsStore("wrong")), documentFor(), { content: pdfBytes() }),
    );
    expect(wrong).toMatchObject({ kind: "auth", code: "login_failed" });

    server.makeFolder("/readonly/0123456749/purchase");
    server.readOnlyPaths.add("/readonly");
    const denied = await failureOf(
      ftpConnector.deliver(sftpContext(secretsStore(), { settings: { baseFolder: "/readonly" } }), documentFor(), {
        content: pdfBytes(),
      }),
    );
    expect(denied).toMatchObject({ kind: "permanent", code: "permission_denied" });
    expect(server.listFiles()).toEqual([]);
  });

  it("consecutive deliveries share one login on a pooled session", async () => {
    const store = secretsStore();
    // The admin's connection test pins the key; deliveries then run with the pin in their secrets.
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    const loginsBefore = server.logins.length;
    const connectionsBefore = server.connectionCount;
    const receipts = [];
    for (let i = 0; i < 3; i++) {
      receipts.push(await ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes(1_500, i) }));
    }
    expect(server.listFiles()).toEqual(receipts.map((receipt) => receipt.packageReference).sort());
    expect(server.logins.length - loginsBefore).toBe(1);
    expect(server.connectionCount - connectionsBefore).toBe(1);
  });

  it("a folder removed between two deliveries on one session is made again, and the second lands", async () => {
    const store = secretsStore();
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    const loginsBefore = server.logins.length;
    const first = await ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes(1_000, 3) });
    rmSync(path.join(server.root, "0123456749"), { recursive: true, force: true });
    const second = await ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes(1_000, 4) });
    expect(path.posix.dirname(second.packageReference ?? "")).toBe(path.posix.dirname(first.packageReference ?? ""));
    expect(server.listFiles()).toEqual([second.packageReference]);
    expect(server.logins.length - loginsBefore).toBe(1);
  });

  it("a pooled session the server dropped while idle is replaced on the next delivery", async () => {
    const store = secretsStore();
    expect(await ftpConnector.check(sftpContext(store))).toMatchObject({ ok: true });
    await ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes(1_000, 1) });
    server.dropConnections();
    const receipt = await ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes(1_000, 2) });
    expect(server.listFiles()).toContain(receipt.packageReference);
  });

  it("read-back lists the folder over SFTP: pending while the file is there, imported once it is gone", async () => {
    const store = secretsStore();
    const receipt = await ftpConnector.deliver(sftpContext(store), documentFor(), { content: pdfBytes() });
    const reference = receipt.packageReference ?? "";
    const poll = ftpConnector.pollStatus;
    expect(await poll(sftpContext(store), [reference])).toEqual([{ packageReference: reference, state: "pending" }]);
    rmSync(path.join(server.root, reference));
    expect(await poll(sftpContext(store), [reference])).toEqual([{ packageReference: reference, state: "imported" }]);
  });
});

describe("the SFTP session itself", () => {
  const endpoint = (): FtpEndpoint => ({
    hostname: "127.0.0.1",
    address: "127.0.0.1",
    port: server.port,
    security: "sftp",
    username: "probe",
    password: "secret",
  });
  const text = (value: string) => new TextEncoder().encode(value);
  const run = <T>(work: Parameters<typeof withFtpSession<T>>[2]) =>
    withFtpSession(endpoint(), { signal: AbortSignal.timeout(10_000) }, work);

  it("renames onto an existing file in one step with posix-rename", async () => {
    await run(async (session) => {
      await session.ensureFolder("/r");
      await session.upload(text("old"), "/r/a.pdf");
      await session.upload(text("new content"), "/r/.a.pdf.part");
      const before = server.requests.length;
      await session.rename("/r/.a.pdf.part", "/r/a.pdf");
      expect(verbsSince(before)).toEqual(["POSIX-RENAME"]);
    });
    expect(server.listFiles()).toEqual(["/r/a.pdf"]);
    expect(server.readFile("/r/a.pdf").toString()).toBe("new content");
  });

  it("without posix-rename: RENAME is refused for an existing target, so it is removed and renamed again", async () => {
    server.offersPosixRename = false;
    await run(async (session) => {
      await session.ensureFolder("/r");
      await session.upload(text("old"), "/r/a.pdf");
      await session.upload(text("new content"), "/r/.a.pdf.part");
      const before = server.requests.length;
      await session.rename("/r/.a.pdf.part", "/r/a.pdf");
      expect(verbsSince(before)).toEqual(["RENAME", "STAT", "REMOVE", "RENAME"]);
      // A target that is not there: one RENAME.
      await session.upload(text("b"), "/r/.b.pdf.part");
      const next = server.requests.length;
      await session.rename("/r/.b.pdf.part", "/r/b.pdf");
      expect(verbsSince(next)).toEqual(["RENAME"]);
    });
    expect(server.listFiles()).toEqual(["/r/a.pdf", "/r/b.pdf"]);
    expect(server.readFile("/r/a.pdf").toString()).toBe("new content");
  });

  it("knows the folders it made (no request), and walks again once told to forget them", async () => {
    await run(async (session) => {
      await session.ensureFolder("/x/y/z");
      const before = server.requests.length;
      await session.ensureFolder("/x/y/z");
      expect(verbsSince(before)).toEqual([]);
      rmSync(path.join(server.root, "x", "y"), { recursive: true });
      session.forgetFolders();
      const again = server.requests.length;
      await session.ensureFolder("/x/y/z");
      expect(verbsSince(again)).toEqual(["STAT", "STAT", "STAT", "MKDIR", "MKDIR"]);
      expect(await session.sizeOf("/x/y/z/none.pdf")).toBeNull();
      expect(await session.listFolder("/x/none")).toBeNull();
    });
  });

  it("uploads a larger file intact with several writes in flight", async () => {
    const content = Buffer.alloc(1_000_003);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 256;
    await run(async (session) => {
      await session.ensureFolder("/big");
      await session.upload(content, "/big/file.bin");
      expect(await session.sizeOf("/big/file.bin")).toBe(content.length);
    });
    // Compared as buffers: a deep equal over a million elements is slow.
    expect(server.readFile("/big/file.bin").equals(content)).toBe(true);
  });

  it("a session the server dropped says it is no longer usable, and its next command fails at once", async () => {
    let failure: unknown;
    await run(async (session) => {
      expect(session.isUsable).toBe(true);
      server.dropConnections();
      await expect.poll(() => session.isUsable).toBe(false);
      failure = await session.sizeOf("/a").then(
        () => null,
        (error: unknown) => error,
      );
    });
    expect(ftpConnectorErrorOf(failure)).toMatchObject({ kind: "retryable", code: "network" });
  });
});

describe("servers that differ", () => {
  it("a relative base folder starts in the folder the user lands in", async () => {
    const homed = await startFakeSftpServer({ home: "/home/probe" });
    try {
      homed.makeFolder("/home/probe");
      const receipt = await ftpConnector.deliver(
        sftpContext(secretsStore(), { target: homed, settings: { baseFolder: "import" } }),
        documentFor(),
        { content: pdfBytes() },
      );
      expect(receipt.packageReference).toMatch(/^\/home\/probe\/import\/0123456749\/purchase\//);
      expect(homed.listFiles()).toEqual([receipt.packageReference]);
    } finally {
      await closeFtpSessions();
      await homed.close();
    }
  });

  it("a server that takes the password only as a keyboard-interactive answer", async () => {
    const pam = await startFakeSftpServer({ keyboardInteractiveOnly: true });
    try {
      expect(await ftpConnector.check(sftpContext(secretsStore(), { target: pam }))).toMatchObject({ ok: true });
      expect(pam.logins).toEqual(["probe"]);
      const wrong = await ftpConnector.check(sftpContext(secretsStore("wrong"), { target: pam }));
      expect(wrong).toMatchObject({ ok: false, error: { kind: "auth", code: "login_failed" } });
    } finally {
      await pam.close();
    }
  });
});

describe("through the runtime: runConnectionCheck pins the key in the encrypted secrets", () => {
  let opened: OpenedDb;
  let portalId = "";
  let actors: ReturnType<typeof actorsFor>;

  beforeAll(async () => {
    useTestEncryptionKey();
    opened = await createTestDb();
    const portal = await insertPortal(opened.db, "Kantoor Adsolut");
    const other = await insertPortal(opened.db, "Kantoor B");
    portalId = portal.id;
    actors = actorsFor(portalId, other.id, (await insertDossier(opened.db, portalId)).id);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("stores the pin with the password, keeps it when the admin saves a new password, shows only its fingerprint", async () => {
    const created = await createConnection(opened.db, actors.admin, portalId, {
      packageId: "adsolut",
      channel: "ftp",
      label: "Adsolut cloud",
      settings: { host: "127.0.0.1", port: String(server.port), username: "probe", security: "sftp" },
      secrets: { password: "secret" },
    });
    const result = await runConnectionCheck(opened.db, actors.system, created.id);
    expect(result).toMatchObject({ status: "connected", errorCode: null });
    const stored = ftpSecretsSchema.parse(decryptConnectionSecrets(await storedConnection(created.id)));
    expect(stored.pinnedHostKey).toMatchObject({ fingerprint: server.hostKeyFingerprint, port: server.port });

    const view = await updateConnection(opened.db, actors.admin, portalId, created.id, {
      secrets: { password: "secret" },
    });
    expect(view.secretsSet).toEqual({ password: true });
    // Of the pin, the view shows the fingerprint only (tests/integration/lib/connections/server-key.test.ts).
    expect(view.serverKey).toEqual({ fingerprint: server.hostKeyFingerprint, source: "pinned" });
    expect(JSON.stringify(view)).not.toContain("pinnedAt");
    const after = ftpSecretsSchema.parse(decryptConnectionSecrets(await storedConnection(created.id)));
    expect(after.pinnedHostKey).toEqual(stored.pinnedHostKey);

    server.changeHostKey();
    try {
      expect(await runConnectionCheck(opened.db, actors.system, created.id)).toMatchObject({
        status: "error",
        errorCode: "host_key_mismatch",
      });
    } finally {
      server.changeHostKey();
    }
  });

  it("refuses a host key fingerprint with FTPS, and a certificate fingerprint with SFTP", async () => {
    const base = { packageId: "adsolut", channel: "ftp" as const, label: "Adsolut", secrets: { password: "x" } };
    const settings = { host: "sftp.example.be", username: "probe" };
    await expect(
      createConnection(opened.db, actors.admin, portalId, {
        ...base,
        settings: { ...settings, security: "explicit", hostKeyFingerprint: server.hostKeyFingerprint },
      }),
    ).rejects.toMatchObject({ fieldErrors: { "settings.hostKeyFingerprint": ["ftpHostKeyNeedsSftp"] } });
    await expect(
      createConnection(opened.db, actors.admin, portalId, {
        ...base,
        settings: { ...settings, security: "sftp", certificateFingerprint: "AB".repeat(32) },
      }),
    ).rejects.toMatchObject({ fieldErrors: { "settings.certificateFingerprint": ["ftpCertificateNotForSftp"] } });
  });

  async function storedConnection(id: string) {
    const { connections } = await import("@/db/schema");
    const { eq } = await import("drizzle-orm");
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
    if (!row) throw new Error("connection missing");
    return row;
  }
});
