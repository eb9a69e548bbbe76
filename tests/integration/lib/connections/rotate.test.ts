import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { rotateConnectionSecrets } from "@/lib/connections/rotate";
import { buildKeyring, connectionSecretsContext, decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import { createTestDb } from "../../../helpers/db";
import { insertConnection, insertPortal } from "../../../helpers/fixtures";

const keyValue = (version: string) => `${version}:${randomBytes(32).toString("base64")}`;
const V1 = keyValue("v1");
const V2 = keyValue("v2");
const OLD_RING = buildKeyring(V1, undefined);
const NEW_RING = buildKeyring(V2, V1);

let opened: OpenedDb;
let portalId = "";

beforeAll(async () => {
  opened = await createTestDb();
  portalId = (await insertPortal(opened.db)).id;
});
afterAll(async () => {
  await opened?.close();
});

async function connectionWithSecrets(secrets: unknown, ring = OLD_RING) {
  const row = await insertConnection(opened.db, portalId);
  const blob = encryptSecrets(secrets, connectionSecretsContext(row.id), ring);
  await opened.db.update(connections).set({ secretsEncrypted: blob }).where(eq(connections.id, row.id));
  return { id: row.id, blob };
}

async function blobOf(id: string) {
  const [row] = await opened.db
    .select({ blob: connections.secretsEncrypted })
    .from(connections)
    .where(eq(connections.id, id));
  return row?.blob ?? null;
}

describe("rotateConnectionSecrets", () => {
  it("re-encrypts old blobs under the current key, keeps the secrets, and is idempotent", async () => {
    const a = await connectionWithSecrets({ username: "a", password: "pw-a" });
    const b = await connectionWithSecrets({ apiKey: "key-b" });
    const current = await connectionWithSecrets({ password: "already-v2" }, NEW_RING);
    const empty = await insertConnection(opened.db, portalId);

    const first = await rotateConnectionSecrets(opened.db, NEW_RING);
    expect(first).toEqual({ checked: 3, rewritten: 2, failed: [] });
    for (const [id, secrets] of [
      [a.id, { username: "a", password: "pw-a" }],
      [b.id, { apiKey: "key-b" }],
    ] as const) {
      const blob = (await blobOf(id)) ?? "";
      expect(blob.startsWith("v2.")).toBe(true);
      expect(decryptSecrets(blob, connectionSecretsContext(id), NEW_RING)).toEqual(secrets);
      // Readable without the old key now.
      expect(decryptSecrets(blob, connectionSecretsContext(id), buildKeyring(V2, undefined))).toEqual(secrets);
    }
    expect(await blobOf(current.id)).toBe(current.blob);
    expect(await blobOf(empty.id)).toBeNull();

    const second = await rotateConnectionSecrets(opened.db, NEW_RING);
    expect(second).toEqual({ checked: 3, rewritten: 0, failed: [] });
  });

  it("reports blobs no configured key can read and leaves them untouched", async () => {
    const lost = await connectionWithSecrets({ password: "lost" }, buildKeyring(keyValue("v0"), undefined));
    const result = await rotateConnectionSecrets(opened.db, NEW_RING);
    expect(result.failed).toEqual([lost.id]);
    expect(result.rewritten).toBe(0);
    expect(await blobOf(lost.id)).toBe(lost.blob);
    await opened.db.delete(connections).where(eq(connections.id, lost.id));
  });

  it("never overwrites credentials stored by someone else while it ran", async () => {
    const row = await connectionWithSecrets({ password: "before" });
    // Another writer (an OAuth refresh) stores new credentials between the read and the write:
    // simulated by handing rotate a database whose select returns the stale blob.
    const fresh = encryptSecrets({ password: "refreshed" }, connectionSecretsContext(row.id), NEW_RING);
    const stale = await opened.db
      .select({ id: connections.id, secretsEncrypted: connections.secretsEncrypted })
      .from(connections)
      .orderBy(asc(connections.id));
    await opened.db.update(connections).set({ secretsEncrypted: fresh }).where(eq(connections.id, row.id));
    const staleDb = new Proxy(opened.db, {
      get(target, property, receiver) {
        if (property === "select") {
          return () => ({ from: () => ({ where: () => ({ orderBy: async () => stale }) }) });
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const result = await rotateConnectionSecrets(staleDb, NEW_RING);
    expect(result.rewritten).toBe(0);
    expect(await blobOf(row.id)).toBe(fresh);
  });
});
