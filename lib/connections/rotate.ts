import "server-only";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import {
  connectionSecretsContext,
  decryptSecrets,
  encryptSecrets,
  isEncryptedWithOldKey,
  type Keyring,
} from "@/lib/crypto/secrets";

export type RotationResult = {
  /** Connections with stored secrets. */
  checked: number;
  /** Re-encrypted under the current key in this run. */
  rewritten: number;
  /** Ids whose secrets no key of the ring decrypts (left untouched; an admin must re-enter them). */
  failed: string[];
};

/**
 * Re-encrypts every connection's secrets that an older key made under the ring's current key.
 * Idempotent: blobs already under the current key are skipped, so a second run rewrites nothing.
 * Each row is swapped only if its blob is still the one that was read, so credentials stored
 * meanwhile (an OAuth refresh, an admin's save) are never overwritten with older ones.
 * Across all portals: this is an operator's maintenance task (scripts/rotate-secrets.ts).
 */
export async function rotateConnectionSecrets(db: DbOrTx, ring: Keyring): Promise<RotationResult> {
  const rows = await db
    .select({ id: connections.id, secretsEncrypted: connections.secretsEncrypted })
    .from(connections)
    .where(isNotNull(connections.secretsEncrypted))
    .orderBy(asc(connections.id));
  const result: RotationResult = { checked: rows.length, rewritten: 0, failed: [] };
  for (const row of rows) {
    const blob = row.secretsEncrypted;
    if (!blob || !isEncryptedWithOldKey(blob, ring)) continue;
    const context = connectionSecretsContext(row.id);
    let secrets: unknown;
    try {
      secrets = decryptSecrets(blob, context, ring);
    } catch {
      result.failed.push(row.id);
      continue;
    }
    const updated = await db
      .update(connections)
      .set({ secretsEncrypted: encryptSecrets(secrets, context, ring) })
      .where(and(eq(connections.id, row.id), eq(connections.secretsEncrypted, blob)))
      .returning({ id: connections.id });
    if (updated.length > 0) result.rewritten++;
  }
  return result;
}
