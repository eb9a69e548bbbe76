import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { encryptEndpointSecret, MAX_ENDPOINTS_PER_PORTAL } from "@/lib/webhooks/endpoints";
import { generateWebhookSecret } from "@/lib/webhooks/signing";
import type { ApiExample, ApiWorld } from "./world";

/*
 * Example calls of the webhook operations (lib/api/operations/webhooks.ts). Addresses are in
 * 203.0.113.0/24 (TEST-NET-3, RFC 5737): public to the host guard, needing no DNS, and nothing
 * is ever sent there (the tests run no job driver, so queued messages stay queued).
 */

let endpointNumber = 0;

/** An https address no other example uses. */
function freshUrl(): string {
  endpointNumber += 1;
  return `https://203.0.113.10/koppel/${endpointNumber}`;
}

/** An endpoint of the office, inserted as the service stores one (an encrypted secret). */
async function insertEndpoint(
  world: ApiWorld,
  values: Partial<Pick<typeof webhookEndpoints.$inferInsert, "disabledAt" | "disabledReason" | "failingSince">> = {},
): Promise<string> {
  const id = randomUUID();
  await world.db.insert(webhookEndpoints).values({
    id,
    portalId: world.portal.id,
    url: freshUrl(),
    description: "API example",
    eventTypes: ["document.sent", "document.failed"],
    secretEncrypted: encryptEndpointSecret(id, generateWebhookSecret()),
    ...values,
  });
  return id;
}

/** A document.failed message to the endpoint: pending (one failed try, the next one due) or finished after two tries. */
async function insertDelivery(
  world: ApiWorld,
  endpointId: string,
  status: "pending" | "succeeded" | "failed",
): Promise<string> {
  const now = Date.now();
  const [delivery] = await world.db
    .insert(webhookDeliveries)
    .values({
      endpointId,
      portalId: world.portal.id,
      messageId: `msg_${randomUUID().replaceAll("-", "")}`,
      eventType: "document.failed",
      documentId: world.document.id,
      payload: {
        type: "document.failed",
        timestamp: new Date(now - 60_000).toISOString(),
        data: { documentId: world.document.id, dossierId: world.dossier.id, status: "failed" },
      },
      status,
      attemptCount: status === "pending" ? 1 : 2,
      createdAt: new Date(now - 60_000),
      nextAttemptAt: new Date(now + 30_000),
      lastAttemptAt: new Date(now - 30_000),
      lastResponseStatus: status === "succeeded" ? 204 : 503,
      lastDurationMs: 120,
      lastError: status === "succeeded" ? null : "HTTP 503",
      giveUpAt: status === "failed" ? new Date(now - 1000) : new Date(now + 86_400_000),
      deliveredAt: status === "succeeded" ? new Date(now - 30_000) : null,
    })
    .returning({ id: webhookDeliveries.id });
  if (!delivery) throw new Error("delivery not inserted");
  const tries = status === "pending" ? [503] : status === "succeeded" ? [503, 204] : [503, null];
  await world.db.insert(webhookAttempts).values(
    tries.map((responseStatus, index) => ({
      deliveryId: delivery.id,
      attemptedAt: new Date(now - 50_000 + index * 20_000),
      responseStatus,
      durationMs: 120,
      error: responseStatus === null ? "timeout" : responseStatus >= 300 ? `HTTP ${responseStatus}` : null,
    })),
  );
  return delivery.id;
}

/**
 * The office may have 20 endpoints and the examples insert many: a create example first removes
 * the ones earlier examples left (each call uses only what its own prepare made).
 */
async function makeRoomForEndpoints(world: ApiWorld): Promise<void> {
  await world.db.delete(webhookEndpoints).where(eq(webhookEndpoints.portalId, world.portal.id));
}

export const WEBHOOK_EXAMPLES: ApiExample[] = [
  {
    operationId: "listWebhookEndpoints",
    title: "lists the office's endpoints",
    status: 200,
    prepare: async (world) => {
      await insertEndpoint(world);
      return { path: "/webhook-endpoints" };
    },
  },
  {
    operationId: "listWebhookEndpoints",
    title: "refuses an accountant key with every scope (webhook.manage is for admins)",
    as: "accountant",
    status: 403,
    prepare: () => ({ path: "/webhook-endpoints" }),
  },
  {
    operationId: "createWebhookEndpoint",
    title: "registers an https endpoint and answers its secret",
    status: 201,
    prepare: async (world) => {
      await makeRoomForEndpoints(world);
      return {
        path: "/webhook-endpoints",
        json: { url: freshUrl(), description: "Ons boekhoudscript", eventTypes: ["document.sent", "document.failed"] },
      };
    },
  },
  {
    operationId: "createWebhookEndpoint",
    title: "refuses a plain http address (400 on url)",
    status: 400,
    prepare: () => ({
      path: "/webhook-endpoints",
      json: { url: "http://203.0.113.10/koppel", eventTypes: ["document.sent"] },
    }),
  },
  {
    operationId: "createWebhookEndpoint",
    title: "refuses an address the host guard refuses (loopback, 400 on url)",
    status: 400,
    prepare: () => ({
      path: "/webhook-endpoints",
      json: { url: "https://127.0.0.1/hooks", eventTypes: ["document.sent"] },
    }),
  },
  {
    operationId: "createWebhookEndpoint",
    title: "refuses an event that does not exist",
    status: 400,
    prepare: () => ({ path: "/webhook-endpoints", json: { url: freshUrl(), eventTypes: ["document.printed"] } }),
  },
  {
    operationId: "createWebhookEndpoint",
    title: "refuses an accountant key",
    as: "accountant",
    status: 403,
    prepare: () => ({ path: "/webhook-endpoints", json: { url: freshUrl(), eventTypes: ["document.sent"] } }),
  },
  {
    operationId: "createWebhookEndpoint",
    title: `refuses an endpoint beyond the office's ${MAX_ENDPOINTS_PER_PORTAL}`,
    status: 409,
    prepare: async (world) => {
      await makeRoomForEndpoints(world);
      for (let index = 0; index < MAX_ENDPOINTS_PER_PORTAL; index += 1) await insertEndpoint(world);
      return { path: "/webhook-endpoints", json: { url: freshUrl(), eventTypes: ["document.sent"] } };
    },
  },
  {
    operationId: "getWebhookEndpoint",
    title: "reads an endpoint",
    status: 200,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}` }),
  },
  {
    operationId: "getWebhookEndpoint",
    title: "reads an endpoint switched off for failing",
    status: 200,
    prepare: async (world) => {
      const since = new Date(Date.now() - 6 * 86_400_000);
      const id = await insertEndpoint(world, {
        disabledAt: new Date(),
        disabledReason: "failing",
        failingSince: since,
      });
      return { path: `/webhook-endpoints/${id}` };
    },
  },
  {
    operationId: "getWebhookEndpoint",
    title: "answers 404 for an id that names nothing",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}` }),
  },
  {
    operationId: "updateWebhookEndpoint",
    title: "switches an endpoint off and changes its events",
    status: 200,
    prepare: async (world) => ({
      path: `/webhook-endpoints/${await insertEndpoint(world)}`,
      json: { enabled: false, eventTypes: ["document.rejected"], description: "Alleen weigeringen" },
    }),
  },
  {
    operationId: "updateWebhookEndpoint",
    title: "switches an endpoint that failed for 5 days on again, at a new address",
    status: 200,
    prepare: async (world) => {
      const id = await insertEndpoint(world, {
        disabledAt: new Date(),
        disabledReason: "failing",
        failingSince: new Date(Date.now() - 6 * 86_400_000),
      });
      return { path: `/webhook-endpoints/${id}`, json: { enabled: true, url: freshUrl() } };
    },
  },
  {
    operationId: "updateWebhookEndpoint",
    title: "refuses an empty change",
    status: 400,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}`, json: {} }),
  },
  {
    operationId: "updateWebhookEndpoint",
    title: "refuses a plain http address (400 on url)",
    status: 400,
    prepare: async (world) => ({
      path: `/webhook-endpoints/${await insertEndpoint(world)}`,
      json: { url: "http://203.0.113.10/koppel" },
    }),
  },
  {
    operationId: "updateWebhookEndpoint",
    title: "answers 404 for an id that names nothing",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}`, json: { enabled: false } }),
  },
  {
    operationId: "deleteWebhookEndpoint",
    title: "deletes an endpoint with its log",
    status: 204,
    prepare: async (world) => {
      const id = await insertEndpoint(world);
      await insertDelivery(world, id, "failed");
      return { path: `/webhook-endpoints/${id}` };
    },
  },
  {
    operationId: "deleteWebhookEndpoint",
    title: "answers 404 for an id that names nothing",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}` }),
  },
  {
    operationId: "rotateWebhookEndpointSecret",
    title: "makes a new secret",
    status: 200,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}/secret/rotate` }),
  },
  {
    operationId: "rotateWebhookEndpointSecret",
    title: "answers 404 for an id that names nothing",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}/secret/rotate` }),
  },
  {
    operationId: "getWebhookEndpointSecret",
    title: "reveals the secret",
    status: 200,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}/secret` }),
  },
  {
    operationId: "getWebhookEndpointSecret",
    title: "refuses an accountant key",
    as: "accountant",
    status: 403,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}/secret` }),
  },
  {
    operationId: "getWebhookEndpointSecret",
    title: "answers 404 for an id that names nothing",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}/secret` }),
  },
  {
    operationId: "listWebhookDeliveries",
    title: "lists the deliveries with their tries",
    status: 200,
    prepare: async (world) => {
      const id = await insertEndpoint(world);
      for (const status of ["succeeded", "failed", "pending"] as const) await insertDelivery(world, id, status);
      return { path: `/webhook-endpoints/${id}/deliveries` };
    },
  },
  {
    operationId: "listWebhookDeliveries",
    title: "pages one at a time",
    status: 200,
    prepare: async (world) => {
      const id = await insertEndpoint(world);
      await insertDelivery(world, id, "succeeded");
      await insertDelivery(world, id, "failed");
      return { path: `/webhook-endpoints/${id}/deliveries?limit=1` };
    },
  },
  {
    operationId: "listWebhookDeliveries",
    title: "lists an endpoint without deliveries",
    status: 200,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}/deliveries` }),
  },
  {
    operationId: "listWebhookDeliveries",
    title: "refuses a cursor it did not give out",
    status: 400,
    prepare: async (world) => ({
      path: `/webhook-endpoints/${await insertEndpoint(world)}/deliveries?cursor=bm90LWEtY3Vyc29y`,
    }),
  },
  {
    operationId: "listWebhookDeliveries",
    title: "refuses a limit over 100",
    status: 400,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}/deliveries?limit=101` }),
  },
  {
    operationId: "listWebhookDeliveries",
    title: "answers 404 for an endpoint that does not exist",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}/deliveries` }),
  },
  {
    operationId: "replayWebhookDelivery",
    title: "queues a failed delivery again",
    status: 202,
    prepare: async (world) => {
      const id = await insertEndpoint(world);
      return { path: `/webhook-endpoints/${id}/deliveries/${await insertDelivery(world, id, "failed")}/replay` };
    },
  },
  {
    operationId: "replayWebhookDelivery",
    title: "refuses a delivery still pending (409)",
    status: 409,
    prepare: async (world) => {
      const id = await insertEndpoint(world);
      return { path: `/webhook-endpoints/${id}/deliveries/${await insertDelivery(world, id, "pending")}/replay` };
    },
  },
  {
    operationId: "replayWebhookDelivery",
    title: "refuses on an endpoint switched off (409)",
    status: 409,
    prepare: async (world) => {
      const id = await insertEndpoint(world, { disabledAt: new Date(), disabledReason: "manual" });
      return { path: `/webhook-endpoints/${id}/deliveries/${await insertDelivery(world, id, "failed")}/replay` };
    },
  },
  {
    operationId: "replayWebhookDelivery",
    title: "answers 404 for a delivery of another endpoint of the office",
    status: 404,
    prepare: async (world) => {
      const other = await insertEndpoint(world);
      const delivery = await insertDelivery(world, other, "failed");
      return { path: `/webhook-endpoints/${await insertEndpoint(world)}/deliveries/${delivery}/replay` };
    },
  },
  {
    operationId: "replayWebhookDelivery",
    title: "answers 404 for a delivery that does not exist",
    status: 404,
    prepare: async (world) => ({
      path: `/webhook-endpoints/${await insertEndpoint(world)}/deliveries/${world.unknownId()}/replay`,
    }),
  },
  {
    operationId: "sendWebhookTestMessage",
    title: "queues a test message",
    status: 202,
    prepare: async (world) => ({ path: `/webhook-endpoints/${await insertEndpoint(world)}/test` }),
  },
  {
    operationId: "sendWebhookTestMessage",
    title: "queues a test message to an endpoint switched off",
    status: 202,
    prepare: async (world) => {
      const id = await insertEndpoint(world, { disabledAt: new Date(), disabledReason: "manual" });
      return { path: `/webhook-endpoints/${id}/test` };
    },
  },
  {
    operationId: "sendWebhookTestMessage",
    title: "answers 404 for an endpoint that does not exist",
    status: 404,
    prepare: (world) => ({ path: `/webhook-endpoints/${world.unknownId()}/test` }),
  },
];
