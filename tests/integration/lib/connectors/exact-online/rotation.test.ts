import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { callBudgets, connections } from "@/db/schema";
import { createConnectorContext } from "@/lib/connections/runtime";
import { exactOnlineConnector, resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { type ExactSecrets, exactSecretsSchema } from "@/lib/connectors/api/exact-online/config";
import { refreshGrant } from "@/lib/connectors/api/exact-online/oauth";
import type { Connector } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets, encryptSecrets, resetKeyringCache } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { findPackage } from "@/lib/packages/catalog";
import { type FakeExactOnline, startFakeExactOnline } from "../../../../fakes/exact-online";
import { createTestDb } from "../../../../helpers/db";
import { insertPortal } from "../../../../helpers/fixtures";
import { allowCustomApiHosts, DOSSIER, documentFor, grantedSecrets, pdfBytes } from "./helpers";

/**
 * Token rotation through the real runtime: the connection row holds the encrypted grant, and
 * ctx.rotateSecrets locks that row. Two deliveries that both find the access token expired must
 * refresh once (Exact kills a refresh token the moment it is used, so a second refresh with the
 * same token would lose the grant).
 */

let opened: OpenedDb;
let fake: FakeExactOnline;
let portalId: string;
const DIVISION = 100001;

beforeAll(async () => {
  process.env.APP_ENCRYPTION_KEY = `v1:${randomBytes(32).toString("base64")}`;
  delete process.env.APP_ENCRYPTION_KEYS_PREVIOUS;
  resetEnvCache();
  resetKeyringCache();
  allowCustomApiHosts("1");
  opened = await createTestDb();
  portalId = (await insertPortal(opened.db)).id;
  fake = await startFakeExactOnline();
});

afterAll(async () => {
  await fake?.close();
  await opened?.close();
  allowCustomApiHosts(undefined);
});

beforeEach(() => resetExactRateLimits());

const connector = exactOnlineConnector as unknown as Connector;
const settings = () => ({ baseUrl: fake.url, clientId: fake.clientId });

async function insertExactConnection(secrets: ExactSecrets) {
  const id = randomUUID();
  await opened.db.insert(connections).values({
    id,
    portalId,
    packageId: "exact-online",
    channel: "api",
    label: "Exact Online (fake)",
    settings: settings(),
    secretsEncrypted: encryptSecrets({ clientSecret: fake.clientSecret, ...secrets }, connectionSecretsContext(id)),
    status: "connected",
  });
  return id;
}

async function storedSecrets(connectionId: string): Promise<ExactSecrets> {
  const [row] = await opened.db
    .select({ secretsEncrypted: connections.secretsEncrypted })
    .from(connections)
    .where(eq(connections.id, connectionId));
  return exactSecretsSchema.parse(decryptSecrets(row?.secretsEncrypted ?? "", connectionSecretsContext(connectionId)));
}

/** A delivery context as lib/dispatch/deliver.ts builds it, from the row as stored right now. */
async function deliveryContext(connectionId: string) {
  const [row] = await opened.db.select().from(connections).where(eq(connections.id, connectionId));
  const packageEntry = findPackage("exact-online");
  if (!row || !packageEntry) throw new Error("connection or package missing");
  return createConnectorContext({
    db: opened.db,
    connector,
    packageEntry,
    connection: { id: row.id, portalId: row.portalId, settings: row.settings, secretsEncrypted: row.secretsEncrypted },
    dossier: DOSSIER,
    dossierSettings: { division: DIVISION },
    idempotencyKey: randomUUID(),
    timeoutMs: 20_000,
  });
}

describe("Exact Online token rotation under the connection's row lock", () => {
  it("two deliveries that find the token expired refresh once and both deliver; the new grant is stored", async () => {
    const original = grantedSecrets(fake, { isExpired: true });
    const connectionId = await insertExactConnection(original);
    // Both contexts are built before either runs: both start from the expired token.
    const contexts = [await deliveryContext(connectionId), await deliveryContext(connectionId)];
    const refreshesBefore = fake.counts.refreshes;

    const receipts = await Promise.all(
      contexts.map((ctx) => connector.deliver(ctx, documentFor(), { content: pdfBytes() })),
    );

    expect(fake.counts.refreshes - refreshesBefore).toBe(1);
    expect(fake.counts.refusedRefreshes).toBe(0);
    expect(new Set(receipts.map((receipt) => receipt.packageReference)).size).toBe(2);
    const stored = await storedSecrets(connectionId);
    expect(stored.refreshToken).not.toBe(original.refreshToken);
    expect(fake.isRefreshTokenActive(stored.refreshToken ?? "")).toBe(true);
    expect(stored.clientSecret).toBe(fake.clientSecret);
    expect(Date.parse(stored.accessTokenExpiresAt ?? "")).toBeGreaterThan(Date.now());
  });

  it("the old refresh token fails once rotated; a context built before the rotation still works", async () => {
    const original = grantedSecrets(fake, { isExpired: true });
    const connectionId = await insertExactConnection(original);
    const stale = await deliveryContext(connectionId);
    await connector.deliver(await deliveryContext(connectionId), documentFor(), { content: pdfBytes() });

    const refused = await refreshGrant({
      settings: exactOnlineConnector.settingsSchema.parse(settings()),
      app: { clientId: fake.clientId, clientSecret: fake.clientSecret },
      secrets: original,
      signal: AbortSignal.timeout(10_000),
      now: Date.now,
    }).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ kind: "auth", code: "auth_failed" });

    // Its secrets are the old ones, but under the lock it reads the stored (rotated) grant.
    const refreshesBefore = fake.counts.refreshes;
    await connector.deliver(stale, documentFor(), { content: pdfBytes() });
    expect(fake.counts.refreshes).toBe(refreshesBefore);
  });
});

describe("Exact Online's limits through the runtime: counted in the database", () => {
  it("a context built by the runtime counts the breaker where another process would see it", async () => {
    const connectionId = await insertExactConnection(grantedSecrets(fake));
    fake.failNext(8, { status: 400, message: "Mandatory: Type", endpoint: "documents/Documents", method: "POST" });
    for (let i = 0; i < 8; i++) {
      await expect(
        connector.deliver(await deliveryContext(connectionId), documentFor(), { content: pdfBytes() }),
      ).rejects.toMatchObject({ kind: "permanent" });
    }
    // What this process kept in memory is gone (as in a second instance): the database still says stop.
    resetExactRateLimits();
    const callsBefore = fake.counts.apiCalls;
    await expect(
      connector.deliver(await deliveryContext(connectionId), documentFor(), { content: pdfBytes() }),
    ).rejects.toMatchObject({ kind: "retryable", code: "blocked_after_errors" });
    expect(fake.counts.apiCalls).toBe(callsBefore);
    const [budget] = await opened.db.select().from(callBudgets);
    expect(budget?.key).toBe(`${fake.url}|${fake.clientId}|${DIVISION}`);
    expect(budget?.state).toMatchObject({ minutelyLimit: 60, inFlight: 0 });
  });
});
