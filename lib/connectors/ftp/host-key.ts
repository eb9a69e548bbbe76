import { createHash } from "node:crypto";
import { ConnectorError } from "../errors";
import type { ConnectorContext } from "../types";
import type { FtpSecrets, FtpSettings, PinnedHostKey } from "./config";

/**
 * Which SSH host key an SFTP connection trusts. SSH has no certificate authorities: a server is
 * known by its host key, so the first connection has to take the key on trust (as `ssh` asks "Are
 * you sure you want to continue connecting?"), and every later one must see the same key.
 * - A fingerprint typed in the settings wins: exactly that key is accepted.
 * - Otherwise the key pinned for this host and port (secret `pinnedHostKey`) must be presented.
 * - Otherwise (first use) the key presented is accepted, and once the login succeeded it is
 *   pinned through ctx.rotateSecrets: under the connection's row lock, so two first connections
 *   racing from two processes agree on one key (the second compares with what the first stored).
 * - A connection made with a typed fingerprint pins that key too, so clearing the field later
 *   keeps trusting the key the admin confirmed instead of an older pin.
 * The check against a known key happens in the key exchange, before the password is sent
 * (sftp.ts); only the first-use race can reveal a mismatch after login, and then nothing is
 * written either.
 */

/** The OpenSSH fingerprint ("SHA256:" + unpadded base64) of a public key blob as the server sends it. */
export function hostKeyFingerprintOf(key: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** Whether a pin was made at this host and port (host names compare without case). */
function isPinFor(pin: PinnedHostKey | undefined, host: string, port: number): pin is PinnedHostKey {
  return pin !== undefined && pin.host.toLowerCase() === host.toLowerCase() && pin.port === port;
}

/** The key the server must present, or undefined on first use (any key, pinned after login). */
export function trustedHostKeyOf(settings: FtpSettings, secrets: FtpSecrets, port: number): string | undefined {
  if (settings.hostKeyFingerprint) return settings.hostKeyFingerprint;
  const pin = secrets.pinnedHostKey;
  return isPinFor(pin, settings.host, port) ? pin.fingerprint : undefined;
}

/** The server presented another key than the trusted one. */
export function hostKeyMismatch(trusted: string, presented: string | undefined): ConnectorError {
  return new ConnectorError("permanent", "host_key_mismatch", {
    vendorDetail: `host key ${presented ?? "(none)"} is not the trusted ${trusted}`,
  });
}

type PinContext = Pick<ConnectorContext<FtpSettings, FtpSecrets, unknown>, "settings" | "secrets" | "rotateSecrets">;

/**
 * Called once a login on an SFTP session succeeded, with the key the server presented: stores it
 * as the pin when none is stored for this host and port (or when the admin typed another one),
 * and refuses it when another process pinned a different key meanwhile. A no-op (no database
 * call) when the pin is already this key.
 */
export async function pinHostKey(ctx: PinContext, port: number, presented: string | undefined): Promise<void> {
  const { host, hostKeyFingerprint: typed } = ctx.settings;
  if (!presented) throw new Error("the SFTP session saw no host key");
  const trusted = trustedHostKeyOf(ctx.settings, ctx.secrets, port);
  // The key exchange already refused any other key; this guards against a caller that skipped it.
  if (trusted !== undefined && trusted !== presented) throw hostKeyMismatch(trusted, presented);
  const known = ctx.secrets.pinnedHostKey;
  if (isPinFor(known, host, port) && known.fingerprint === presented) return;

  await ctx.rotateSecrets(async (latest) => {
    const stored = latest.pinnedHostKey;
    if (isPinFor(stored, host, port)) {
      if (stored.fingerprint === presented) return null;
      // Pinned by another delivery or test since this one started: that key is the trusted one.
      if (!typed) throw hostKeyMismatch(stored.fingerprint, presented);
    }
    return { ...latest, pinnedHostKey: { host, port, fingerprint: presented, pinnedAt: new Date().toISOString() } };
  });
}
