import "server-only";
import { decryptSecrets, encryptSecrets, isEncryptedWithOldKey, type Keyring } from "./secrets";

export type ReencryptionResult = {
  /** Rows with a stored blob. */
  checked: number;
  /** Re-encrypted under the current key in this run. */
  rewritten: number;
  /** Ids whose blob no key of the ring decrypts (left untouched). */
  failed: string[];
};

/**
 * Re-encrypts under the ring's current key every blob an older key made (`npm run secrets:rotate`).
 * Idempotent: blobs already under the current key are skipped, so a second run rewrites nothing.
 * `swap` must write the new blob only if the row still holds the one that was read, and say whether
 * it did, so a blob stored meanwhile (an OAuth refresh, an admin's save) is never overwritten.
 */
export async function reencryptBlobs(
  rows: readonly { id: string; blob: string }[],
  ring: Keyring,
  store: { context: (id: string) => string; swap: (id: string, from: string, to: string) => Promise<boolean> },
): Promise<ReencryptionResult> {
  const result: ReencryptionResult = { checked: rows.length, rewritten: 0, failed: [] };
  for (const { id, blob } of rows) {
    if (!isEncryptedWithOldKey(blob, ring)) continue;
    const context = store.context(id);
    let secrets: unknown;
    try {
      secrets = decryptSecrets(blob, context, ring);
    } catch {
      result.failed.push(id);
      continue;
    }
    if (await store.swap(id, blob, encryptSecrets(secrets, context, ring))) result.rewritten++;
  }
  return result;
}
