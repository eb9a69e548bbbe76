import { defaultPortFor, ftpSecretsSchema, ftpSettingsSchema } from "@/lib/connectors/ftp/config";
import { trustedHostKeyOf } from "@/lib/connectors/ftp/host-key";
import type { Channel } from "@/lib/packages/catalog";

/**
 * The SSH host key an SFTP connection trusts, as the connection card shows it, so an admin can
 * compare it with the fingerprint the provider gives (Wolters Kluwer for Adsolut cloud):
 * - `typed`: the admin entered it in the settings (`hostKeyFingerprint`);
 * - `pinned`: Koppel took it on first use and keeps it in the encrypted secrets (`pinnedHostKey`);
 * - `first_use`: nothing trusted yet (never connected, or the pin was made at another host or
 *   port): the next successful connection pins the key it sees.
 * Null for every connection that is not SFTP. Only the fingerprint leaves the secrets: it is
 * public by nature (the server shows it to anyone who connects), unlike the password beside it.
 */
export type ServerKeyView =
  | { fingerprint: string; source: "typed" | "pinned" }
  | { fingerprint: null; source: "first_use" }
  | null;

/**
 * The trusted key by the connector's own rule (`trustedHostKeyOf`: a typed fingerprint wins, a pin
 * counts only for the host and port it was made at), so the card never tells another story than
 * the key exchange. `storedSecrets` are the decrypted secrets; nothing else of them is returned.
 */
export function serverKeyOf(
  channel: Channel,
  storedSettings: unknown,
  storedSecrets: Record<string, unknown>,
): ServerKeyView {
  if (channel !== "ftp") return null;
  const settings = ftpSettingsSchema.safeParse(storedSettings);
  if (!settings.success || settings.data.security !== "sftp") return null;
  const typed = settings.data.hostKeyFingerprint;
  if (typed) return { fingerprint: typed, source: "typed" };
  // Secrets that do not parse (no password stored) hold no usable pin either.
  const secrets = ftpSecretsSchema.safeParse(storedSecrets);
  const port = settings.data.port ?? defaultPortFor("sftp");
  const pinned = secrets.success ? trustedHostKeyOf(settings.data, secrets.data, port) : undefined;
  return pinned ? { fingerprint: pinned, source: "pinned" } : { fingerprint: null, source: "first_use" };
}
