import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { webhookEndpoints } from "@/db/schema";
import type { RotationResult } from "@/lib/connections/rotate";
import { decryptSecrets, encryptSecrets, isEncryptedWithOldKey, type Keyring } from "@/lib/crypto/secrets";
import { endpointSecretContext } from "./endpoints";

/**
 * Re-encrypts webhook endpoint secrets (the current one and, during a rotation's overlap, the
 * previous one) that an older key made, under the ring's current key: `npm run secrets:rotate`,
 * beside the connections' secrets. Idempotent, and a row is swapped only while its blobs are still
 * the ones that were read.
 */
export async function rotateWebhookEndpointSecrets(db: DbOrTx, ring: Keyring): Promise<RotationResult> {
  const rows = await db
    .select({
      id: webhookEndpoints.id,
      secretEncrypted: webhookEndpoints.secretEncrypted,
      previousSecretEncrypted: webhookEndpoints.previousSecretEncrypted,
    })
    .from(webhookEndpoints)
    .orderBy(asc(webhookEndpoints.id));
  const result: RotationResult = { checked: rows.length, rewritten: 0, failed: [] };
  for (const row of rows) {
    const previous = row.previousSecretEncrypted;
    const isCurrentOld = isEncryptedWithOldKey(row.secretEncrypted, ring);
    const isPreviousOld = previous !== null && isEncryptedWithOldKey(previous, ring);
    if (!isCurrentOld && !isPreviousOld) continue;
    const context = endpointSecretContext(row.id);
    const reencrypt = (blob: string) => encryptSecrets(decryptSecrets(blob, context, ring), context, ring);
    let secretEncrypted: string;
    let previousSecretEncrypted: string | null;
    try {
      secretEncrypted = isCurrentOld ? reencrypt(row.secretEncrypted) : row.secretEncrypted;
      previousSecretEncrypted = previous && isPreviousOld ? reencrypt(previous) : previous;
    } catch {
      result.failed.push(row.id);
      continue;
    }
    const updated = await db
      .update(webhookEndpoints)
      .set({ secretEncrypted, previousSecretEncrypted })
      .where(and(eq(webhookEndpoints.id, row.id), eq(webhookEndpoints.secretEncrypted, row.secretEncrypted)))
      .returning({ id: webhookEndpoints.id });
    if (updated.length > 0) result.rewritten++;
  }
  return result;
}
