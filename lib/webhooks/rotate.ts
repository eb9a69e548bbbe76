import "server-only";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { webhookEndpoints } from "@/db/schema";
import { type ReencryptionResult, reencryptBlobs } from "@/lib/crypto/reencrypt";
import type { Keyring } from "@/lib/crypto/secrets";
import { endpointSecretContext } from "./endpoints";

/**
 * Re-encrypts webhook endpoint secrets that an older key made under the ring's current key
 * (`npm run secrets:rotate`): the current secret and, during a rotation's overlap, the previous one.
 * Counts both blobs of an endpoint; `failed` names the endpoints with a blob no key decrypts (an
 * admin makes a new secret for them).
 */
export async function rotateWebhookEndpointSecrets(db: DbOrTx, ring: Keyring): Promise<ReencryptionResult> {
  const current = await db
    .select({ id: webhookEndpoints.id, blob: webhookEndpoints.secretEncrypted })
    .from(webhookEndpoints)
    .orderBy(asc(webhookEndpoints.id));
  const currentResult = await reencryptBlobs(current, ring, {
    context: endpointSecretContext,
    swap: async (id, from, to) => {
      const updated = await db
        .update(webhookEndpoints)
        .set({ secretEncrypted: to })
        .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.secretEncrypted, from)))
        .returning({ id: webhookEndpoints.id });
      return updated.length > 0;
    },
  });
  const previousRows = await db
    .select({ id: webhookEndpoints.id, blob: webhookEndpoints.previousSecretEncrypted })
    .from(webhookEndpoints)
    .where(isNotNull(webhookEndpoints.previousSecretEncrypted))
    .orderBy(asc(webhookEndpoints.id));
  const previousResult = await reencryptBlobs(
    previousRows.flatMap((row) => (row.blob ? [{ id: row.id, blob: row.blob }] : [])),
    ring,
    {
      context: endpointSecretContext,
      swap: async (id, from, to) => {
        const updated = await db
          .update(webhookEndpoints)
          .set({ previousSecretEncrypted: to })
          .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.previousSecretEncrypted, from)))
          .returning({ id: webhookEndpoints.id });
        return updated.length > 0;
      },
    },
  );
  return {
    checked: currentResult.checked + previousResult.checked,
    rewritten: currentResult.rewritten + previousResult.rewritten,
    failed: [...new Set([...currentResult.failed, ...previousResult.failed])],
  };
}
