import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { apiIdempotencyKeys, webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import type { AnyApiOperation } from "@/lib/api/operation";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  getWebhookEndpointSecret,
  listWebhookDeliveries,
  listWebhookEndpoints,
  replayWebhookDelivery,
  rotateWebhookEndpointSecret,
  sendWebhookTestMessage,
  updateWebhookEndpoint,
} from "@/lib/api/operations/webhooks";
import { translatorFor } from "@/lib/i18n/translator";
import { sendJobEvent } from "@/lib/jobs/client";
import { sendDueWebhooks } from "@/lib/webhooks/deliver";
import { callApi, insertApiKey } from "../../../helpers/api";
import { type ApiWorld, createApiWorld } from "../../../helpers/api-examples/world";
import { createTestDb } from "../../../helpers/db";
import { setEnvFlag } from "../../../helpers/env";
import { type Receiver, startReceiver } from "../webhooks/setup";

/*
 * The webhook operations beyond the contract test's shapes: the secret a key gets is the one that
 * signs (checked with the standardwebhooks package), a rotation's overlap, the address refusals
 * named on `url`, the delivery log's paging and fields, replays scoped to their endpoint, and the
 * admin-only rule for keys.
 */

const session = vi.hoisted(() => ({ db: null as unknown }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("@/lib/jobs/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/jobs/client")>()),
  sendJobEvent: vi.fn(async () => {}),
}));

let opened: OpenedDb;
let world: ApiWorld;

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  world = await createApiWorld(opened.db);
});
afterAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  await opened?.close();
});
beforeEach(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  await opened.db.delete(webhookEndpoints).where(sql`true`);
  vi.mocked(sendJobEvent).mockClear();
});

type EndpointBody = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  status: string;
  failingSince: string | null;
  previousSecretExpiresAt: string | null;
  secret?: string;
};

async function call(
  operation: AnyApiOperation,
  path: string,
  init: { json?: unknown; key?: string; headers?: Record<string, string> } = {},
) {
  const response = await callApi(operation, path, { key: world.keys.admin, ...init });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

async function create(json: unknown = { url: "https://203.0.113.10/hooks", eventTypes: ["document.sent"] }) {
  const answer = await call(createWebhookEndpoint, "/webhook-endpoints", { json });
  expect(answer.status, answer.text).toBe(201);
  return answer.json() as EndpointBody & { secret: string };
}

const messageOf = (key: string) => translatorFor("en")(key as never);

describe("registering an endpoint", () => {
  it("answers 201 with the endpoint, its Location and the secret that GET …/secret reveals", async () => {
    const answer = await call(createWebhookEndpoint, "/webhook-endpoints", {
      json: {
        url: " https://203.0.113.10/hooks ",
        description: "Boekhoudscript",
        eventTypes: ["document.sent", "document.failed", "document.sent"],
      },
    });
    expect(answer.status, answer.text).toBe(201);
    const created = answer.json() as EndpointBody & { secret: string };
    expect(created).toMatchObject({
      url: "https://203.0.113.10/hooks",
      description: "Boekhoudscript",
      eventTypes: ["document.sent", "document.failed"],
      status: "active",
      failingSince: null,
      previousSecretExpiresAt: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(answer.headers.get("location")).toBe(`/api/v1/webhook-endpoints/${created.id}`);

    const revealed = await call(getWebhookEndpointSecret, `/webhook-endpoints/${created.id}/secret`);
    expect(revealed.json()).toEqual({ secret: created.secret });
    const read = await call(getWebhookEndpoint, `/webhook-endpoints/${created.id}`);
    expect(read.text).not.toContain("whsec_");
    const listed = await call(listWebhookEndpoints, "/webhook-endpoints");
    expect(listed.json().items.map((item: EndpointBody) => item.id)).toEqual([created.id]);
    expect(listed.text).not.toContain("whsec_");
  });

  it.each([
    ["http://203.0.113.10/hooks", "errors.webhookUrl.notHttps"],
    ["https://127.0.0.1/hooks", "errors.webhookUrl.hostNotAllowed"],
    ["https://169.254.169.254/latest/meta-data", "errors.webhookUrl.hostNotAllowed"],
    ["https://user:pass@203.0.113.10/hooks", "errors.webhookUrl.credentials"],
    ["not an address", "errors.webhookUrl.invalid"],
  ])("refuses %s with a 400 naming url, and stores nothing", async (url, key) => {
    const answer = await call(createWebhookEndpoint, "/webhook-endpoints", {
      json: { url, eventTypes: ["document.sent"] },
    });
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({
      code: "validation_failed",
      errors: [{ path: "url", message: messageOf(key) }],
    });
    expect(await opened.db.select().from(webhookEndpoints)).toEqual([]);
  });

  it("replays the first answer to a repeated Idempotency-Key, secret included, without storing the secret readable", async () => {
    const headers = { "idempotency-key": randomUUID() };
    const json = { url: "https://203.0.113.10/idempotent", eventTypes: ["document.sent"] };
    const first = await call(createWebhookEndpoint, "/webhook-endpoints", { json, headers });
    const again = await call(createWebhookEndpoint, "/webhook-endpoints", { json, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json()).toEqual(first.json());
    expect(await opened.db.select({ id: webhookEndpoints.id }).from(webhookEndpoints)).toHaveLength(1);

    const [stored] = await opened.db
      .select({ body: apiIdempotencyKeys.responseBody })
      .from(apiIdempotencyKeys)
      .where(eq(apiIdempotencyKeys.idempotencyKey, headers["idempotency-key"]));
    expect(stored?.body).toEqual(expect.any(String));
    expect(stored?.body).not.toContain(first.json().secret);
    expect(stored?.body).not.toContain("whsec_");
  });
});

describe("the secret a key gets", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver?.close());
  afterEach(() => {
    receiver.requests.length = 0;
  });

  const verify = (secret: string, index: number) => {
    const request = receiver.requests[index];
    return new Webhook(secret).verify(request?.body ?? "", {
      "webhook-id": String(request?.headers["webhook-id"]),
      "webhook-timestamp": String(request?.headers["webhook-timestamp"]),
      "webhook-signature": String(request?.headers["webhook-signature"]),
    });
  };

  it("verifies the test message; after a rotation the new and the old one both verify for 24 hours", async () => {
    // Plain http to 127.0.0.1 needs the operator's private-host switch.
    setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
    const created = await create({ url: receiver.url("/koppel"), eventTypes: ["document.sent"] });

    const test = await call(sendWebhookTestMessage, `/webhook-endpoints/${created.id}/test`);
    expect(test.status, test.text).toBe(202);
    expect(test.json()).toMatchObject({ endpointId: created.id, messageId: expect.stringMatching(/^msg_/) });
    expect(sendJobEvent).toHaveBeenCalledWith("webhooks/delivery.requested", { deliveryId: test.json().id });
    expect(await sendDueWebhooks(opened.db)).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(verify(created.secret, 0)).toEqual({
      type: "webhook.test",
      timestamp: expect.any(String),
      data: { endpointId: created.id },
    });
    expect(receiver.requests[0]?.headers["webhook-id"]).toBe(test.json().messageId);

    const before = Date.now();
    const rotated = await call(rotateWebhookEndpointSecret, `/webhook-endpoints/${created.id}/secret/rotate`);
    expect(rotated.status, rotated.text).toBe(200);
    const { secret, previousSecretExpiresAt } = rotated.json() as EndpointBody & { secret: string };
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.secret);
    const overlap = Date.parse(previousSecretExpiresAt ?? "") - before;
    expect(overlap).toBeGreaterThan(23.9 * 3_600_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
    expect((await call(getWebhookEndpointSecret, `/webhook-endpoints/${created.id}/secret`)).json()).toEqual({
      secret,
    });

    await call(sendWebhookTestMessage, `/webhook-endpoints/${created.id}/test`);
    await sendDueWebhooks(opened.db);
    expect(verify(secret, 1)).toMatchObject({ type: "webhook.test" });
    expect(verify(created.secret, 1)).toMatchObject({ type: "webhook.test" });
    expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, 1)).toThrow();
  });
});

describe("changing and deleting an endpoint", () => {
  it("switches it off by hand, then on again, which clears a failure run", async () => {
    const created = await create();
    const path = `/webhook-endpoints/${created.id}`;
    const off = await call(updateWebhookEndpoint, path, {
      json: { enabled: false, eventTypes: ["document.rejected"] },
    });
    expect(off.json()).toMatchObject({ status: "disabled_manual", eventTypes: ["document.rejected"] });

    await opened.db
      .update(webhookEndpoints)
      .set({ disabledReason: "failing", failingSince: new Date(Date.now() - 6 * 86_400_000) })
      .where(eq(webhookEndpoints.id, created.id));
    expect((await call(getWebhookEndpoint, path)).json()).toMatchObject({ status: "disabled_failing" });
    const on = await call(updateWebhookEndpoint, path, { json: { enabled: true } });
    expect(on.json()).toMatchObject({ status: "active", failingSince: null, disabledAt: null });
  });

  it("checks a new address like a new endpoint's, naming url", async () => {
    const created = await create();
    const answer = await call(updateWebhookEndpoint, `/webhook-endpoints/${created.id}`, {
      json: { url: "https://10.0.0.8/hooks" },
    });
    expect(answer.status).toBe(400);
    expect(answer.json().errors).toEqual([{ path: "url", message: messageOf("errors.webhookUrl.hostNotAllowed") }]);
    const empty = await call(updateWebhookEndpoint, `/webhook-endpoints/${created.id}`, { json: {} });
    expect(empty.json().errors).toEqual([{ path: "(body)", message: messageOf("errors.api.nothingToUpdate") }]);
    expect((await call(getWebhookEndpoint, `/webhook-endpoints/${created.id}`)).json().url).toBe(created.url);
  });

  it("deletes it with 204; then it is not found", async () => {
    const created = await create();
    const deleted = await call(deleteWebhookEndpoint, `/webhook-endpoints/${created.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call(getWebhookEndpoint, `/webhook-endpoints/${created.id}`)).status).toBe(404);
  });
});

/** A finished or pending delivery with its tries, made `minutesAgo` ago. */
async function insertDelivery(
  endpointId: string,
  status: "pending" | "succeeded" | "failed",
  minutesAgo: number,
): Promise<string> {
  const createdAt = new Date(Date.now() - minutesAgo * 60_000);
  const [row] = await opened.db
    .insert(webhookDeliveries)
    .values({
      endpointId,
      portalId: world.portal.id,
      messageId: `msg_${randomUUID().replaceAll("-", "")}`,
      eventType: "document.sent",
      documentId: world.document.id,
      payload: { type: "document.sent", timestamp: createdAt.toISOString(), data: {} },
      status,
      attemptCount: 2,
      createdAt,
      nextAttemptAt: new Date(createdAt.getTime() + 120_000),
      lastAttemptAt: new Date(createdAt.getTime() + 30_000),
      lastResponseStatus: status === "succeeded" ? 200 : 500,
      lastDurationMs: 87,
      lastError: status === "succeeded" ? null : "HTTP 500",
      deliveredAt: status === "succeeded" ? new Date(createdAt.getTime() + 30_000) : null,
    })
    .returning({ id: webhookDeliveries.id });
  if (!row) throw new Error("no delivery");
  await opened.db.insert(webhookAttempts).values([
    { deliveryId: row.id, attemptedAt: createdAt, responseStatus: 500, durationMs: 40, error: "HTTP 500" },
    {
      deliveryId: row.id,
      attemptedAt: new Date(createdAt.getTime() + 30_000),
      responseStatus: status === "succeeded" ? 200 : 500,
      durationMs: 87,
      error: status === "succeeded" ? null : "HTTP 500",
    },
  ]);
  return row.id;
}

describe("the delivery log", () => {
  it("walks the deliveries newest first, each once, with their tries, last answer and next try", async () => {
    const created = await create();
    const oldest = await insertDelivery(created.id, "succeeded", 30);
    const middle = await insertDelivery(created.id, "failed", 20);
    const newest = await insertDelivery(created.id, "pending", 10);

    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page = await call(listWebhookDeliveries, `/webhook-endpoints/${created.id}/deliveries?limit=1${query}`);
      expect(page.status, page.text).toBe(200);
      seen.push(...page.json().items);
      cursor = page.json().nextCursor;
      pages += 1;
    } while (cursor && pages < 5);
    expect(seen.map((item) => item.id)).toEqual([newest, middle, oldest]);
    expect(seen[0]).toMatchObject({
      status: "pending",
      attemptCount: 2,
      lastResponseStatus: 500,
      lastError: "HTTP 500",
      nextAttemptAt: expect.any(String),
      deliveredAt: null,
    });
    expect(seen[2]).toMatchObject({
      status: "succeeded",
      nextAttemptAt: null,
      lastResponseStatus: 200,
      lastError: null,
    });
    expect(seen[2]?.attempts).toEqual([
      { attemptedAt: expect.any(String), responseStatus: 500, durationMs: 40, error: "HTTP 500" },
      { attemptedAt: expect.any(String), responseStatus: 200, durationMs: 87, error: null },
    ]);
  });

  it("refuses a cursor it did not give out, naming query.cursor", async () => {
    const created = await create();
    const answer = await call(listWebhookDeliveries, `/webhook-endpoints/${created.id}/deliveries?cursor=garbage`);
    expect(answer.status).toBe(400);
    expect(answer.json().errors).toEqual([{ path: "query.cursor", message: messageOf("errors.api.invalidCursor") }]);
  });
});

describe("replaying a delivery", () => {
  it("puts a failed delivery back in the queue as the same message", async () => {
    const created = await create();
    const delivery = await insertDelivery(created.id, "failed", 5);
    const answer = await call(replayWebhookDelivery, `/webhook-endpoints/${created.id}/deliveries/${delivery}/replay`);
    expect(answer.status, answer.text).toBe(202);
    const [row] = await opened.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery));
    expect(answer.json()).toEqual({ id: delivery, messageId: row?.messageId, endpointId: created.id });
    expect(row).toMatchObject({ status: "pending", attemptCount: 2 });
    expect(sendJobEvent).toHaveBeenCalledWith("webhooks/delivery.requested", { deliveryId: delivery });
  });

  it("answers 404 for a delivery named under another endpoint of the office, and leaves it as it was", async () => {
    const owner = await create({ url: "https://203.0.113.10/owner", eventTypes: ["document.sent"] });
    const other = await create({ url: "https://203.0.113.10/other", eventTypes: ["document.sent"] });
    const delivery = await insertDelivery(owner.id, "failed", 5);
    const answer = await call(replayWebhookDelivery, `/webhook-endpoints/${other.id}/deliveries/${delivery}/replay`);
    expect(answer.status).toBe(404);
    const [row] = await opened.db
      .select({ status: webhookDeliveries.status })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, delivery));
    expect(row?.status).toBe("failed");
    expect(sendJobEvent).not.toHaveBeenCalled();
  });
});

describe("who may", () => {
  it("refuses every webhook operation to an accountant key with every scope (403), changing nothing", async () => {
    const created = await create();
    const delivery = await insertDelivery(created.id, "failed", 5);
    const { key } = await insertApiKey(opened.db, world.portal.id, { role: "accountant" });
    const webhookRows = async () =>
      JSON.stringify([
        await opened.db.select().from(webhookEndpoints),
        await opened.db.select().from(webhookDeliveries),
        await opened.db.select().from(webhookAttempts),
      ]);
    const before = await webhookRows();
    const calls: Array<[AnyApiOperation, string, unknown?]> = [
      [listWebhookEndpoints, "/webhook-endpoints"],
      [createWebhookEndpoint, "/webhook-endpoints", { url: "https://203.0.113.10/x", eventTypes: ["document.sent"] }],
      [getWebhookEndpoint, `/webhook-endpoints/${created.id}`],
      [updateWebhookEndpoint, `/webhook-endpoints/${created.id}`, { enabled: false }],
      [deleteWebhookEndpoint, `/webhook-endpoints/${created.id}`],
      [rotateWebhookEndpointSecret, `/webhook-endpoints/${created.id}/secret/rotate`],
      [getWebhookEndpointSecret, `/webhook-endpoints/${created.id}/secret`],
      [listWebhookDeliveries, `/webhook-endpoints/${created.id}/deliveries`],
      [replayWebhookDelivery, `/webhook-endpoints/${created.id}/deliveries/${delivery}/replay`],
      [sendWebhookTestMessage, `/webhook-endpoints/${created.id}/test`],
    ];
    for (const [operation, path, json] of calls) {
      const answer = await call(operation, path, { key, json });
      expect(answer.status, `${operation.operationId}: ${answer.text}`).toBe(403);
      expect(answer.json()).toMatchObject({ code: "forbidden" });
      expect(answer.text).not.toContain("whsec_");
    }
    expect(await webhookRows()).toBe(before);
  });

  it("answers another office's key 404 for this office's endpoint, and lists it only its own", async () => {
    const created = await create();
    const foreign = await call(getWebhookEndpointSecret, `/webhook-endpoints/${created.id}/secret`, {
      key: world.keys.otherOffice,
    });
    expect(foreign.status).toBe(404);
    const theirs = await call(listWebhookEndpoints, "/webhook-endpoints", { key: world.keys.otherOffice });
    expect(theirs.text).not.toContain(created.id);
  });
});
