import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { claimDueDeliveries, sendDueWebhooks } from "@/lib/webhooks/deliver";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDb } from "../../../helpers/db";
import { setEnvFlag } from "../../../helpers/env";
import { createWebhookWorld, type Receiver, receiveTestDocument, startReceiver, type WebhookWorld } from "./setup";

/*
 * Several senders at once (a slow minute's cron beside the next one, several instances), on real
 * PostgreSQL: a delivery is claimed by one of them only, so no message is sent twice at once.
 */

let opened: OpenedDb;
let db: Db;
let world: WebhookWorld;
let receiver: Receiver;

beforeAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
  opened = await createTestDb();
  db = opened.db;
  world = await createWebhookWorld(db);
  receiver = await startReceiver();
});
beforeEach(async () => {
  await db.delete(webhookEndpoints).where(sql`true`);
});
afterAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  await receiver?.close();
  await opened?.close();
});

async function makeDeliveries(count: number) {
  const endpoint = await createEndpoint(db, world.actors.admin, world.portal.id, {
    url: receiver.url(`/race/${randomUUID()}`),
    eventTypes: ["document.received"],
  });
  for (let i = 0; i < count; i++) await receiveTestDocument(db, world.dossier);
  return endpoint;
}

describe("concurrent senders", () => {
  it("never claim the same delivery twice", async () => {
    const endpoint = await makeDeliveries(60);
    const now = new Date(Date.now() + 1000);
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimDueDeliveries(db, { now, limit: 10 })));
    const ids = claims.flat().map((claim) => claim.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    const rows = await db
      .select({ attemptCount: webhookDeliveries.attemptCount })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, endpoint.id));
    expect(rows.every((row) => row.attemptCount === 1)).toBe(true);
  });

  it("send each message once when several run at the same time", async () => {
    receiver.requests.length = 0;
    receiver.setResponder(() => ({ status: 200 }));
    const endpoint = await makeDeliveries(40);
    const summaries = await Promise.all(Array.from({ length: 4 }, () => sendDueWebhooks(db, { limit: 15 })));
    const sent = receiver.requests.filter((request) => request.url.startsWith(new URL(endpoint.url).pathname));
    const messageIds = sent.map((request) => String(request.headers["webhook-id"]));
    expect(summaries.reduce((total, summary) => total + summary.succeeded, 0)).toBe(messageIds.length);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    // Whatever the first round left (claims are capped per sender) goes in the next.
    while ((await sendDueWebhooks(db, { limit: 50 })).claimed > 0) {}
    const all = receiver.requests
      .filter((request) => request.url.startsWith(new URL(endpoint.url).pathname))
      .map((request) => String(request.headers["webhook-id"]));
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
    const [counted] = await db
      .select({ attempts: sql<number>`count(*)::int` })
      .from(webhookAttempts)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
      .where(eq(webhookDeliveries.endpointId, endpoint.id));
    expect(counted?.attempts).toBe(40);
  });
});
