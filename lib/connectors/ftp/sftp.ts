import { Socket } from "node:net";
import { posix } from "node:path";
import { Client, type FileEntry, type SFTPWrapper, type Stats } from "ssh2";
import { ConnectorError } from "../errors";
import { hostKeyFingerprintOf, hostKeyMismatch } from "./host-key";
import type { FtpEndpoint, FtpPhase, RemoteFileSession } from "./session";

/**
 * SFTP (SSH file transfer) sessions on ssh2, behind the same surface as FtpSession, and the one
 * place where SSH and SFTP failures become ConnectorErrors.
 * - ssh2 client and its SFTP methods: https://github.com/mscdex/ssh2#client-methods and
 *   https://github.com/mscdex/ssh2/blob/master/SFTP.md. One session runs one command at a time
 *   (the pool's rule for every session); only an upload keeps several WRITE requests in flight on
 *   its own file handle, which SFTP allows (requests carry ids, draft-ietf-secsh-filexfer-02 §3).
 * - SFTP version 3 (what OpenSSH and most hosted servers speak):
 *   https://datatracker.ietf.org/doc/html/draft-ietf-secsh-filexfer-02 — status codes §7; RENAME
 *   fails when the target exists (§6.5), so renames use OpenSSH's `posix-rename@openssh.com`
 *   (https://github.com/openssh/openssh-portable/blob/master/PROTOCOL §4.3) when the server offers
 *   it, else remove the target and rename.
 * - Host keys: SSH has no certificate authorities; the key the server proves it holds in the key
 *   exchange is compared with the trusted fingerprint (host-key.ts) in ssh2's hostVerifier, which
 *   runs before user authentication: a wrong key never sees the password.
 * - The TCP connection goes to the host guard's checked address (our own socket, handed to ssh2),
 *   never to the name again.
 */

/** SSH_FX_* status codes: draft-ietf-secsh-filexfer-02 §7, and 11+ from later drafts that some servers send. */
export const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
  FILE_ALREADY_EXISTS: 11,
  WRITE_PROTECT: 12,
  NO_SPACE_ON_FILESYSTEM: 14,
  QUOTA_EXCEEDED: 15,
} as const;

/** SSH_DISCONNECT_* reason codes a server may send (RFC 4253 §11.1). */
const DISCONNECT = { KEY_EXCHANGE_FAILED: 3, PROTOCOL_VERSION_NOT_SUPPORTED: 8, NO_MORE_AUTH_METHODS_AVAILABLE: 14 };

/** Connecting, the key exchange and the login together (ssh2's readyTimeout). */
export const SFTP_READY_TIMEOUT_MS = 20_000;
/** WRITE requests in flight per upload: one round trip per chunk would make a 10 MB file take minutes over a slow line. */
const UPLOAD_REQUESTS_IN_FLIGHT = 16;
const UPLOAD_CHUNK_BYTES = 32 * 1024;
/** A closed session's socket is destroyed after this, if the server does not hang up first. */
const CLOSE_GRACE_MS = 2_000;

/** The socket saw no traffic for the idle bound while a command waited for its answer. */
export class SftpIdleTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(phase: FtpPhase) {
    super(`no answer from the SFTP server (${phase})`);
    this.name = "SftpIdleTimeoutError";
  }
}

type SftpErrorFields = { code?: unknown; level?: unknown };

/** An SFTP status answer (an Error with the numeric SSH_FX code; ssh2 sets no level on these). */
function statusOf(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, level } = error as SftpErrorFields;
  return typeof code === "number" && level === undefined ? code : undefined;
}

function isFolderStats(stats: Stats): boolean {
  // A server may leave the permissions out of its attributes: then a name that exists counts.
  return stats.mode === undefined || (stats.mode & 0o170000) === 0o040000;
}

function isFileEntry(entry: FileEntry): boolean {
  if (entry.filename === "." || entry.filename === "..") return false;
  const mode = entry.attrs.mode;
  return mode === undefined || (mode & 0o170000) === 0o100000;
}

/** Writes the bytes at offset 0 onwards with up to UPLOAD_REQUESTS_IN_FLIGHT requests outstanding. */
function writeAll(sftp: SFTPWrapper, handle: Buffer, bytes: Buffer, done: (error: Error | null) => void): void {
  if (bytes.length === 0) {
    done(null);
    return;
  }
  let next = 0;
  let inFlight = 0;
  let hasFailed = false;
  const pump = () => {
    while (!hasFailed && inFlight < UPLOAD_REQUESTS_IN_FLIGHT && next < bytes.length) {
      const offset = next;
      const length = Math.min(UPLOAD_CHUNK_BYTES, bytes.length - offset);
      next += length;
      inFlight++;
      sftp.write(handle, bytes, offset, length, offset, (error) => {
        inFlight--;
        if (hasFailed) return;
        if (error) {
          hasFailed = true;
          done(error);
        } else if (next >= bytes.length && inFlight === 0) {
          done(null);
        } else {
          pump();
        }
      });
    }
  };
  pump();
}

/**
 * One logged-in SSH connection with its SFTP channel. Every command waits for its answer, bounded
 * by the idle timeout (no traffic at all for that long closes the session); the caller's signal
 * closes it at the deadline (withFtpSession, the pool).
 */
export class SftpSession implements RemoteFileSession {
  phase: FtpPhase = "connect";
  completedCommands = 0;
  /** Every SFTP request is answered once: an answer is a completed command (or its refusal). */
  get repliesReceived(): number {
    return this.completedCommands;
  }
  /** The host key the server presented in the first key exchange ("SHA256:…"). */
  presentedHostKey: string | undefined;
  private readonly client = new Client();
  private socket: Socket | undefined;
  private sftp: SFTPWrapper | undefined;
  /** Why the session ended (the first error, or our close); set once. */
  private endedBy: Error | undefined;
  /** Fails the command in progress when the connection ends under it. */
  private failCommand: ((reason: Error) => void) | undefined;
  /** Folders that exist on the server as far as this session knows (it made sure of them). */
  private readonly knownFolders = new Set<string>();
  private loginFolder: Promise<string> | undefined;
  /** Whether the server's SSH identification line arrived (ssh2 says so only through its debug output). */
  private hasSshIdent = false;

  constructor(private readonly idleTimeoutMs: number) {
    // ssh2 reports failures as events; one without a listener would crash the process.
    this.client.on("error", (error: Error) => this.end(error, false));
    this.client.on("close", () => this.end(new Error("SSH connection closed by the server"), false));
  }

  get isUsable(): boolean {
    return this.sftp !== undefined && this.endedBy === undefined;
  }

  /**
   * Connects to the checked address, runs the key exchange (the host key checked against
   * `endpoint.hostKeyFingerprint` when given), logs in with the password (also answering a
   * keyboard-interactive password prompt, which some servers use instead), and opens the SFTP
   * channel. Throws ssh2's errors, or host_key_mismatch; `phase` says where it stopped.
   */
  async open(endpoint: FtpEndpoint): Promise<void> {
    if (endpoint.security !== "sftp") throw new Error("SftpSession only speaks SFTP");
    const socket = new Socket();
    this.socket = socket;
    // SFTP is request/answer: Nagle would hold each small request for the peer's delayed ACK.
    socket.setNoDelay(true);
    socket.on("timeout", () => this.end(new SftpIdleTimeoutError(this.phase), false));
    const trusted = endpoint.hostKeyFingerprint;
    let rejectedKey: string | undefined;

    try {
      await this.command<void>("connect", (done) => {
        socket.once("connect", () => {
          this.phase = "handshake";
        });
        this.client.once("handshake", () => {
          this.phase = "login";
        });
        this.client.once("ready", () => done(null));
        this.client.on("keyboard-interactive", (_name, _instructions, _language, prompts, finish) => {
          // A password asked as one hidden question; anything else is not ours to answer.
          finish(prompts.length === 1 && prompts[0]?.echo === false ? [endpoint.password] : []);
        });
        // Connect first: ssh2 treats a socket that is not connecting as connected already.
        socket.connect({ host: endpoint.address, port: endpoint.port });
        this.client.connect({
          sock: socket,
          username: endpoint.username,
          password: endpoint.password,
          tryKeyboard: true,
          readyTimeout: SFTP_READY_TIMEOUT_MS,
          keepaliveInterval: 0,
          debug: (message: string) => {
            if (!this.hasSshIdent && message.startsWith("Remote ident")) this.hasSshIdent = true;
          },
          hostVerifier: (key: Buffer) => {
            const presented = hostKeyFingerprintOf(key);
            // A re-key later in the session must show the key of the first exchange.
            const expected = trusted ?? this.presentedHostKey;
            this.presentedHostKey ??= presented;
            if (expected !== undefined && presented !== expected) {
              rejectedKey = presented;
              return false;
            }
            return true;
          },
        });
      });
    } catch (error) {
      if (rejectedKey !== undefined) throw hostKeyMismatch(trusted ?? "(first key)", rejectedKey);
      throw error;
    }

    const sftp = await this.command<SFTPWrapper>("setup", (done) => this.client.sftp(done));
    sftp.on("close", () => this.end(new Error("SFTP channel closed by the server"), false));
    this.sftp = sftp;
  }

  /** Says goodbye (SSH disconnect, then FIN) and drops the socket soon after; safe to call more than once. */
  close(): void {
    this.end(new Error("SFTP session closed"), true);
  }

  setKeepsProcessAlive(keepsAlive: boolean): void {
    if (keepsAlive) this.socket?.ref();
    else this.socket?.unref();
  }

  /**
   * As classifySftpError, plus what only the session knows: a server that sent bytes but never an
   * SSH identification line by the time the connection ended (timeout, deadline) is no SSH
   * server, typically an FTP server on the port (sftp chosen by mistake): `ssh_failed`, not a
   * timeout to wait out. (ssh2 keeps waiting through an FTP greeting, taking it for a banner.)
   */
  isRefusal(error: unknown): boolean {
    return statusOf(error) !== undefined && this.isUsable;
  }

  classifyError(error: unknown, options: { aborted: boolean }): ConnectorError {
    const isSilentlyNotSsh =
      !(error instanceof ConnectorError) &&
      (this.phase === "handshake" || this.phase === "connect") &&
      !this.hasSshIdent &&
      (this.socket?.bytesRead ?? 0) > 0;
    if (isSilentlyNotSsh) {
      return new ConnectorError("permanent", "ssh_failed", {
        vendorDetail: `handshake: the server sent ${this.socket?.bytesRead} bytes but no SSH identification`,
        cause: error,
      });
    }
    return classifySftpError(error, this.phase, options);
  }

  /** The folder the user lands in after login (realpath of "."), asked once. */
  async currentFolder(): Promise<string> {
    this.phase = "folder";
    this.loginFolder ??= this.command<string>("folder", (done) => this.channel().realpath(".", done));
    try {
      return await this.loginFolder;
    } catch (error) {
      this.loginFolder = undefined;
      throw error;
    }
  }

  /**
   * Creates the folder and its parents where missing: walks up from the folder to the deepest one
   * that exists (one STAT when it exists already), then MKDIR each missing level going down. A
   * folder this session made sure of before costs nothing (see RemoteFileSession.ensureFolder):
   * when a write into it fails, the connector forgets the folders and walks again.
   */
  async ensureFolder(absolutePath: string): Promise<void> {
    this.phase = "folder";
    if (this.knownFolders.has(absolutePath)) return;
    const missing: string[] = [];
    for (let folder = absolutePath; folder !== "/" && folder !== "."; folder = posix.dirname(folder)) {
      if (this.knownFolders.has(folder) || (await this.isFolder(folder))) break;
      missing.unshift(folder);
    }
    for (const folder of missing) await this.makeFolder(folder);
    for (let folder = absolutePath; folder !== "/" && folder !== "."; folder = posix.dirname(folder)) {
      this.knownFolders.add(folder);
    }
  }

  forgetFolders(): void {
    this.knownFolders.clear();
  }

  /** Writes the bytes to the path (OPEN with create and truncate, WRITEs, CLOSE), replacing a file of that name. */
  async upload(content: Uint8Array, absolutePath: string): Promise<void> {
    // A view of the same bytes, not a copy.
    const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const sftp = this.channel();
    const handle = await this.command<Buffer>("upload", (done) => sftp.open(absolutePath, "w", done));
    try {
      await this.command<void>("upload", (done) => writeAll(sftp, handle, bytes, done));
    } catch (error) {
      // Frees the server's handle when the connection still stands; the write's error is what counts.
      if (this.isUsable) await this.command<void>("upload", (done) => sftp.close(handle, done)).catch(() => undefined);
      throw error;
    }
    // The CLOSE answer is where some servers report a failed flush (a full disk).
    await this.command<void>("upload", (done) => sftp.close(handle, done));
  }

  /**
   * Renames, replacing a file at the target: `posix-rename@openssh.com` when the server offers it
   * (one atomic step), else RENAME, and when that is refused because the target exists, REMOVE
   * and RENAME again.
   */
  async rename(fromPath: string, toPath: string): Promise<void> {
    const sftp = this.channel();
    const isDone = await this.command<boolean>("rename", (done) => {
      try {
        sftp.ext_openssh_rename(fromPath, toPath, (error) => done(error ?? null, true));
      } catch (error) {
        // ssh2 refuses before sending anything when the server did not offer the extension.
        if (error instanceof Error && /does not support/i.test(error.message)) done(null, false);
        else throw error;
      }
    });
    if (isDone) return;
    try {
      await this.command<void>("rename", (done) => sftp.rename(fromPath, toPath, done));
    } catch (error) {
      const status = statusOf(error);
      if (status !== SFTP_STATUS.FAILURE && status !== SFTP_STATUS.FILE_ALREADY_EXISTS) throw error;
      if ((await this.sizeOf(toPath)) === null) throw error;
      await this.remove(toPath);
      await this.command<void>("rename", (done) => sftp.rename(fromPath, toPath, done));
    }
  }

  async remove(absolutePath: string): Promise<void> {
    const sftp = this.channel();
    await this.command<void>("remove", (done) => sftp.unlink(absolutePath, done));
  }

  /**
   * The size of a file, or null when there is none (NO_SUCH_FILE). A server that leaves the size
   * out of its attributes also gives null: the delivery then writes and renames again, which the
   * rename's replacing makes harmless.
   */
  async sizeOf(absolutePath: string): Promise<number | null> {
    const sftp = this.channel();
    try {
      const stats = await this.command<Stats>("inspect", (done) => sftp.stat(absolutePath, done));
      return stats.size ?? null;
    } catch (error) {
      if (statusOf(error) === SFTP_STATUS.NO_SUCH_FILE) return null;
      throw error;
    }
  }

  /**
   * File names and sizes in a folder, or null when the server answers the listing with a status
   * (a folder that is gone or unreadable). A broken connection still throws.
   */
  async listFolder(absolutePath: string): Promise<Map<string, number> | null> {
    const sftp = this.channel();
    try {
      const entries = await this.command<FileEntry[]>("inspect", (done) => sftp.readdir(absolutePath, done));
      return new Map(entries.filter(isFileEntry).map((entry) => [entry.filename, entry.attrs.size ?? 0]));
    } catch (error) {
      if (statusOf(error) !== undefined) return null;
      throw error;
    }
  }

  private channel(): SFTPWrapper {
    if (!this.sftp) throw this.endedBy ?? new Error("SFTP session is not open");
    return this.sftp;
  }

  private async isFolder(absolutePath: string): Promise<boolean> {
    const sftp = this.channel();
    try {
      return isFolderStats(await this.command<Stats>("folder", (done) => sftp.stat(absolutePath, done)));
    } catch (error) {
      if (statusOf(error) === SFTP_STATUS.NO_SUCH_FILE) return false;
      throw error;
    }
  }

  /** MKDIR; refused because the name exists (another delivery made it meanwhile) is fine if it is a folder. */
  private async makeFolder(absolutePath: string): Promise<void> {
    const sftp = this.channel();
    try {
      await this.command<void>("folder", (done) => sftp.mkdir(absolutePath, done));
    } catch (error) {
      const status = statusOf(error);
      const mayExist = status === SFTP_STATUS.FAILURE || status === SFTP_STATUS.FILE_ALREADY_EXISTS;
      if (!mayExist || !(await this.isFolder(absolutePath))) throw error;
    }
  }

  /**
   * Runs one command: sets the phase, arms the idle bound, and settles with its answer, or with
   * the reason the connection ended under it. Every answer of the server (a status refusal too)
   * counts as a completed command: the session was alive.
   */
  private command<T>(
    phase: FtpPhase,
    start: (done: (error: Error | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    this.phase = phase;
    if (this.endedBy) return Promise.reject(this.endedBy);
    return new Promise<T>((resolve, reject) => {
      let isSettled = false;
      const settle = (error: unknown, value?: T) => {
        if (isSettled) return;
        isSettled = true;
        this.failCommand = undefined;
        this.socket?.setTimeout(0);
        if (error === null || error === undefined) {
          this.completedCommands++;
          resolve(value as T);
        } else {
          if (statusOf(error) !== undefined) this.completedCommands++;
          reject(error);
        }
      };
      this.failCommand = (reason) => settle(reason);
      this.socket?.setTimeout(this.idleTimeoutMs);
      try {
        start((error, value) => settle(error ?? null, value));
      } catch (error) {
        settle(error);
      }
    });
  }

  /** Ends the session once: fails the command in progress, then closes politely or drops the socket. */
  private end(reason: Error, isOurClose: boolean): void {
    if (this.endedBy) return;
    this.endedBy = reason;
    this.failCommand?.(reason);
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    if (isOurClose && this.sftp && socket.writable) {
      this.client.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      socket.once("close", () => clearTimeout(timer));
    } else {
      socket.destroy();
    }
  }
}

const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "EAI_AGAIN",
]);

function vendorDetailOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, level } = error as SftpErrorFields;
  const parts = [level, code].filter((part) => part !== undefined).map(String);
  return parts.length > 0 ? `${parts.join(" ")} ${error.message}` : error.message;
}

/**
 * Classifies anything an SFTP session threw, once (conventions §4, "Errors"):
 * - authentication refused ("All configured authentication methods failed", or the server
 *   disconnecting with "no more auth methods") → auth `login_failed`;
 * - SFTP status answers: PERMISSION_DENIED, WRITE_PROTECT → permanent `permission_denied`;
 *   NO_SUCH_FILE (outside sizeOf and listings, where it means "none") → retryable `server_error`,
 *   since a retry walks the folders again; NO_CONNECTION, CONNECTION_LOST → retryable `network`;
 *   FAILURE, OP_UNSUPPORTED and the rest → permanent `server_refused`;
 * - no SSH session (no common algorithms, not an SSH server on that port, protocol version) →
 *   permanent `ssh_failed`; a host key other than the trusted one → permanent `host_key_mismatch`
 *   (thrown as such by the session and host-key.ts);
 * - ECONNREFUSED → retryable `connection_refused`; ENOTFOUND → permanent `host_not_found`;
 *   timeouts (idle bound, readyTimeout, the deadline) → retryable `timeout`; resets, a connection
 *   lost before or during the handshake, a server hanging up → retryable `network`.
 * ssh2's own text only travels in vendorDetail (logs); the UI shows our message key.
 */
export function classifySftpError(
  error: unknown,
  phase: FtpPhase,
  options: { aborted?: boolean } = {},
): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const vendorDetail = `${phase}: ${vendorDetailOf(error)}`.slice(0, 500);
  const make = (kind: ConnectorError["kind"], code: ConnectorError["code"]) =>
    new ConnectorError(kind, code, { vendorDetail, cause: error });
  if (options.aborted) return make("retryable", "timeout");

  const { code, level } = (error instanceof Error ? error : {}) as SftpErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  if (level === "client-authentication") return make("auth", "login_failed");

  const status = statusOf(error);
  if (status !== undefined) {
    switch (status) {
      case SFTP_STATUS.PERMISSION_DENIED:
      case SFTP_STATUS.WRITE_PROTECT:
        return make("permanent", "permission_denied");
      case SFTP_STATUS.NO_SUCH_FILE:
        return make("retryable", "server_error");
      case SFTP_STATUS.NO_CONNECTION:
      case SFTP_STATUS.CONNECTION_LOST:
        return make("retryable", "network");
      default:
        return make("permanent", "server_refused");
    }
  }

  if (level === "client-ssh") {
    // The server sent SSH_MSG_DISCONNECT; `code` is its reason.
    if (code === DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE) return make("auth", "login_failed");
    if (code === DISCONNECT.KEY_EXCHANGE_FAILED || code === DISCONNECT.PROTOCOL_VERSION_NOT_SUPPORTED) {
      return make("permanent", "ssh_failed");
    }
    return make("retryable", "network");
  }
  if (error instanceof SftpIdleTimeoutError || level === "client-timeout") return make("retryable", "timeout");
  if (code === "ECONNREFUSED") return make("retryable", "connection_refused");
  if (code === "ENOTFOUND") return make("permanent", "host_not_found");
  if (code === "ETIMEDOUT") return make("retryable", "timeout");
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return make("retryable", "network");
  // Cut off before the server said anything: a restart, a connection limit (OpenSSH MaxStartups).
  if (/Connection lost before handshake/i.test(message)) return make("retryable", "network");
  // Key exchange found nothing in common, or the peer is no SSH server (its first line was no SSH ident).
  if (
    level === "handshake" ||
    /Invalid identification string|Invalid header|Header line too long|Max greeting lines/i.test(message)
  ) {
    return make("permanent", "ssh_failed");
  }
  if (/closed|No response from server|ECONNRESET|EPIPE/i.test(message)) return make("retryable", "network");
  if (phase === "handshake") return make("permanent", "ssh_failed");
  return make("retryable", "unknown");
}
