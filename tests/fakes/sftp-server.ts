import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path, { posix } from "node:path";
import ssh2, { type Attributes, type Connection, type FileEntry, type SFTPWrapper } from "ssh2";
import { isUnder, listClientFiles } from "./file-tree";

/**
 * An in-process SFTP server for tests, on ssh2's own Server: password logins (and optionally
 * keyboard-interactive), a temp folder as the file system, the SFTP v3 requests the connector
 * uses (OPEN, WRITE, CLOSE, STAT, LSTAT, FSTAT, MKDIR, RMDIR, RENAME, REMOVE, REALPATH, OPENDIR,
 * READDIR) and OpenSSH's posix-rename extension, which can be switched off to play a server
 * without it. Plain RENAME refuses an existing target with FAILURE, as OpenSSH's sftp-server does.
 *
 * The host key is made at start (ed25519); `changeHostKey()` swaps it for new connections, as a
 * provider that reinstalls its server does (or someone in between). Connections arrive through
 * our own TCP server and are handed to ssh2 (`injectSocket`), so the fake can count and drop them.
 * Start one per test file and close it in afterAll.
 */

// ssh2 is CommonJS whose exports Node's ESM loader cannot list (Playwright loads this file for
// e2e/sftp.spec.ts as ESM): named value imports fail there, the default import works everywhere.
const { Server, utils } = ssh2;
const { STATUS_CODE, OPEN_MODE } = utils.sftp;

export type FakeSftpServerOptions = {
  /** user → password; default { probe: "secret" }. */
  users?: Record<string, string>;
  /** Files land here; default a new temp dir (removed on close). */
  root?: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** The folder a user lands in (what REALPATH "." answers), as a client path; default "/". */
  home?: string;
  /** Whether the server offers posix-rename@openssh.com (default true). */
  offersPosixRename?: boolean;
  /** Accept the password only through keyboard-interactive (as some PAM set-ups do). */
  keyboardInteractiveOnly?: boolean;
};

export type FakeSftpServer = {
  host: string;
  port: number;
  /** Local folder that is the SFTP root. */
  root: string;
  /** The current host key's fingerprint, as OpenSSH prints it ("SHA256:…"). */
  readonly hostKeyFingerprint: string;
  /** A new host key for connections from now on; returns its fingerprint. */
  changeHostKey(): string;
  /** Client paths (folder prefixes) where writing, creating, renaming and removing answer PERMISSION_DENIED. */
  readOnlyPaths: Set<string>;
  /** The next upload stops after this many bytes and the server drops the whole connection. */
  dropNextUploadAfterBytes: number | null;
  /** Whether new SFTP sessions are offered posix-rename@openssh.com. */
  offersPosixRename: boolean;
  /** Successful logins, by user name. */
  logins: string[];
  /** user → password, as checked at login; tests may change a password. */
  users: Record<string, string>;
  /** TCP connections accepted so far. */
  readonly connectionCount: number;
  /** TCP connections open now. */
  readonly openConnectionCount: number;
  /** Every SFTP request, in order, with the number of its connection ("OPEN /a/.b.part", "RENAME /a -> /b"). */
  requests: { connection: number; request: string }[];
  /** Closes every connection now, without a word. */
  dropConnections(): void;
  /** Every file under the root, as client paths ("/a/b.pdf"), sorted. */
  listFiles(): string[];
  readFile(clientPath: string): Buffer;
  makeFolder(clientPath: string): void;
  close(): Promise<void>;
};

/** OpenSSH's fingerprint of a public key ("SHA256:" + unpadded base64 of the key blob's SHA-256). */
export function fingerprintOfPublicKey(publicKey: string): string {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  return `SHA256:${createHash("sha256").update(parsed.getPublicSSH()).digest("base64").replace(/=+$/, "")}`;
}

/**
 * ssh2's key generator drops a leading zero byte of an ed25519 key (about one key in 200), and
 * its own parser then refuses that key as malformed: draw again until both halves parse.
 */
function makeHostKey(): { privateKey: string; fingerprint: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (utils.parseKey(pair.private) instanceof Error || utils.parseKey(pair.public) instanceof Error) continue;
    return { privateKey: pair.private, fingerprint: fingerprintOfPublicKey(pair.public) };
  }
}

function attrsOf(stats: Stats): Attributes {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

/** The SSH_FXP_VERSION packet ssh2's server sends (v3, no extensions), and ours with posix-rename. */
const PLAIN_VERSION = Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3]);
function versionWithExtensions(extensions: Record<string, string>): Buffer {
  const parts = [Buffer.from([2, 0, 0, 0, 3])];
  for (const [name, data] of Object.entries(extensions)) {
    for (const text of [name, data]) {
      const bytes = Buffer.from(text, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/**
 * ssh2's server answers INIT with a VERSION packet that offers no extensions, and has no option
 * for it. To play OpenSSH, the session's outgoing channel data is watched for that exact packet
 * (its first one) and the version with posix-rename is sent instead. Test-only reach into ssh2's
 * internals (`_protocol.channelData`, `outgoing.id`); the fake fails loudly if they change.
 */
function offerPosixRename(sftp: SFTPWrapper): void {
  const internals = sftp as unknown as {
    _protocol?: { channelData(id: number, data: Buffer): void };
    outgoing?: { id: number };
  };
  const protocol = internals._protocol;
  const channelId = internals.outgoing?.id;
  if (!protocol || typeof protocol.channelData !== "function" || channelId === undefined) {
    throw new Error("ssh2 changed: cannot offer posix-rename@openssh.com in the fake SFTP server");
  }
  const original = protocol.channelData;
  protocol.channelData = function patched(id: number, data: Buffer) {
    if (id === channelId && data.equals(PLAIN_VERSION)) {
      protocol.channelData = original;
      return original.call(this, id, versionWithExtensions({ "posix-rename@openssh.com": "1" }));
    }
    return original.call(this, id, data);
  };
}

/** Reads the two strings (old path, new path) of a posix-rename request. */
function renamePathsOf(data: Buffer): [string, string] {
  const firstLength = data.readUInt32BE(0);
  const first = data.subarray(4, 4 + firstLength).toString("utf8");
  const secondLength = data.readUInt32BE(4 + firstLength);
  const second = data.subarray(8 + firstLength, 8 + firstLength + secondLength).toString("utf8");
  return [first, second];
}

export async function startFakeSftpServer(options: FakeSftpServerOptions = {}): Promise<FakeSftpServer> {
  const host = options.host ?? "127.0.0.1";
  const ownsRoot = options.root === undefined;
  const root = options.root ?? mkdtempSync(path.join(tmpdir(), "koppel-sftp-root-"));
  mkdirSync(root, { recursive: true });
  const users = options.users ?? { probe: "secret" };
  const home = options.home ?? "/";

  const state = {
    readOnlyPaths: new Set<string>(),
    dropNextUploadAfterBytes: null as number | null,
    offersPosixRename: options.offersPosixRename ?? true,
    logins: [] as string[],
    requests: [] as { connection: number; request: string }[],
    connectionCount: 0,
    open: new Set<Socket>(),
  };

  const clientPathOf = (name: string) => (posix.isAbsolute(name) ? posix.normalize(name) : posix.join(home, name));
  const fsPathOf = (clientPath: string) => path.join(root, clientPath);

  /** One SFTP session: its handles and the requests it answers. */
  function serve(sftp: SFTPWrapper, connection: number, socket: Socket): void {
    if (state.offersPosixRename) offerPosixRename(sftp);
    type Handle =
      | { kind: "file"; fd: number; clientPath: string }
      | { kind: "folder"; clientPath: string; isRead: boolean };
    const handles = new Map<string, Handle>();
    let nextHandle = 0;
    const newHandle = (value: Handle) => {
      const id = Buffer.alloc(4);
      id.writeUInt32BE(nextHandle++);
      handles.set(id.toString("hex"), value);
      return id;
    };
    const log = (request: string) => state.requests.push({ connection, request });
    /** Runs a file-system step and answers with the status its error means. */
    const answer = (reqId: number, step: () => void) => {
      try {
        step();
        sftp.status(reqId, STATUS_CODE.OK);
      } catch (error) {
        sftp.status(reqId, statusOf(error));
      }
    };
    const statusOf = (error: unknown): number => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return STATUS_CODE.NO_SUCH_FILE;
      if (code === "EACCES" || code === "EPERM") return STATUS_CODE.PERMISSION_DENIED;
      return STATUS_CODE.FAILURE;
    };
    const denied = (clientPath: string) => isUnder(clientPath, state.readOnlyPaths);

    sftp.on("OPEN", (reqId, filename, flags) => {
      const clientPath = clientPathOf(filename);
      log(`OPEN ${clientPath}`);
      const isWrite = (flags & OPEN_MODE.WRITE) !== 0;
      if (isWrite && denied(clientPath)) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      try {
        const mode = utils.sftp.flagsToString(flags) ?? "r";
        const fd = openSync(fsPathOf(clientPath), mode.replace("x", "wx"));
        sftp.handle(reqId, newHandle({ kind: "file", fd, clientPath }));
      } catch (error) {
        sftp.status(reqId, statusOf(error));
      }
    });
    sftp.on("WRITE", (reqId, id, offset, data) => {
      const handle = handles.get(id.toString("hex"));
      if (handle?.kind !== "file") return sftp.status(reqId, STATUS_CODE.FAILURE);
      const limit = state.dropNextUploadAfterBytes;
      if (limit !== null) {
        // Keep what arrived up to the limit (as a real server does), then cut the connection.
        const kept = Math.max(0, Math.min(data.length, limit - offset));
        if (kept > 0) writeSync(handle.fd, data, 0, kept, offset);
        if (offset + data.length >= limit) {
          state.dropNextUploadAfterBytes = null;
          closeSync(handle.fd);
          handles.delete(id.toString("hex"));
          socket.destroy();
          return;
        }
        return sftp.status(reqId, STATUS_CODE.OK);
      }
      answer(reqId, () => writeSync(handle.fd, data, 0, data.length, offset));
    });
    sftp.on("CLOSE", (reqId, id) => {
      const key = id.toString("hex");
      const handle = handles.get(key);
      if (!handle) return sftp.status(reqId, STATUS_CODE.FAILURE);
      handles.delete(key);
      answer(reqId, () => {
        if (handle.kind === "file") closeSync(handle.fd);
      });
    });
    const stat = (reqId: number, name: string, verb: string) => {
      const clientPath = clientPathOf(name);
      log(`${verb} ${clientPath}`);
      try {
        sftp.attrs(reqId, attrsOf(statSync(fsPathOf(clientPath))));
      } catch (error) {
        sftp.status(reqId, statusOf(error));
      }
    };
    sftp.on("STAT", (reqId, name) => stat(reqId, name, "STAT"));
    sftp.on("LSTAT", (reqId, name) => stat(reqId, name, "LSTAT"));
    sftp.on("FSTAT", (reqId, id) => {
      const handle = handles.get(id.toString("hex"));
      if (!handle) return sftp.status(reqId, STATUS_CODE.FAILURE);
      stat(reqId, handle.clientPath, "FSTAT");
    });
    sftp.on("MKDIR", (reqId, name) => {
      const clientPath = clientPathOf(name);
      log(`MKDIR ${clientPath}`);
      if (denied(clientPath)) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      answer(reqId, () => mkdirSync(fsPathOf(clientPath)));
    });
    sftp.on("RMDIR", (reqId, name) => {
      const clientPath = clientPathOf(name);
      log(`RMDIR ${clientPath}`);
      if (denied(clientPath)) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      answer(reqId, () => rmdirSync(fsPathOf(clientPath)));
    });
    sftp.on("REMOVE", (reqId, name) => {
      const clientPath = clientPathOf(name);
      log(`REMOVE ${clientPath}`);
      if (denied(clientPath)) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      answer(reqId, () => unlinkSync(fsPathOf(clientPath)));
    });
    sftp.on("RENAME", (reqId, from, to) => {
      const [fromPath, toPath] = [clientPathOf(from), clientPathOf(to)];
      log(`RENAME ${fromPath} -> ${toPath}`);
      if (denied(fromPath) || denied(toPath)) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      // SFTP v3: a rename never replaces (OpenSSH's sftp-server links, then unlinks: FAILURE).
      if (existsSync(fsPathOf(toPath))) return sftp.status(reqId, STATUS_CODE.FAILURE, "File exists");
      answer(reqId, () => renameSync(fsPathOf(fromPath), fsPathOf(toPath)));
    });
    sftp.on("EXTENDED", (reqId, name, data) => {
      if (name !== "posix-rename@openssh.com" || !state.offersPosixRename) {
        return sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED);
      }
      const [from, to] = renamePathsOf(data);
      const [fromPath, toPath] = [clientPathOf(from), clientPathOf(to)];
      log(`POSIX-RENAME ${fromPath} -> ${toPath}`);
      if (denied(fromPath) || denied(toPath)) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      answer(reqId, () => renameSync(fsPathOf(fromPath), fsPathOf(toPath)));
    });
    sftp.on("REALPATH", (reqId, name) => {
      const clientPath = clientPathOf(name);
      log(`REALPATH ${clientPath}`);
      sftp.name(reqId, [{ filename: clientPath, longname: clientPath, attrs: {} as Attributes }]);
    });
    sftp.on("OPENDIR", (reqId, name) => {
      const clientPath = clientPathOf(name);
      log(`OPENDIR ${clientPath}`);
      try {
        if (!statSync(fsPathOf(clientPath)).isDirectory()) return sftp.status(reqId, STATUS_CODE.FAILURE);
        sftp.handle(reqId, newHandle({ kind: "folder", clientPath, isRead: false }));
      } catch (error) {
        sftp.status(reqId, statusOf(error));
      }
    });
    sftp.on("READDIR", (reqId, id) => {
      const handle = handles.get(id.toString("hex"));
      if (handle?.kind !== "folder") return sftp.status(reqId, STATUS_CODE.FAILURE);
      if (handle.isRead) return sftp.status(reqId, STATUS_CODE.EOF);
      handle.isRead = true;
      const folder = fsPathOf(handle.clientPath);
      const entries: FileEntry[] = readdirSync(folder).map((filename) => ({
        filename,
        longname: filename,
        attrs: attrsOf(statSync(path.join(folder, filename))),
      }));
      if (entries.length === 0) return sftp.status(reqId, STATUS_CODE.EOF);
      sftp.name(reqId, entries);
    });
    sftp.on("close", () => {
      for (const handle of handles.values()) if (handle.kind === "file") closeSync(handle.fd);
      handles.clear();
    });
  }

  function onClient(client: Connection, connection: number, socket: Socket): void {
    client.on("authentication", (ctx) => {
      const isKnown = users[ctx.username] !== undefined;
      if (ctx.method === "password" && !options.keyboardInteractiveOnly) {
        if (isKnown && users[ctx.username] === ctx.password) {
          state.logins.push(ctx.username);
          return ctx.accept();
        }
        return ctx.reject(["password"]);
      }
      if (ctx.method === "keyboard-interactive" && options.keyboardInteractiveOnly) {
        return ctx.prompt([{ prompt: "Password: ", echo: false }], (answers) => {
          if (isKnown && answers[0] === users[ctx.username]) {
            state.logins.push(ctx.username);
            ctx.accept();
          } else {
            ctx.reject(["keyboard-interactive"]);
          }
        });
      }
      ctx.reject(options.keyboardInteractiveOnly ? ["keyboard-interactive"] : ["password"]);
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        session.on("sftp", (acceptSftp) => serve(acceptSftp(), connection, socket));
      });
    });
    // A client that goes away mid-request is a normal event in these tests.
    client.on("error", () => {});
  }

  /** The number of each TCP connection, by socket (ssh2's server-side client keeps its socket as `_sock`). */
  const numbers = new WeakMap<Socket, number>();
  const sshServerFor = (privateKey: string) =>
    new Server({ hostKeys: [privateKey] }, (client) => {
      const socket = (client as unknown as { _sock: Socket })._sock;
      onClient(client, numbers.get(socket) ?? 0, socket);
    });
  let hostKey = makeHostKey();
  let sshServer = sshServerFor(hostKey.privateKey);
  const tcp = createServer((socket) => {
    numbers.set(socket, ++state.connectionCount);
    state.open.add(socket);
    socket.once("close", () => state.open.delete(socket));
    socket.on("error", () => {});
    // ssh2's server answers with several small writes; with Nagle on, each answer waited for the
    // client's delayed ACK (measured: ~45 ms per request on loopback instead of ~1 ms), which
    // would make every test slow and nothing more realistic.
    socket.setNoDelay(true);
    sshServer.injectSocket(socket);
  });
  await new Promise<void>((resolve) => tcp.listen(options.port ?? 0, host, resolve));
  const address = tcp.address() as AddressInfo;

  const listFiles = () => listClientFiles(root);

  return {
    host,
    port: address.port,
    root,
    get hostKeyFingerprint() {
      return hostKey.fingerprint;
    },
    changeHostKey() {
      hostKey = makeHostKey();
      sshServer = sshServerFor(hostKey.privateKey);
      return hostKey.fingerprint;
    },
    readOnlyPaths: state.readOnlyPaths,
    get dropNextUploadAfterBytes() {
      return state.dropNextUploadAfterBytes;
    },
    set dropNextUploadAfterBytes(value) {
      state.dropNextUploadAfterBytes = value;
    },
    get offersPosixRename() {
      return state.offersPosixRename;
    },
    set offersPosixRename(value) {
      state.offersPosixRename = value;
    },
    logins: state.logins,
    users,
    get connectionCount() {
      return state.connectionCount;
    },
    get openConnectionCount() {
      return state.open.size;
    },
    requests: state.requests,
    dropConnections() {
      for (const socket of state.open) socket.destroy();
    },
    listFiles,
    readFile: (clientPath) => readFileSync(fsPathOf(clientPath)),
    makeFolder: (clientPath) => mkdirSync(fsPathOf(clientPath), { recursive: true }),
    async close() {
      for (const socket of state.open) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (ownsRoot) rmSync(root, { recursive: true, force: true });
    },
  };
}
