import { z } from "zod";
import { webhookDeliveryStatusEnum, webhookEventTypeEnum } from "@/db/schema";
import { isDeliveryCursor, listDeliveries, replayDelivery, sendTestEvent } from "@/lib/webhooks/deliveries";
import {
  createEndpointAndRevealSecret,
  deleteEndpoint,
  type EndpointView,
  type EndpointWithSecret,
  getEndpoint,
  listEndpoints,
  MAX_ENDPOINTS_PER_PORTAL,
  PREVIOUS_SECRET_OVERLAP_MS,
  revealEndpointSecret,
  rotateAndRevealEndpointSecret,
  updateEndpoint,
} from "@/lib/webhooks/endpoints";
import { subscribableEventTypeSchema } from "@/lib/webhooks/events";
import {
  createEndpointSchema,
  DELIVERY_PAGE_SIZE_DEFAULT,
  DELIVERY_PAGE_SIZE_MAX,
  updateEndpointSchema,
} from "@/lib/webhooks/schemas";
import { defineApiOperation } from "../operation";

/*
 * The office's outgoing webhook endpoints through the API (scope webhooks:manage; the permission
 * table gives "webhook.manage" to admins only, so an accountant key is refused whatever its
 * scopes). Each handler calls one lib/webhooks service with the key's actor; the services check
 * the office and the addresses (https, the host guard) exactly as for the settings page.
 */

const TAG = "Webhooks";
const OVERLAP_HOURS = PREVIOUS_SECRET_OVERLAP_MS / 3_600_000;

const webhookEventTypeSchema = subscribableEventTypeSchema.meta({
  id: "WebhookEventType",
  description:
    "An event an endpoint can subscribe to: a document entered a dossier (`received`), its type became known (`recognised`), the package acknowledged it (`sent`), its delivery failed for good (`failed`), the package refused it (`rejected`), a read-back proved the package took it in (`imported`).",
});

export const webhookEndpointIdParamsSchema = z.object({
  endpointId: z.guid().meta({ description: "The endpoint's id." }),
});

export const webhookEndpointSchema = z
  .object({
    id: z.guid(),
    url: z.string().meta({ description: "Where the messages are POSTed." }),
    description: z.string().meta({ description: "The office's own note on the endpoint; may be empty." }),
    eventTypes: z
      .array(webhookEventTypeSchema)
      .meta({ description: "The events sent to it. A test message goes to it whatever it subscribed to." }),
    status: z.enum(["active", "disabled_manual", "disabled_failing"]).meta({
      description:
        "`active`; switched off by hand (`disabled_manual`); or switched off by Koppel after 5 days of failed tries (`disabled_failing`, the office's admins were mailed). Events that happen while it is off are not kept for it. PATCH `enabled: true` switches it on again.",
    }),
    disabledAt: z.iso.datetime().nullable().meta({ description: "When it was switched off; null while active." }),
    failingSince: z.iso
      .datetime()
      .nullable()
      .meta({ description: "Since when its tries have failed without a success; null while they succeed." }),
    previousSecretExpiresAt: z.iso
      .datetime()
      .nullable()
      .meta({
        description: `After a rotation, until when the previous secret still signs beside the new one (${OVERLAP_HOURS} hours); null otherwise.`,
      }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "WebhookEndpoint", description: "An address of the office that receives signed messages." });

type WebhookEndpointBody = z.input<typeof webhookEndpointSchema>;

function endpointBodyOf(endpoint: EndpointView): WebhookEndpointBody {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    status: endpoint.status,
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

const secretSchema = z.string().meta({
  description:
    "The Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. Verify each message's `webhook-signature` with it (the `standardwebhooks` libraries take it as it is). Keep it secret.",
});

export const webhookEndpointWithSecretSchema = webhookEndpointSchema.extend({ secret: secretSchema }).meta({
  id: "WebhookEndpointWithSecret",
  description:
    "The endpoint and the secret just made for it. GET /webhook-endpoints/{endpointId}/secret reads it again.",
});

function endpointWithSecretBodyOf({
  endpoint,
  secret,
}: EndpointWithSecret): z.input<typeof webhookEndpointWithSecretSchema> {
  return { ...endpointBodyOf(endpoint), secret };
}

export const webhookSecretSchema = z.object({ secret: secretSchema }).meta({ id: "WebhookSecret" });

/** Where an endpoint lives in the API: the Location of a created one. */
function endpointLocation(endpointId: string): string {
  return `/api/v1/webhook-endpoints/${endpointId}`;
}

export const webhookEndpointListSchema = z
  .object({ items: z.array(webhookEndpointSchema) })
  .meta({ id: "WebhookEndpointList" });

export const listWebhookEndpoints = defineApiOperation({
  operationId: "listWebhookEndpoints",
  method: "get",
  path: "/webhook-endpoints",
  summary: "List the office's webhook endpoints",
  description: `Oldest first, all at once (an office has at most ${MAX_ENDPOINTS_PER_PORTAL}). The secrets are not in the list.`,
  tags: [TAG],
  scope: "webhooks:manage",
  responses: { 200: { description: "The office's endpoints.", schema: webhookEndpointListSchema } },
  async handle({ db, actor }) {
    const endpoints = await listEndpoints(db, actor, actor.portalId);
    return {
      status: 200,
      body: { items: endpoints.map(endpointBodyOf) } satisfies z.input<typeof webhookEndpointListSchema>,
    };
  },
});

export const newWebhookEndpointSchema = createEndpointSchema
  .extend({
    url: createEndpointSchema.shape.url.meta({
      description:
        "An absolute `https` address without user or password. Its host must resolve to public addresses only (no loopback, private, link-local or cloud-metadata ones): checked now and before every try. An address that is refused answers 400 with `errors` naming `url`.",
      example: "https://hooks.example.com/koppel",
    }),
    description: createEndpointSchema.shape.description.meta({
      description: "A note for the office (what listens there); up to 200 characters.",
    }),
    eventTypes: createEndpointSchema.shape.eventTypes.meta({
      description: "One or more events to receive; repeats count once.",
    }),
  })
  .meta({ id: "NewWebhookEndpoint" });

const locationHeader = z.object({
  Location: z.string().meta({ description: "The new endpoint's address: /api/v1/webhook-endpoints/{endpointId}." }),
});

export const createWebhookEndpoint = defineApiOperation({
  operationId: "createWebhookEndpoint",
  method: "post",
  path: "/webhook-endpoints",
  summary: "Register a webhook endpoint",
  description: `In the key's office, with a new signing secret, which the answer carries: keep it to verify the messages (GET /webhook-endpoints/{endpointId}/secret reads it again). An office has at most ${MAX_ENDPOINTS_PER_PORTAL} endpoints: one more is refused with 409 \`conflict\`.`,
  tags: [TAG],
  scope: "webhooks:manage",
  body: { kind: "json", schema: newWebhookEndpointSchema },
  responses: {
    201: {
      description: "The new endpoint, with its secret.",
      schema: webhookEndpointWithSecretSchema,
      headers: locationHeader,
    },
  },
  async handle({ db, actor, body }) {
    const created = await createEndpointAndRevealSecret(db, actor, actor.portalId, body);
    return {
      status: 201,
      body: endpointWithSecretBodyOf(created),
      headers: { Location: endpointLocation(created.endpoint.id) },
    };
  },
});

export const getWebhookEndpoint = defineApiOperation({
  operationId: "getWebhookEndpoint",
  method: "get",
  path: "/webhook-endpoints/{endpointId}",
  summary: "Get a webhook endpoint",
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  responses: { 200: { description: "The endpoint (without its secret).", schema: webhookEndpointSchema } },
  async handle({ db, actor, params }) {
    return { status: 200, body: endpointBodyOf(await getEndpoint(db, actor, params.endpointId)) };
  },
});

export const webhookEndpointChangeSchema = updateEndpointSchema
  .extend({
    url: updateEndpointSchema.shape.url.meta({
      description: "A new address, checked as when the endpoint was registered.",
    }),
    enabled: updateEndpointSchema.shape.enabled.meta({
      description:
        "`false` switches the endpoint off; `true` switches it on again, also after Koppel switched it off for failing (its 5 days start afresh).",
    }),
  })
  .refine((change) => Object.values(change).some((value) => value !== undefined), "api.nothingToUpdate")
  .meta({
    id: "WebhookEndpointChange",
    minProperties: 1,
    description: "Only the fields sent change; `eventTypes` replaces the whole list.",
  });

export const updateWebhookEndpoint = defineApiOperation({
  operationId: "updateWebhookEndpoint",
  method: "patch",
  path: "/webhook-endpoints/{endpointId}",
  summary: "Change a webhook endpoint",
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  body: { kind: "json", schema: webhookEndpointChangeSchema },
  responses: { 200: { description: "The endpoint as it is now.", schema: webhookEndpointSchema } },
  async handle({ db, actor, params, body }) {
    return { status: 200, body: endpointBodyOf(await updateEndpoint(db, actor, params.endpointId, body)) };
  },
});

export const deleteWebhookEndpoint = defineApiOperation({
  operationId: "deleteWebhookEndpoint",
  method: "delete",
  path: "/webhook-endpoints/{endpointId}",
  summary: "Delete a webhook endpoint",
  description: "With its delivery log. Messages not yet sent to it are dropped.",
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  responses: { 204: { description: "Deleted." } },
  async handle({ db, actor, params }) {
    await deleteEndpoint(db, actor, params.endpointId);
    return { status: 204 };
  },
});

export const rotateWebhookEndpointSecret = defineApiOperation({
  operationId: "rotateWebhookEndpointSecret",
  method: "post",
  path: "/webhook-endpoints/{endpointId}/secret/rotate",
  summary: "Make a new signing secret",
  description: `The new secret signs every message from now on. For ${OVERLAP_HOURS} hours (until \`previousSecretExpiresAt\`) the previous one signs beside it (\`webhook-signature\` then carries two signatures), so the receiver can switch over without refusing a message. Two rotations at once: one wins, the other answers 409 \`conflict\`.`,
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  responses: {
    200: { description: "The endpoint, with its new secret.", schema: webhookEndpointWithSecretSchema },
  },
  async handle({ db, actor, params }) {
    return {
      status: 200,
      body: endpointWithSecretBodyOf(await rotateAndRevealEndpointSecret(db, actor, params.endpointId)),
    };
  },
});

export const getWebhookEndpointSecret = defineApiOperation({
  operationId: "getWebhookEndpointSecret",
  method: "get",
  path: "/webhook-endpoints/{endpointId}/secret",
  summary: "Reveal the signing secret",
  description: "The endpoint's current secret (after a rotation, the new one).",
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  responses: { 200: { description: "The current secret.", schema: webhookSecretSchema } },
  async handle({ db, actor, params }) {
    const { secret } = await revealEndpointSecret(db, actor, params.endpointId);
    return { status: 200, body: { secret } satisfies z.input<typeof webhookSecretSchema> };
  },
});

const webhookAttemptSchema = z
  .object({
    attemptedAt: z.iso.datetime(),
    responseStatus: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The receiver's HTTP status; null when no answer came (see `error`)." }),
    durationMs: z.number().int().meta({ description: "How long the try took, in milliseconds." }),
    error: z.string().nullable().meta({
      description:
        "Why the try failed when it did (a status that is not 2xx, a timeout, a refused address); null on success.",
    }),
  })
  .meta({ id: "WebhookAttempt", description: "One try to send a message." });

export const webhookDeliverySchema = z
  .object({
    id: z.guid().meta({ description: "The delivery's id: replay it with this." }),
    messageId: z
      .string()
      .meta({ description: "The message's `webhook-id` header: the same on every try and on a replay." }),
    eventType: z
      .enum(webhookEventTypeEnum.enumValues)
      .meta({ description: "A subscribed event, or `webhook.test` for a test message." }),
    documentId: z.guid().nullable().meta({ description: "The document the event is about; null for a test message." }),
    status: z.enum(webhookDeliveryStatusEnum.enumValues).meta({
      description:
        "`pending` (being tried), `succeeded` (the receiver answered 2xx) or `failed` (no success within 24 hours; a test message is tried once).",
    }),
    attemptCount: z.number().int().meta({ description: "Tries so far." }),
    createdAt: z.iso.datetime().meta({ description: "When the message was made." }),
    nextAttemptAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: "When the next try is due, while pending; null once finished." }),
    lastAttemptAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: "When it was last tried; null before the first try." }),
    lastResponseStatus: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The receiver's status on the last try; null when it gave none." }),
    lastDurationMs: z.number().int().nullable().meta({ description: "How long the last try took, in milliseconds." }),
    lastError: z.string().nullable().meta({ description: "Why the last try failed; null when it succeeded." }),
    deliveredAt: z.iso.datetime().nullable().meta({ description: "When a try succeeded." }),
    attempts: z.array(webhookAttemptSchema).meta({ description: "Every try, oldest first." }),
  })
  .meta({ id: "WebhookDelivery", description: "One message to the endpoint, with its tries." });

export const webhookDeliveryPageSchema = z
  .object({
    items: z.array(webhookDeliverySchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass it as `cursor` for the next page; null on the last page. Opaque." }),
  })
  .meta({ id: "WebhookDeliveryPage" });

const limitMessage = "api.invalidLimit";

export const listWebhookDeliveriesQuerySchema = z.object({
  cursor: z
    .string()
    .max(200, "api.invalidCursor")
    .refine(isDeliveryCursor, "api.invalidCursor")
    .optional()
    .meta({ description: "The `nextCursor` of the previous page; leave it out for the first page." }),
  limit: z.coerce
    .number({ error: limitMessage })
    .int(limitMessage)
    .min(1, limitMessage)
    .max(DELIVERY_PAGE_SIZE_MAX, limitMessage)
    .default(DELIVERY_PAGE_SIZE_DEFAULT)
    .meta({ description: `Deliveries per page, 1 to ${DELIVERY_PAGE_SIZE_MAX}.` }),
});

function isoOrNull(date: Date | null): string | null {
  return date?.toISOString() ?? null;
}

export const listWebhookDeliveries = defineApiOperation({
  operationId: "listWebhookDeliveries",
  method: "get",
  path: "/webhook-endpoints/{endpointId}/deliveries",
  summary: "List an endpoint's deliveries",
  description:
    "Newest first, one page at a time: follow `nextCursor` until it is null. Finished deliveries are kept 30 days.",
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  query: listWebhookDeliveriesQuerySchema,
  responses: { 200: { description: "One page of deliveries.", schema: webhookDeliveryPageSchema } },
  async handle({ db, actor, params, query }) {
    const page = await listDeliveries(db, actor, params.endpointId, { cursor: query.cursor, limit: query.limit });
    const body: z.input<typeof webhookDeliveryPageSchema> = {
      items: page.deliveries.map((delivery) => ({
        id: delivery.id,
        messageId: delivery.messageId,
        eventType: delivery.eventType,
        documentId: delivery.documentId,
        status: delivery.status,
        attemptCount: delivery.attemptCount,
        createdAt: delivery.createdAt.toISOString(),
        nextAttemptAt: isoOrNull(delivery.nextAttemptAt),
        lastAttemptAt: isoOrNull(delivery.lastAttemptAt),
        lastResponseStatus: delivery.lastResponseStatus,
        lastDurationMs: delivery.lastDurationMs,
        lastError: delivery.lastError,
        deliveredAt: isoOrNull(delivery.deliveredAt),
        attempts: delivery.attempts.map((attempt) => ({
          attemptedAt: attempt.attemptedAt.toISOString(),
          responseStatus: attempt.responseStatus,
          durationMs: attempt.durationMs,
          error: attempt.error,
        })),
      })),
      nextCursor: page.nextCursor,
    };
    return { status: 200, body };
  },
});

export const queuedWebhookDeliverySchema = z
  .object({
    id: z.guid().meta({ description: "The delivery's id, as GET …/deliveries lists it." }),
    messageId: z.string().meta({ description: "The message's `webhook-id` header." }),
    endpointId: z.guid(),
  })
  .meta({
    id: "QueuedWebhookDelivery",
    description: "A message queued to be sent at once; its log tells how it went.",
  });

export const webhookDeliveryParamsSchema = webhookEndpointIdParamsSchema.extend({
  deliveryId: z.guid().meta({ description: "The delivery's id (from GET …/deliveries)." }),
});

export const replayWebhookDelivery = defineApiOperation({
  operationId: "replayWebhookDelivery",
  method: "post",
  path: "/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay",
  summary: "Send a delivery again",
  description:
    "A finished delivery (succeeded or failed) goes back in the queue as the same message (same `webhook-id`, same body) with a fresh 24 hours; its earlier tries stay in the log. A delivery still pending, or an endpoint switched off, answers 409 `conflict`.",
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookDeliveryParamsSchema,
  responses: { 202: { description: "Queued.", schema: queuedWebhookDeliverySchema } },
  async handle({ db, actor, params }) {
    const replayed = await replayDelivery(db, actor, params.deliveryId, { endpointId: params.endpointId });
    return {
      status: 202,
      body: {
        id: replayed.id,
        messageId: replayed.messageId,
        endpointId: replayed.endpointId,
      } satisfies z.input<typeof queuedWebhookDeliverySchema>,
    };
  },
});

export const sendWebhookTestMessage = defineApiOperation({
  operationId: "sendWebhookTestMessage",
  method: "post",
  path: "/webhook-endpoints/{endpointId}/test",
  summary: "Send a test message",
  description:
    'A `webhook.test` message (`data`: `{"endpointId": "…"}`) to this endpoint only, signed like every other, tried once; also to an endpoint that is switched off. It does not count towards the endpoint\'s health.',
  tags: [TAG],
  scope: "webhooks:manage",
  params: webhookEndpointIdParamsSchema,
  responses: { 202: { description: "Queued.", schema: queuedWebhookDeliverySchema } },
  async handle({ db, actor, params }) {
    const sent = await sendTestEvent(db, actor, params.endpointId);
    return {
      status: 202,
      body: {
        id: sent.id,
        messageId: sent.messageId,
        endpointId: sent.endpointId,
      } satisfies z.input<typeof queuedWebhookDeliverySchema>,
    };
  },
});

/** The webhook operations, in the reference's order (API_OPERATIONS takes them as one block). */
export const WEBHOOK_OPERATIONS = [
  listWebhookEndpoints,
  createWebhookEndpoint,
  getWebhookEndpoint,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookEndpointSecret,
  getWebhookEndpointSecret,
  listWebhookDeliveries,
  replayWebhookDelivery,
  sendWebhookTestMessage,
] as const;
