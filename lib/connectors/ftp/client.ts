import { createHash, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { posix } from "node:path";
import { Readable } from "node:stream";
import { type ConnectionOptions, TLSSocket } from "node:tls";
import { Client, FTPContext, FTPError } from "basic-ftp";
import { ConnectorError } from "../errors";
import type { FtpEndpoint, FtpPhase, RemoteFileSession } from "./session";

/**
 * Raw basic-ftp calls, and the one place where FTP failures become ConnectorErrors. SFTP (SSH file
 * transfer) sessions live in sftp.ts behind the same RemoteFileSession surface (session.ts);
 * open-session.ts picks one by the endpoint's `security`.
 * - basic-ftp: https://github.com/patrickjuchli/basic-ftp#readme — one client runs one command at
 *   a time ("the FTP protocol doesn't allow multiple requests in parallel"), so a session serves
 *   one call at a time: a fresh one per call (withFtpSession, open-session.ts), or one lent out by the session
 *   pool (pool.ts) to one delivery at a time. A client that failed is closed, never reused.
 * - Passive mode only: basic-ftp tries EPSV, then PASV, and refuses a PASV answer that points at
 *   another host than the control connection (FTP bounce), which also keeps data connections on
 *   the address the host guard checked.
 * - Reply codes: RFC 959 §4.2 (https://www.rfc-editor.org/rfc/rfc959#section-4.2); 4yz are
 *   transient, 5yz permanent. FTPS: RFC 4217 (explicit, AUTH TLS); implicit FTPS (port 990) is
 *   not standardised but still common.
 */

/** The server presented another certificate than the pinned one. */
export class CertificateMismatchError extends Error {
  readonly code = "CERT_FINGERPRINT_MISMATCH";
  constructor(presented: string | undefined) {
    super(`certificate fingerprint mismatch (server presented ${presented ?? "no certificate"})`);
    this.name = "CertificateMismatchError";
  }
}

/** "ab:cd…" / "ABCD…" → "AB:CD:…", the form Node's `fingerprint256` uses. */
export function normalizeFingerprint(value: string): string {
  const hex = value.replace(/[^0-9A-Fa-f]/g, "").toUpperCase();
  return hex.match(/../g)?.join(":") ?? hex;
}

/** The SHA-256 fingerprint of a PEM certificate, as `openssl x509 -fingerprint -sha256` prints it. */
export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function presentedFingerprint(socket: TLSSocket): string | undefined {
  const certificate = socket.getPeerCertificate();
  if (certificate?.raw) return normalizeFingerprint(createHash("sha256").update(certificate.raw).digest("hex"));
  return undefined;
}

/**
 * Data connections with a pinned certificate: they are made inside basic-ftp, so the check hooks
 * the moment the data socket is handed to the FTP context, before any byte is written (uploads
 * wait for the TLS handshake, and this listener runs first). A resumed session carries the
 * control connection's already checked identity.
 */
function pinDataConnections(ftp: FTPContext, fingerprint: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(FTPContext.prototype, "dataSocket");
  if (!descriptor?.get || !descriptor.set) throw new Error("basic-ftp changed: FTPContext.dataSocket has no accessor");
  const { get, set } = descriptor;
  Object.defineProperty(ftp, "dataSocket", {
    configurable: true,
    get() {
      return get.call(this);
    },
    set(socket: unknown) {
      set.call(this, socket);
      if (socket instanceof TLSSocket) {
        socket.once("secureConnect", () => {
          if (socket.isSessionReused()) return;
          const presented = presentedFingerprint(socket);
          if (presented !== fingerprint) socket.destroy(new CertificateMismatchError(presented));
        });
      }
    },
  });
}

function tlsOptionsFor(endpoint: FtpEndpoint): ConnectionOptions {
  return {
    // Connect to the checked address; check the certificate against the configured name.
    host: endpoint.address,
    ...(isIP(endpoint.hostname) === 0 ? { servername: endpoint.hostname } : {}),
    minVersion: "TLSv1.2",
    // A pinned fingerprint replaces the CA check (a self-signed certificate has no CA); it is
    // compared right after the handshake, before the password is sent.
    rejectUnauthorized: endpoint.certificateFingerprint === undefined,
  };
}

/**
 * One logged-in connection. It serves one call at a time: a check, a delivery or a read-back
 * (withFtpSession opens one per call; the pool lends one to consecutive deliveries). Every method
 * runs one command (or basic-ftp's short sequence for it) and is awaited before the next.
 */
export class FtpSession implements RemoteFileSession {
  /** Updated before every command, for classifying what fails. */
  phase: FtpPhase = "connect";
  /** FTP servers have no host key (FTPS certificates are checked in the TLS handshake). */
  readonly presentedHostKey = undefined;
  /** Commands that succeeded on this session; the pool compares it before and after a call. */
  completedCommands = 0;
  /** Folders that exist on the server as far as this session knows (it created or entered them). */
  private readonly knownFolders = new Set<string>();
  /** The folder the user landed in at login, asked before the session first changes folder. */
  private loginFolder: Promise<string> | undefined;

  private readonly client: Client;

  /** `socketTimeoutMs`: idle timeout of the control and data sockets (basic-ftp's own). */
  constructor(socketTimeoutMs: number) {
    this.client = new Client(socketTimeoutMs);
  }

  /** False once the client was closed, by us, by an error or by the server (basic-ftp's `closed`). */
  get isUsable(): boolean {
    return !this.client.closed;
  }

  /**
   * Connects (TCP, TLS as configured, pinned fingerprint checked before the password leaves) and
   * logs in. Throws what basic-ftp throws; `phase` says where it stopped.
   */
  async open(endpoint: FtpEndpoint): Promise<void> {
    await connectAndLogIn(this.client, this, endpoint);
    // After login the control socket is the final one (TLS already negotiated). basic-ftp reads
    // it too; a second listener only counts.
    this.client.ftp.socket.on("data", () => {
      this.controlReplies++;
    });
  }

  /** Reply chunks on the control connection since login (see RemoteFileSession.repliesReceived). */
  private controlReplies = 0;

  get repliesReceived(): number {
    return this.controlReplies;
  }

  /** Closes the client (QUIT, then the socket); safe to call more than once. */
  close(): void {
    this.client.close();
  }

  classifyError(error: unknown, options: { aborted: boolean }): ConnectorError {
    return classifyFtpError(error, this.phase, options);
  }

  isRefusal(error: unknown): boolean {
    return isRefusal(error);
  }

  /**
   * Whether an idle session keeps the process alive: a pooled session waiting for its next
   * delivery must not hold a script or a test run open.
   */
  setKeepsProcessAlive(keepsAlive: boolean): void {
    const socket = this.client.ftp.socket;
    if (keepsAlive) socket.ref();
    else socket.unref();
  }

  /** The folder the user lands in after login (base for relative base folders), asked once. */
  async currentFolder(): Promise<string> {
    this.phase = "folder";
    if (this.loginFolder) return this.loginFolder;
    this.loginFolder = this.client.pwd();
    const folder = await this.loginFolder;
    this.completedCommands++;
    return folder;
  }

  /**
   * Creates the folder and its parents where missing, and enters it (basic-ftp's ensureDir: one
   * CWD per level, MKD where one fails). A folder this session made sure of before costs nothing:
   * every path we send is absolute, so the session need not be in it. Against a remote server
   * each command is a round trip, and a bulk send writes hundreds of files into a few folders.
   * When a write into a known folder fails (an importer or admin removed the folder since), the
   * connector forgets the folders and makes sure of them again (index.ts, deliver).
   */
  async ensureFolder(absolutePath: string): Promise<void> {
    this.phase = "folder";
    if (this.knownFolders.has(absolutePath)) return;
    if (!this.loginFolder) {
      // Entering folders moves away from the login folder: remember it first, for later calls
      // with a relative base folder. A server that refuses PWD only matters to those.
      this.loginFolder = this.client.pwd();
      await this.loginFolder.then(
        () => this.completedCommands++,
        () => undefined,
      );
    }
    await this.client.ensureDir(absolutePath);
    this.completedCommands++;
    for (let folder = absolutePath; folder !== "/" && folder !== "."; folder = posix.dirname(folder)) {
      this.knownFolders.add(folder);
    }
  }

  forgetFolders(): void {
    this.knownFolders.clear();
  }

  /** Writes the bytes to the path, replacing a file of that name (STOR). */
  async upload(content: Uint8Array, absolutePath: string): Promise<void> {
    this.phase = "upload";
    // A view of the same bytes, not a copy.
    const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    await this.client.uploadFrom(Readable.from([bytes]), absolutePath);
    this.completedCommands++;
  }

  /**
   * RNFR/RNTO. Most servers replace a file at the target; some (IIS, a few appliances) refuse one
   * that exists: then, only when the server refused (the session stands) and the target really is
   * there, the old file is removed (SIZE, DELE) and the rename repeated.
   */
  async rename(fromPath: string, toPath: string): Promise<void> {
    this.phase = "rename";
    try {
      await this.client.rename(fromPath, toPath);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      this.completedCommands++;
      if ((await this.sizeOf(toPath)) === null) throw error;
      await this.remove(toPath);
      this.phase = "rename";
      await this.client.rename(fromPath, toPath);
    }
    this.completedCommands++;
  }

  async remove(absolutePath: string): Promise<void> {
    this.phase = "remove";
    await this.client.remove(absolutePath);
    this.completedCommands++;
  }

  /**
   * The size of a file, or null when there is none (550). Servers without SIZE (500/502) are
   * asked through a listing of the folder instead.
   */
  async sizeOf(absolutePath: string): Promise<number | null> {
    this.phase = "inspect";
    try {
      const size = await this.client.size(absolutePath);
      this.completedCommands++;
      return size;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      this.completedCommands++;
      if (error.code === 550) return null;
      if (error.code !== 500 && error.code !== 502) throw error;
    }
    const slash = absolutePath.lastIndexOf("/");
    const names = await this.listFolder(absolutePath.slice(0, Math.max(slash, 1)));
    return names?.get(absolutePath.slice(slash + 1)) ?? null;
  }

  /**
   * File names and sizes in a folder, or null when the server answers the listing with an error
   * reply (a folder that is gone or unreadable; servers differ: 550, 451…). Broken connections
   * (and 421, the server closing the session) still throw.
   */
  async listFolder(absolutePath: string): Promise<Map<string, number> | null> {
    this.phase = "inspect";
    try {
      const entries = await this.client.list(absolutePath);
      this.completedCommands++;
      return new Map(entries.filter((entry) => entry.isFile).map((entry) => [entry.name, entry.size]));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      this.completedCommands++;
      return null;
    }
  }
}

/**
 * An FTP reply that refuses one command and leaves the session usable. 421 is not one: the
 * server says it is closing the connection (RFC 959 §4.2), often an idle session timed out.
 */
function isRefusal(error: unknown): error is FTPError {
  return error instanceof FTPError && error.code !== 421;
}

async function connectAndLogIn(client: Client, session: FtpSession, endpoint: FtpEndpoint): Promise<void> {
  // Never fall through to plain FTP (a password in clear) for an endpoint meant for SSH.
  if (endpoint.security === "sftp") throw new Error("FtpSession does not speak SFTP; use createRemoteFileSession");
  const tls = tlsOptionsFor(endpoint);
  session.phase = endpoint.security === "implicit" ? "tls" : "connect";
  if (endpoint.security === "implicit") {
    await client.connectImplicitTLS(endpoint.address, endpoint.port, tls);
  } else {
    await client.connect(endpoint.address, endpoint.port);
    if (endpoint.security === "explicit") {
      session.phase = "tls";
      // biome-ignore lint/correctness/useHookAtTopLevel: basic-ftp's useTLS is no React hook.
      await client.useTLS(tls);
    }
  }
  if (endpoint.security !== "plain" && endpoint.certificateFingerprint) {
    session.phase = "tls";
    const socket = client.ftp.socket;
    const presented = socket instanceof TLSSocket ? presentedFingerprint(socket) : undefined;
    if (presented !== normalizeFingerprint(endpoint.certificateFingerprint)) {
      throw new CertificateMismatchError(presented);
    }
    pinDataConnections(client.ftp, presented);
  }
  session.phase = "login";
  // Some servers expect UTF-8 before login (user names with accents); others refuse it, which is fine.
  await client.sendIgnoringError("OPTS UTF8 ON");
  await client.login(endpoint.username, endpoint.password);
  session.phase = "setup";
  // biome-ignore lint/correctness/useHookAtTopLevel: basic-ftp's useDefaultSettings is no React hook.
  await client.useDefaultSettings();
}

const TLS_ERROR_CODES = new Set([
  "CERT_FINGERPRINT_MISMATCH",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

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

/** Reply codes RFC 959 calls transient, plus those the issue names: retry later. */
const TRANSIENT_REPLIES = new Set([421, 425, 426, 450, 451, 452]);

function vendorDetailOf(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // An FTP reply's text starts with its code already.
    return code !== undefined && !(error instanceof FTPError) ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Classifies anything an FTP session threw, once (conventions §4, "Errors"):
 * - network errors, timeouts and replies 421/425/426/450/451 (4yz in general) → retryable;
 * - 530 → auth `login_failed` (the connection needs re-authorisation), unless the server says it
 *   wants TLS first (→ `tls_failed`);
 * - TLS trouble: untrusted or mismatching certificate, no FTPS on this server → permanent `tls_failed`;
 * - 550 → permanent `permission_denied`, 553 → `file_refused`, other 5yz → `server_refused`.
 * The server's own text only travels in vendorDetail (logs); the UI shows our message key.
 */
export function classifyFtpError(error: unknown, phase: FtpPhase, options: { aborted?: boolean } = {}): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const vendorDetail = `${phase}: ${vendorDetailOf(error)}`.slice(0, 500);
  const make = (kind: ConnectorError["kind"], code: ConnectorError["code"]) =>
    new ConnectorError(kind, code, { vendorDetail, cause: error });
  if (options.aborted) return make("retryable", "timeout");

  if (error instanceof FTPError) {
    const reply = error.code;
    if (reply === 530) {
      return /\b(?:TLS|SSL|encrypt|secure|AUTH)/i.test(error.message)
        ? make("permanent", "tls_failed")
        : make("auth", "login_failed");
    }
    if (TRANSIENT_REPLIES.has(reply) || (reply >= 400 && reply < 500)) return make("retryable", "server_error");
    if (phase === "tls") return make("permanent", "tls_failed");
    if (phase === "login") {
      // 331-then-refused, 332 (account needed), 5xx to USER/PASS: the credentials do not work.
      return reply === 332 || reply >= 500 ? make("auth", "login_failed") : make("retryable", "server_error");
    }
    if (reply === 550) return make("permanent", "permission_denied");
    if (reply === 553) return make("permanent", "file_refused");
    if (reply >= 500) return make("permanent", "server_refused");
    return make("retryable", "server_error");
  }

  // upgradeSocket rejects with the socket's authorizationError, which can be a bare string code.
  const code = typeof error === "string" ? error : (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code && (TLS_ERROR_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"))) {
    return make("permanent", "tls_failed");
  }
  if (code === "ECONNREFUSED") return make("retryable", "connection_refused");
  if (code === "ENOTFOUND") return make("permanent", "host_not_found");
  if (code === "ETIMEDOUT" || /\btimeout\b/i.test(message)) return make("retryable", "timeout");
  if (code && NETWORK_ERROR_CODES.has(code)) {
    // Cut off in the middle of a TLS handshake: said as TLS trouble, but worth another try.
    return phase === "tls" ? make("retryable", "tls_failed") : make("retryable", "network");
  }
  if (/ECONNRESET|EPIPE|closed|FIN packet|socket hang up|data connection/i.test(message)) {
    return make("retryable", "network");
  }
  if (phase === "tls") return make("permanent", "tls_failed");
  return make("retryable", "unknown");
}
