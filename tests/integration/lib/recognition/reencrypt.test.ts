import { randomBytes, randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { recognitionSecrets } from "@/db/schema";
import { buildKeyring, decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import { recognitionSecretContext, reencryptRecognitionSecrets } from "@/lib/recognition/secret";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";

// `npm run secrets:rotate` must carry the offices' recognition secrets over to the new
// APP_ENCRYPTION_KEY: once the old key is dropped, a secret left under it would verify nothing.

const keyValue = (version: string) => `${version}:${randomBytes(32).toString("base64")}`;
const V1 = keyValue("v1");
const V2 = keyValue("v2");
const OLD_RING = buildKeyring(V1, undefined);
const NEW_RING = buildKeyring(V2, V1);

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

async function storeSecret(portalId: string, secret: string, ring = OLD_RING, retiresAt: Date | null = null) {
  const id = randomUUID();
  const blob = encryptSecrets({ secret }, recognitionSecretContext(id), ring);
  await opened.db.insert(recognitionSecrets).values({ id, portalId, secretEncrypted: blob, retiresAt });
  return { id, blob };
}

async function blobOf(id: string) {
  const [row] = await opened.db
    .select({ blob: recognitionSecrets.secretEncrypted })
    .from(recognitionSecrets)
    .where(eq(recognitionSecrets.id, id));
  return row?.blob ?? "";
}

describe("reencryptRecognitionSecrets", () => {
  it("re-encrypts current and retired secrets under the new key, keeps each secret, and is idempotent", async () => {
    const portal = await insertPortal(opened.db, "Kantoor A");
    const other = await insertPortal(opened.db, "Kantoor B");
    const retired = await storeSecret(portal.id, "a".repeat(43), OLD_RING, new Date(Date.now() + 3_600_000));
    const current = await storeSecret(portal.id, "b".repeat(43));
    const otherCurrent = await storeSecret(other.id, "c".repeat(43), NEW_RING);

    expect(await reencryptRecognitionSecrets(opened.db, NEW_RING)).toEqual({ checked: 3, rewritten: 2, failed: [] });
    for (const [row, secret] of [
      [retired, "a".repeat(43)],
      [current, "b".repeat(43)],
    ] as const) {
      const blob = await blobOf(row.id);
      expect(blob.startsWith("v2.")).toBe(true);
      // Readable without the old key now.
      expect(decryptSecrets(blob, recognitionSecretContext(row.id), buildKeyring(V2, undefined))).toEqual({ secret });
    }
    expect(await blobOf(otherCurrent.id)).toBe(otherCurrent.blob);
    expect(await reencryptRecognitionSecrets(opened.db, NEW_RING)).toEqual({ checked: 3, rewritten: 0, failed: [] });
  });

  it("reports secrets no configured key can read and leaves them untouched", async () => {
    const portal = await insertPortal(opened.db, "Kantoor C");
    const lost = await storeSecret(portal.id, "d".repeat(43), buildKeyring(keyValue("v0"), undefined));
    const result = await reencryptRecognitionSecrets(opened.db, NEW_RING);
    expect(result).toMatchObject({ rewritten: 0, failed: [lost.id] });
    expect(await blobOf(lost.id)).toBe(lost.blob);
    const rows = await opened.db.select().from(recognitionSecrets).orderBy(asc(recognitionSecrets.id));
    expect(rows).toHaveLength(result.checked);
  });
});
