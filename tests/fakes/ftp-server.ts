import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import type { EventEmitter } from "node:events";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path, { posix } from "node:path";
import { Writable } from "node:stream";
import { FileSystem, type FtpConnection, FtpSrv } from "ftp-srv";
import { isUnder, listClientFiles } from "./file-tree";

/**
 * An in-process FTP(S) server for tests (and the local demo), on ftp-srv (a devDependency only:
 * its `ip@1` dependency carries an advisory). Setup as verified in shared/stack-notes.md §7:
 * pasv_url set (PASV answers), a bounded passive port range, a silent logger, and its process
 * signal handlers removed again (ftp-srv calls process.exit on SIGINT/SIGTERM). Start one per
 * test file and close it in afterAll.
 */

/** ftp-srv logs through bunyan by default; its `.d.ts` types `log` as any. */
const silentLog: Record<string, unknown> = {};
for (const level of ["trace", "debug", "info", "warn", "error", "fatal"]) silentLog[level] = () => {};
silentLog.child = () => silentLog;

export type TlsMaterial = { key: string; cert: string; fingerprint: string; dir: string };

/**
 * A self-signed certificate for localhost / 127.0.0.1 made now with openssl (valid one day), and
 * its SHA-256 fingerprint in the "AB:CD:…" form. The caller removes `dir` when done.
 */
export function makeSelfSignedCertificate(): TlsMaterial {
  const dir = mkdtempSync(path.join(tmpdir(), "koppel-ftp-cert-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore", timeout: 20_000 },
  );
  const cert = readFileSync(certFile, "utf8");
  return { key: readFileSync(keyFile, "utf8"), cert, fingerprint: new X509Certificate(cert).fingerprint256, dir };
}

export type FakeFtpServerOptions = {
  /** Enables FTPS: explicit (AUTH TLS on the same port) unless `implicit`. */
  tls?: { key: string; cert: string };
  implicit?: boolean;
  /** user → password; default { probe: "secret" }. */
  users?: Record<string, string>;
  /** Files land here; default a new temp dir (removed on close). */
  root?: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  pasvMin?: number;
  pasvMax?: number;
  /**
   * Sets TCP_NODELAY on the control connections. ftp-srv writes the lines of one answer, and the
   * 150 and 226 of a transfer, as separate small writes; with Nagle on, each second write waits
   * for the client's delayed ACK (about 40 ms on Linux loopback), so every STOR and every login
   * costs 40 ms of waiting. Off by default (ftp-srv as it is); the bench compares both.
   */
  noDelay?: boolean;
};

export type FakeFtpServer = {
  host: string;
  port: number;
  /** Local folder that is the FTP root. */
  root: string;
  /**
   * Client paths (folder prefixes, e.g. "/readonly") where uploads, folder creation, renames and
   * removals are refused with 550, as on a folder without write permission.
   */
  readOnlyPaths: Set<string>;
  /** The next upload stops after this many bytes and the server drops the whole connection. */
  dropNextUploadAfterBytes: number | null;
  /**
   * Renames onto a name that exists are refused with 550, as IIS and some appliances do (most
   * servers replace the file).
   */
  refuseRenameOntoExisting: boolean;
  /** Every file under the root, as client paths ("/a/b.pdf"), sorted. */
  listFiles(): string[];
  /** Bytes of a file by client path. */
  readFile(clientPath: string): Buffer;
  /** Creates a folder by client path (as an importer or an admin would). */
  makeFolder(clientPath: string): void;
  /** Logins seen, for assertions about who connected. */
  logins: string[];
  /** user → password, as the server checks them at login; tests may change a password. */
  users: Record<string, string>;
  /** Control connections opened so far. */
  readonly connectionCount: number;
  /** Control connections open now. */
  readonly openConnectionCount: number;
  /**
   * Every command the server received, in order, with the number of the control connection
   * (1, 2, … in order of connecting) and the directive and argument as sent ("STOR /a/b.part";
   * PASS arguments are masked).
   */
  commands: { connection: number; command: string }[];
  /** Closes every control connection now, without a word (a server restart, a dropped line). */
  dropConnections(): void;
  /**
   * The next command, on any connection, is answered "421 Timeout." and its connection closed, as
   * a server does that timed an idle session out just as the client came back.
   */
  hangUpOnNextCommand: boolean;
  close(): Promise<void>;
};

export async function startFakeFtpServer(options: FakeFtpServerOptions = {}): Promise<FakeFtpServer> {
  const host = options.host ?? "127.0.0.1";
  const ownsRoot = options.root === undefined;
  const root = options.root ?? mkdtempSync(path.join(tmpdir(), "koppel-ftp-root-"));
  mkdirSync(root, { recursive: true });
  const users = options.users ?? { probe: "secret" };

  const state: Pick<
    FakeFtpServer,
    | "readOnlyPaths"
    | "dropNextUploadAfterBytes"
    | "refuseRenameOntoExisting"
    | "logins"
    | "commands"
    | "hangUpOnNextCommand"
  > & { connectionCount: number; open: Map<string, Socket> } = {
    readOnlyPaths: new Set<string>(),
    dropNextUploadAfterBytes: null,
    refuseRenameOntoExisting: false,
    logins: [],
    commands: [],
    hangUpOnNextCommand: false,
    connectionCount: 0,
    open: new Map(),
  };

  class GuardedFileSystem extends FileSystem {
    private clientPathOf(name: string): string {
      return posix.isAbsolute(name) ? posix.normalize(name) : posix.join("/", this.currentDirectory(), name);
    }

    private refuseWhenReadOnly(name: string): void {
      // ftp-srv answers any error of STOR, MKD, RNTO and DELE with 550 and the message. (Its typings
      // declare a FileSystemError export that the package does not have at run time.)
      if (isUnder(this.clientPathOf(name), state.readOnlyPaths)) throw new Error("Permission denied");
    }

    override write(fileName: string, writeOptions?: { append?: boolean; start?: unknown }) {
      this.refuseWhenReadOnly(fileName);
      // Into a folder that is not there: refused up front (550), as servers do. ftp-srv itself
      // would open the stream, fail, and then fail again removing the file it never made.
      if (!existsSync(path.join(root, posix.dirname(this.clientPathOf(fileName))))) {
        throw new Error("No such directory");
      }
      const limit = state.dropNextUploadAfterBytes;
      if (limit === null) return super.write(fileName, writeOptions);
      state.dropNextUploadAfterBytes = null;
      // Keep what arrived (as a real server does), then cut the connection mid-transfer.
      const fsPath = path.join(root, this.clientPathOf(fileName));
      const target = createWriteStream(fsPath);
      const connection = this.connection as FtpConnection & {
        commandSocket?: { destroy(): void };
        connector?: { socket?: { destroy(): void } | null };
      };
      let written = 0;
      const stream = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          const part = chunk.subarray(0, Math.max(0, limit - written));
          written += part.length;
          target.write(part, () => {
            if (written < limit) return callback();
            // Never call back: the transfer stalls here while the connection goes away.
            target.end(() => {
              connection.connector?.socket?.destroy();
              connection.commandSocket?.destroy();
            });
          });
        },
        final(callback) {
          target.end(() => callback());
        },
      });
      return { stream, clientPath: this.clientPathOf(fileName) };
    }

    override mkdir(folder: string) {
      this.refuseWhenReadOnly(folder);
      return super.mkdir(folder);
    }

    override rename(from: string, to: string) {
      this.refuseWhenReadOnly(from);
      this.refuseWhenReadOnly(to);
      if (state.refuseRenameOntoExisting && existsSync(path.join(root, this.clientPathOf(to)))) {
        throw new Error("Cannot create a file when that file already exists.");
      }
      return super.rename(from, to);
    }

    override delete(target: string) {
      this.refuseWhenReadOnly(target);
      return super.delete(target);
    }
  }

  const signalsBefore = new Map(
    (["SIGTERM", "SIGINT", "SIGQUIT"] as const).map((signal) => [signal, new Set(process.listeners(signal))]),
  );
  const server = new FtpSrv({
    url: `${options.implicit ? "ftps" : "ftp"}://${host}:${options.port ?? 0}`,
    pasv_url: host,
    pasv_min: options.pasvMin ?? 40_000,
    pasv_max: options.pasvMax ?? 40_999,
    tls: options.tls ? { key: options.tls.key, cert: options.tls.cert } : false,
    anonymous: false,
    greeting: "Koppel test FTP server",
    log: silentLog,
    timeout: 30_000,
  });
  // ftp-srv would exit the whole process on these signals; a test run must not.
  const addedSignalHandlers = [...signalsBefore].flatMap(([signal, before]) =>
    process
      .listeners(signal)
      .filter((listener) => !before.has(listener))
      .map((listener) => [signal, listener] as const),
  );
  for (const [signal, listener] of addedSignalHandlers) process.removeListener(signal, listener);

  // Not in ftp-srv's typings: the "connect" event, the connection's socket and command handler.
  type ConnectionInternals = FtpConnection & {
    commandSocket: Socket;
    commands: { handle(command: string | { directive: string; arg: string | null }): Promise<unknown> };
  };
  (server as unknown as EventEmitter).on(
    "connect",
    ({ connection, id }: { connection: ConnectionInternals; id: string }) => {
      const number = ++state.connectionCount;
      state.open.set(id, connection.commandSocket);
      connection.commandSocket.once("close", () => state.open.delete(id));
      if (options.noDelay) connection.commandSocket.setNoDelay(true);
      const commands = connection.commands;
      const handle = commands.handle.bind(commands);
      commands.handle = (command) => {
        const text = (typeof command === "string" ? command : `${command.directive} ${command.arg ?? ""}`).trim();
        state.commands.push({ connection: number, command: /^PASS\b/i.test(text) ? "PASS ***" : text });
        if (state.hangUpOnNextCommand) {
          state.hangUpOnNextCommand = false;
          return connection.reply(421, "Timeout.").then(() => connection.commandSocket.destroy());
        }
        return handle(command);
      };
    },
  );

  server.on("login", ({ connection, username, password }, resolve, reject) => {
    if (users[username] !== undefined && users[username] === password) {
      state.logins.push(username);
      resolve({ fs: new GuardedFileSystem(connection, { root, cwd: "/" }) });
    } else {
      reject(new Error("Login incorrect"));
    }
  });
  // A client that goes away mid-command is a normal event in these tests.
  server.on("client-error", () => {});
  await server.listen();
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();

  const listFiles = () => listClientFiles(root);

  return {
    host,
    port: address.port,
    root,
    get readOnlyPaths() {
      return state.readOnlyPaths;
    },
    get dropNextUploadAfterBytes() {
      return state.dropNextUploadAfterBytes;
    },
    set dropNextUploadAfterBytes(value) {
      state.dropNextUploadAfterBytes = value;
    },
    get refuseRenameOntoExisting() {
      return state.refuseRenameOntoExisting;
    },
    set refuseRenameOntoExisting(value) {
      state.refuseRenameOntoExisting = value;
    },
    logins: state.logins,
    users,
    get connectionCount() {
      return state.connectionCount;
    },
    get openConnectionCount() {
      return state.open.size;
    },
    commands: state.commands,
    dropConnections() {
      for (const socket of state.open.values()) socket.destroy();
    },
    get hangUpOnNextCommand() {
      return state.hangUpOnNextCommand;
    },
    set hangUpOnNextCommand(value) {
      state.hangUpOnNextCommand = value;
    },
    listFiles,
    readFile: (clientPath) => readFileSync(path.join(root, clientPath)),
    makeFolder: (clientPath) => mkdirSync(path.join(root, clientPath), { recursive: true }),
    async close() {
      await server.close();
      if (ownsRoot) rmSync(root, { recursive: true, force: true });
    },
  };
}
