import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { outboxEmails, webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { handler as webhookSweep } from "@/lib/jobs/handlers/webhook-sweep";
import type { JobLogger, JobStep } from "@/lib/jobs/types";
import {
  DISABLE_AFTER_FAILING_MS,
  pruneFinishedDeliveries,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  type SenderOptions,
  sendDueWebhooks,
} from "@/lib/webhooks/deliver";
import { sendTestEvent } from "@/lib/webhooks/deliveries";
import {
  createEndpoint,
  getEndpoint,
  revealEndpointSecret,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/webhooks/endpoints";
import { createTestDb } from "../../../helpers/db";
import { setEnvFlag } from "../../../helpers/env";
import { createWebhookWorld, type Receiver, receiveTestDocument, startReceiver, type WebhookWorld } from "./setup";

/*
 * The sender against a real HTTP receiver on 127.0.0.1 (the private-host switch on, as in tests and
 * demos): signatures checked with the standardwebhooks package, retries, giving up, and disabling
 * an endpoint that fails for 5 days. The sender's clock is passed in; the rows' own times are moved
 * where a test needs a delivery made later than now.
 */

vi.mock("@/lib/jobs/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/jobs/client")>()),
  sendJobEvent: vi.fn(async () => {}),
}));

let opened: OpenedDb;
let db: Db;
let world: WebhookWorld;
let receiver: Receiver;
const savedResendKey = process.env.RESEND_API_KEY;

beforeAll(async () => {
  delete process.env.RESEND_API_KEY;
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
  opened = await createTestDb();
  db = opened.db;
  // lib/email/send.ts writes the outbox through getDb().
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWebhookWorld(db);
  receiver = await startReceiver();
});
afterAll(async () => {
  if (savedResendKey !== undefined) process.env.RESEND_API_KEY = savedResendKey;
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await receiver?.close();
  await opened?.close();
});
beforeEach(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
  await db.delete(webhookEndpoints).where(sql`true`);
  receiver.requests.length = 0;
  receiver.setResponder(() => ({ status: 204 }));
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A sender whose clock reads `at`, with no jitter (random 1: the full delay). */
const at = (date: Date, extra: Partial<SenderOptions> = {}): SenderOptions => ({
  now: () => date,
  random: () => 1,
  ...extra,
});

async function endpointWithDelivery(
  eventTypes: ("document.received" | "document.recognised")[] = ["document.received"],
) {
  const endpoint = await createEndpoint(db, world.actors.admin, world.portal.id, {
    url: receiver.url(`/hooks/${randomUUID()}`),
    eventTypes,
  });
  const document = await receiveTestDocument(db, world.dossier);
  const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
  if (!delivery) throw new Error("no delivery");
  return { endpoint, document, delivery };
}

async function deliveryRow(id: string) {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  if (!row) throw new Error("delivery gone");
  return row;
}

async function attemptsOf(id: string) {
  return db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, id))
    .orderBy(asc(webhookAttempts.attemptedAt));
}

describe("sending a delivery", () => {
  it("posts the message with Standard Webhooks headers that the standardwebhooks package verifies", async () => {
    const { endpoint, document, delivery } = await endpointWithDelivery();
    const { secret } = await revealEndpointSecret(db, world.actors.admin, endpoint.id);

    expect(await sendDueWebhooks(db)).toMatchObject({ claimed: 1, succeeded: 1 });

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["webhook-id"]).toBe(delivery.messageId);
    const verified = new Webhook(secret).verify(request?.body ?? "", {
      "webhook-id": String(request?.headers["webhook-id"]),
      "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
      "webhook-signature": String(request?.headers["webhook-signature"]),
    });
    expect(verified).toEqual({
      type: "document.received",
      timestamp: expect.any(String),
      data: expect.objectContaining({ documentId: document.id, dossierId: world.dossier.id }),
    });
    // The envelope's keys in the spec's order.
    expect(Object.keys(JSON.parse(request?.body ?? "{}"))).toEqual(["type", "timestamp", "data"]);
    // Another secret does not verify it.
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(request?.body ?? "", {
        "webhook-id": String(request?.headers["webhook-id"]),
        "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
        "webhook-signature": String(request?.headers["webhook-signature"]),
      }),
    ).toThrow();

    expect(await deliveryRow(delivery.id)).toMatchObject({
      status: "succeeded",
      attemptCount: 1,
      lastResponseStatus: 204,
      lastError: null,
      deliveredAt: expect.any(Date),
    });
    const attempts = await attemptsOf(delivery.id);
    expect(attempts).toEqual([expect.objectContaining({ responseStatus: 204, error: null })]);
    expect(attempts[0]?.durationMs).toBeGreaterThanOrEqual(0);
    // Nothing more to send.
    expect(await sendDueWebhooks(db)).toMatchObject({ claimed: 0 });
    expect(receiver.requests).toHaveLength(1);
  });

  it("signs with the old and the new secret for 24 hours after a rotation, then with the new one", async () => {
    const { endpoint } = await endpointWithDelivery();
    const before = await revealEndpointSecret(db, world.actors.admin, endpoint.id);
    const rotated = await rotateEndpointSecret(db, world.actors.admin, endpoint.id);
    expect(rotated.previousSecretExpiresAt).toBeInstanceOf(Date);
    const after = await revealEndpointSecret(db, world.actors.admin, endpoint.id);
    expect(after.secret).not.toBe(before.secret);

    await sendDueWebhooks(db);
    const [request] = receiver.requests;
    const headers = {
      "webhook-id": String(request?.headers["webhook-id"]),
      "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
      "webhook-signature": String(request?.headers["webhook-signature"]),
    };
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(() => new Webhook(before.secret).verify(request?.body ?? "", headers)).not.toThrow();
    expect(() => new Webhook(after.secret).verify(request?.body ?? "", headers)).not.toThrow();

    // A day later only the new secret signs.
    await receiveTestDocument(db, world.dossier);
    const dayLater = new Date(Date.now() + 25 * HOUR);
    await db
      .update(webhookDeliveries)
      .set({ createdAt: dayLater, nextAttemptAt: dayLater, giveUpAt: new Date(dayLater.getTime() + 24 * HOUR) })
      .where(eq(webhookDeliveries.status, "pending"));
    await sendDueWebhooks(db, at(dayLater));
    const later = receiver.requests[1];
    expect(String(later?.headers["webhook-signature"]).split(" ")).toHaveLength(1);
  });

  it.each([
    [
      "an error status",
      () => ({ status: 500, body: "database down\r\nstack trace" }),
      /^HTTP 500: database down stack/,
      500,
    ],
    [
      "a redirect, which it does not follow",
      () => ({ status: 302, headers: { location: "https://elsewhere.test/" } }),
      /^redirect 302 not followed/,
      302,
    ],
    ["no answer in time", () => "hang" as const, /^no answer within/, null],
  ])("retries after %s with a growing wait", async (_name, respond, error, status) => {
    receiver.setResponder(respond);
    const { delivery } = await endpointWithDelivery();
    const t0 = new Date();
    const options = { request: { timeoutMs: 300 } };

    expect(await sendDueWebhooks(db, at(t0, options))).toMatchObject({ claimed: 1, retrying: 1 });
    const first = await deliveryRow(delivery.id);
    expect(first).toMatchObject({ status: "pending", attemptCount: 1, lastResponseStatus: status });
    expect(first.lastError).toMatch(error);
    expect(first.nextAttemptAt.getTime() - t0.getTime()).toBe(RETRY_BASE_MS);

    // Not due before its time.
    expect(await sendDueWebhooks(db, at(new Date(t0.getTime() + RETRY_BASE_MS - SECOND), options))).toMatchObject({
      claimed: 0,
    });
    const t1 = new Date(t0.getTime() + RETRY_BASE_MS);
    expect(await sendDueWebhooks(db, at(t1, options))).toMatchObject({ claimed: 1, retrying: 1 });
    const second = await deliveryRow(delivery.id);
    expect(second.nextAttemptAt.getTime() - t1.getTime()).toBe(2 * RETRY_BASE_MS);
    expect(await attemptsOf(delivery.id)).toHaveLength(2);
    expect(receiver.requests.map((request) => request.headers["webhook-id"])).toEqual([
      delivery.messageId,
      delivery.messageId,
    ]);
  });

  it("waits at most an hour between tries, and gives up once the next try would fall after 24 hours", async () => {
    receiver.setResponder(() => ({ status: 503 }));
    const { delivery } = await endpointWithDelivery();
    // The row's time has microseconds; a Date has milliseconds.
    let clock = new Date(delivery.createdAt.getTime() + 1);
    const waits: number[] = [];
    for (let tries = 0; tries < 60; tries++) {
      const summary = await sendDueWebhooks(db, at(clock));
      expect(summary.claimed).toBe(1);
      const row = await deliveryRow(delivery.id);
      if (row.status === "failed") break;
      waits.push(row.nextAttemptAt.getTime() - clock.getTime());
      clock = row.nextAttemptAt;
    }
    const row = await deliveryRow(delivery.id);
    expect(row.status).toBe("failed");
    expect(waits.slice(0, 4)).toEqual([30 * SECOND, MINUTE, 2 * MINUTE, 4 * MINUTE]);
    expect(Math.max(...waits)).toBe(RETRY_MAX_MS);
    // The last try started within the 24 hours; the one after it would not have.
    expect(clock.getTime()).toBeLessThan(row.giveUpAt.getTime());
    expect(clock.getTime() + RETRY_MAX_MS).toBeGreaterThan(row.giveUpAt.getTime());
    expect(row.attemptCount).toBe(waits.length + 1);
    expect(await sendDueWebhooks(db, at(new Date(clock.getTime() + 2 * HOUR)))).toMatchObject({ claimed: 0 });
  });

  it("gives up on a delivery that was never tried within its 24 hours", async () => {
    const { endpoint, delivery } = await endpointWithDelivery();
    await updateEndpoint(db, world.actors.admin, endpoint.id, { enabled: false });
    expect(await sendDueWebhooks(db, at(new Date(Date.now() + HOUR)))).toMatchObject({ claimed: 0 });
    expect((await deliveryRow(delivery.id)).status).toBe("pending");
    await sendDueWebhooks(db, at(new Date(Date.now() + 25 * HOUR)));
    expect(await deliveryRow(delivery.id)).toMatchObject({ status: "failed", attemptCount: 0 });
    expect(receiver.requests).toEqual([]);
  });

  it("disables an endpoint that failed for 5 days and mails each admin of its office once, in their language", async () => {
    receiver.setResponder(() => ({ status: 500 }));
    const { endpoint, delivery } = await endpointWithDelivery();
    const t0 = new Date();
    await sendDueWebhooks(db, at(t0));
    expect((await getEndpoint(db, world.actors.admin, endpoint.id)).failingSince).toEqual(t0);

    // Four days later a new message fails too: still on.
    const later = async (ms: number) => {
      await receiveTestDocument(db, world.dossier);
      const when = new Date(t0.getTime() + ms);
      await db
        .update(webhookDeliveries)
        .set({ createdAt: when, nextAttemptAt: when, giveUpAt: new Date(when.getTime() + 24 * HOUR) })
        .where(eq(webhookDeliveries.status, "pending"));
      return when;
    };
    await db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, delivery.id));
    const fourDays = await later(4 * 24 * HOUR);
    expect(await sendDueWebhooks(db, at(fourDays))).toMatchObject({ retrying: 1, disabled: 0 });
    expect((await getEndpoint(db, world.actors.admin, endpoint.id)).status).toBe("active");

    await db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.status, "pending"));
    const fiveDays = await later(DISABLE_AFTER_FAILING_MS + MINUTE);
    const step: JobStep = { run: async (_name, fn) => fn(), sendEvents: async () => {}, sleepUntil: async () => {} };
    const logger: JobLogger = { info: () => {}, warn: () => {}, error: () => {} };
    vi.useFakeTimers({ now: fiveDays, toFake: ["Date"] });
    try {
      const totals = await webhookSweep.run({ payload: {}, step, logger, attempt: 0 });
      expect(totals).toMatchObject({ disabled: 1, notified: 2 });
    } finally {
      vi.useRealTimers();
    }
    const disabled = await getEndpoint(db, world.actors.admin, endpoint.id);
    expect(disabled).toMatchObject({ status: "disabled_failing", failingSince: t0 });

    const mails = await db
      .select()
      .from(outboxEmails)
      .where(sql`${outboxEmails.idempotencyKey} like ${`webhook-disabled:${endpoint.id}:%`}`);
    expect(mails.map((mail) => mail.to[0]).sort()).toEqual(
      [world.people.admin.email, world.people.secondAdmin.email].sort(),
    );
    const dutch = mails.find((mail) => mail.to[0] === world.people.admin.email);
    expect(dutch?.subject).toContain("uitgeschakeld");
    expect(dutch?.text).toContain(endpoint.url);
    expect(dutch?.text).toContain(`/portals/${world.portal.id}/settings/webhooks/${endpoint.id}`);
    expect(mails.find((mail) => mail.to[0] === world.people.secondAdmin.email)?.subject).toContain("désactivée");

    // Once: another sweep mails nobody, and nothing more is sent to the endpoint.
    const requestsBefore = receiver.requests.length;
    await receiveTestDocument(db, world.dossier);
    await webhookSweep.run({ payload: {}, step, logger, attempt: 0 });
    expect(
      await db
        .select()
        .from(outboxEmails)
        .where(sql`${outboxEmails.idempotencyKey} like ${`webhook-disabled:${endpoint.id}:%`}`),
    ).toHaveLength(2);
    expect(receiver.requests).toHaveLength(requestsBefore);

    // Switched on again by hand: a fresh start.
    const enabled = await updateEndpoint(db, world.actors.admin, endpoint.id, { enabled: true });
    expect(enabled).toMatchObject({ status: "active", failingSince: null });
  });

  it("a success ends the failure run", async () => {
    receiver.setResponder(() => ({ status: 500 }));
    const { endpoint } = await endpointWithDelivery();
    const t0 = new Date();
    await sendDueWebhooks(db, at(t0));
    expect((await getEndpoint(db, world.actors.admin, endpoint.id)).failingSince).toEqual(t0);
    receiver.setResponder(() => ({ status: 200 }));
    await sendDueWebhooks(db, at(new Date(t0.getTime() + RETRY_BASE_MS)));
    expect((await getEndpoint(db, world.actors.admin, endpoint.id)).failingSince).toBeNull();
  });

  it("checks the address again before each try: with the private-host switch off nothing reaches 127.0.0.1", async () => {
    const { delivery } = await endpointWithDelivery();
    setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "0");
    await sendDueWebhooks(db);
    expect(receiver.requests).toEqual([]);
    const row = await deliveryRow(delivery.id);
    expect(row).toMatchObject({ status: "pending", lastResponseStatus: null });
    // Plain http is refused first; an https address to the same host is refused by the guard.
    expect(row.lastError).toMatch(/address refused \(notHttps/);
    await db
      .update(webhookEndpoints)
      .set({ url: "https://127.0.0.1:9/hooks" })
      .where(eq(webhookEndpoints.id, delivery.endpointId));
    await sendDueWebhooks(db, at(new Date(Date.now() + MINUTE)));
    expect((await deliveryRow(delivery.id)).lastError).toMatch(
      /address refused \(hostNotAllowed: 127\.0\.0\.1 resolves to 127\.0\.0\.1 \(loopback\)/,
    );
  });

  it("sends a test message once, also to a disabled endpoint, without touching its health", async () => {
    receiver.setResponder(() => ({ status: 500 }));
    const endpoint = await createEndpoint(db, world.actors.admin, world.portal.id, {
      url: receiver.url("/test"),
      eventTypes: ["document.sent"],
    });
    await updateEndpoint(db, world.actors.admin, endpoint.id, { enabled: false });
    const test = await sendTestEvent(db, world.actors.admin, endpoint.id);
    expect(await sendDueWebhooks(db, { deliveryId: test.id })).toMatchObject({ claimed: 1, failed: 1 });
    const [request] = receiver.requests;
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      type: "webhook.test",
      timestamp: expect.any(String),
      data: { endpointId: endpoint.id },
    });
    expect(await deliveryRow(test.id)).toMatchObject({ status: "failed", attemptCount: 1 });
    expect((await getEndpoint(db, world.actors.admin, endpoint.id)).failingSince).toBeNull();
  });

  it("keeps finished deliveries for 30 days, pending ones until they finish", async () => {
    const { delivery } = await endpointWithDelivery();
    await sendDueWebhooks(db);
    const { delivery: pending } = await endpointWithDelivery();
    const month = 30 * 24 * HOUR;
    expect(await pruneFinishedDeliveries(db, { now: new Date(Date.now() + month - HOUR) })).toBe(0);
    expect(await attemptsOf(delivery.id)).toHaveLength(1);
    expect(await pruneFinishedDeliveries(db, { now: new Date(Date.now() + month + HOUR) })).toBe(1);
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id))).toEqual([]);
    expect(await attemptsOf(delivery.id)).toEqual([]);
    expect((await deliveryRow(pending.id)).status).toBe("pending");
  });

  it("goes on when an endpoint is deleted while its message is on its way", async () => {
    const { endpoint, delivery } = await endpointWithDelivery();
    let deleting: Promise<unknown> | undefined;
    receiver.setResponder(() => {
      // then() runs the query now (a drizzle query runs when it is awaited).
      deleting = db
        .delete(webhookEndpoints)
        .where(eq(webhookEndpoints.id, endpoint.id))
        .then(() => undefined);
      return "hang";
    });
    const summary = await sendDueWebhooks(db, { request: { timeoutMs: 300 } });
    await deleting;
    expect(summary).toMatchObject({ claimed: 1, succeeded: 0, retrying: 0, failed: 0 });
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id))).toEqual([]);
  });
});
