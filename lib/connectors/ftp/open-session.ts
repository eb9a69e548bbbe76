import { ConnectorError } from "../errors";
import { FtpSession } from "./client";
import { FTP_SOCKET_TIMEOUT_MS, type FtpEndpoint, type RemoteFileSession } from "./session";

/**
 * Opens file sessions: the one place that picks the protocol by the endpoint's `security`, so
 * neither client.ts (FTP, FTPS) nor sftp.ts (SFTP) needs the other.
 */

/**
 * A new, unopened session for the endpoint's protocol: SFTP, or FTP(S) through basic-ftp.
 * sftp.ts (and ssh2 with it) is loaded only when an SFTP connection is used.
 */
export async function createRemoteFileSession(
  endpoint: Pick<FtpEndpoint, "security">,
  socketTimeoutMs: number,
): Promise<RemoteFileSession> {
  if (endpoint.security === "sftp") {
    const { SftpSession } = await import("./sftp");
    return new SftpSession(socketTimeoutMs);
  }
  return new FtpSession(socketTimeoutMs);
}

/**
 * A fresh session for one call: connects (TCP, then TLS or SSH as configured, the pinned
 * fingerprint or host key checked before the password leaves), logs in, runs `work`, and closes
 * the session whatever happens. The signal (the connector context's deadline) closes it
 * mid-command; every failure comes out as a ConnectorError. The connection test uses this (it
 * must prove a login of its own); deliveries borrow pooled sessions (pool.ts).
 */
export async function withFtpSession<T>(
  endpoint: FtpEndpoint,
  options: { signal: AbortSignal; socketTimeoutMs?: number },
  work: (session: RemoteFileSession) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  if (signal.aborted) throw new ConnectorError("retryable", "timeout");
  const session = await createRemoteFileSession(endpoint, options.socketTimeoutMs ?? FTP_SOCKET_TIMEOUT_MS);
  const onAbort = () => session.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await session.open(endpoint);
    return await work(session);
  } catch (error) {
    throw session.classifyError(error, { aborted: signal.aborted });
  } finally {
    signal.removeEventListener("abort", onAbort);
    session.close();
  }
}
