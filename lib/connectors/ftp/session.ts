import type { ConnectorError } from "../errors";
import type { FtpSecurity } from "./config";

/**
 * The session surface both file protocols implement, FTP(S) (client.ts) and SFTP (sftp.ts), and
 * what they share. It imports neither: open-session.ts picks the protocol and the pool, the
 * connector and the read-back work against this surface only.
 */

/** Where and as whom to connect. `address` is the host guard's checked address. */
export type FtpEndpoint = {
  /** The host as configured: checked against the certificate (and sent as SNI). */
  hostname: string;
  address: string;
  port: number;
  security: FtpSecurity;
  /** FTPS: pinned SHA-256 certificate fingerprint, "AB:CD:…" upper case; replaces the CA check when given. */
  certificateFingerprint?: string;
  /**
   * SFTP: the host key the server must present ("SHA256:…", host-key.ts), checked in the key
   * exchange before the password is sent. Undefined on first use: any key, pinned after login.
   */
  hostKeyFingerprint?: string;
  username: string;
  password: string;
};

/** What the session was doing when something failed: decides how a reply code is read. */
export type FtpPhase =
  | "connect"
  | "tls"
  | "handshake"
  | "login"
  | "setup"
  | "folder"
  | "upload"
  | "rename"
  | "inspect"
  | "remove";

/**
 * One logged-in connection to a file server, FTP(S) (FtpSession in client.ts) or SFTP (SftpSession
 * in sftp.ts). It serves one call at a time and one command at a time: every method is awaited
 * before the next one starts. Paths are absolute, "/"-separated. A session that failed in any way
 * is closed by its owner and never used again (withFtpSession, the pool).
 */
export interface RemoteFileSession {
  /** Updated before every command, for classifying what fails. */
  phase: FtpPhase;
  /** Commands the server answered on this session; the pool compares it before and after a call. */
  completedCommands: number;
  /**
   * Answers the server sent on this session, also of commands that then failed (an FTP reply
   * before the data connection broke). With completedCommands the pool tells a session that was
   * dead before a call started from one that broke during it.
   */
  readonly repliesReceived: number;
  /** False once the connection was closed, by us, by an error or by the server. */
  readonly isUsable: boolean;
  /** SFTP: the host key the server presented ("SHA256:…"), once the key exchange saw it. */
  readonly presentedHostKey: string | undefined;
  /** Connects to the endpoint's checked address and logs in; throws the library's own errors. */
  open(endpoint: FtpEndpoint): Promise<void>;
  /** Closes the connection; safe to call more than once, also mid-command (the deadline). */
  close(): void;
  /** Whether an idle session keeps the process alive (a pooled one waiting must not). */
  setKeepsProcessAlive(keepsAlive: boolean): void;
  /** The folder the user lands in after login (base for relative base folders), asked once. */
  currentFolder(): Promise<string>;
  /**
   * Creates the folder and its parents where missing. A folder this session made sure of before
   * costs no command: the session trusts what it knows until `forgetFolders`.
   */
  ensureFolder(absolutePath: string): Promise<void>;
  /** Drops what the session knows about folders (one it knew may have been removed since). */
  forgetFolders(): void;
  /** Writes the bytes to the path, replacing a file of that name. */
  upload(content: Uint8Array, absolutePath: string): Promise<void>;
  /** Renames a file, replacing a file already at the target. */
  rename(fromPath: string, toPath: string): Promise<void>;
  remove(absolutePath: string): Promise<void>;
  /** The size of a file, or null when there is none. */
  sizeOf(absolutePath: string): Promise<number | null>;
  /** File names and sizes in a folder, or null when the server refuses the listing. */
  listFolder(absolutePath: string): Promise<Map<string, number> | null>;
  /** Anything this session threw, as a ConnectorError (the protocol's own classification). */
  classifyError(error: unknown, options: { aborted: boolean }): ConnectorError;
  /**
   * Whether the error is the server refusing one command, the session staying usable (an FTP
   * reply other than 421, an SFTP status answer), rather than the connection failing.
   */
  isRefusal(error: unknown): boolean;
}

/**
 * Idle timeout of a session's sockets (FTP control and data, the SSH connection); the context's
 * signal bounds the whole call.
 */
export const FTP_SOCKET_TIMEOUT_MS = 15_000;
