import "server-only";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import { type ReencryptionResult, reencryptBlobs } from "@/lib/crypto/reencrypt";
import { connectionSecretsContext, type Keyring } from "@/lib/crypto/secrets";

/** `failed`: connections whose secrets no key decrypts; an admin must re-enter them. */
export type RotationResult = ReencryptionResult;

/**
 * Re-encrypts every connection's secrets that an older key made under the ring's current key.
 * Idempotent: blobs already under the current key are skipped, so a second run rewrites nothing.
 * Each row is swapped only if its blob is still the one that was read, so credentials stored
 * meanwhile (an OAuth refresh, an admin's save) are never overwritten with older ones.
 * Across all portals: this is an operator's maintenance task (scripts/rotate-secrets.ts).
 */
export async function rotateConnectionSecrets(db: DbOrTx, ring: Keyring): Promise<RotationResult> {
  const rows = await db
    .select({ id: connections.id, blob: connections.secretsEncrypted })
    .from(connections)
    .where(isNotNull(connections.secretsEncrypted))
    .orderBy(asc(connections.id));
  const stored = rows.flatMap((row) => (row.blob ? [{ id: row.id, blob: row.blob }] : []));
  return reencryptBlobs(stored, ring, {
    context: connectionSecretsContext,
    swap: async (id, from, to) => {
      const updated = await db
        .update(connections)
        .set({ secretsEncrypted: to })
        .where(and(eq(connections.id, id), eq(connections.secretsEncrypted, from)))
        .returning({ id: connections.id });
      return updated.length > 0;
    },
  });
}
