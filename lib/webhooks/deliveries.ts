import "server-only";
import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { sendJobEvent } from "@/lib/jobs/client";
import { loadEndpoint } from "./endpoints";
import { TEST_EVENT_TYPE, type WebhookEventType } from "./events";
import { type ListDeliveriesInput, listDeliveriesSchema, webhookIdSchema } from "./schemas";

/*
 * An endpoint's delivery log, replays and test messages. Every service authorizes "webhook.manage"
 * on the office of the endpoint (or of the delivery's endpoint): another office's ids are
 * "not found".
 *
 * Replay: the same row goes back to pending with a fresh 24 hours, keeping its message id (the
 * Standard Webhooks `webhook-id`, so a receiver that already processed it can tell) and its earlier
 * attempts (the log shows the whole story). Only a delivery that has finished (succeeded or
 * failed) can be replayed; a pending one is still being tried.
 *
 * Test message: a "webhook.test" delivery to that one endpoint, through the same sender, tried
 * once; it goes to a disabled endpoint too, and does not count towards the endpoint's health.
 */

export type WebhookAttemptView = {
  attemptedAt: Date;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
};

export type WebhookDeliveryView = {
  id: string;
  messageId: string;
  eventType: WebhookEventType;
  documentId: string | null;
  status: "pending" | "succeeded" | "failed";
  attemptCount: number;
  createdAt: Date;
  /** When the next try is due; null once it has finished. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastResponseStatus: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  attempts: WebhookAttemptView[];
};

/** Asks the jobs to send one delivery now rather than at the next minute; the sweep covers a failure. */
async function kickDelivery(deliveryId: string): Promise<void> {
  try {
    await sendJobEvent("webhooks/delivery.requested", { deliveryId });
  } catch (error) {
    console.error(`[webhooks] could not ask for delivery ${deliveryId} at once; the sweep will send it`, error);
  }
}

const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.guid() });

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ createdAt: row.createdAt.toISOString(), id: row.id })).toString("base64url");
}

function decodeCursor(cursor: string): z.infer<typeof cursorSchema> | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whether a cursor is one listDeliveries gave out (the API refuses others with a 400; the page shows nothing). */
export function isDeliveryCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}

/** An endpoint's deliveries, newest first, with their attempts (oldest first); keyset paging. */
export async function listDeliveries(
  db: DbOrTx,
  actor: Actor,
  endpointId: string,
  input: ListDeliveriesInput = {},
): Promise<{ deliveries: WebhookDeliveryView[]; nextCursor: string | null }> {
  const endpoint = await loadEndpoint(db, actor, endpointId);
  const { cursor, limit } = parseInput(listDeliveriesSchema, input);
  const after = cursor ? decodeCursor(cursor) : null;
  if (cursor && !after) return { deliveries: [], nextCursor: null };
  const rows = await db
    .select({
      id: webhookDeliveries.id,
      messageId: webhookDeliveries.messageId,
      eventType: webhookDeliveries.eventType,
      documentId: webhookDeliveries.documentId,
      status: webhookDeliveries.status,
      attemptCount: webhookDeliveries.attemptCount,
      createdAt: webhookDeliveries.createdAt,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastAttemptAt: webhookDeliveries.lastAttemptAt,
      lastResponseStatus: webhookDeliveries.lastResponseStatus,
      lastDurationMs: webhookDeliveries.lastDurationMs,
      lastError: webhookDeliveries.lastError,
      deliveredAt: webhookDeliveries.deliveredAt,
    })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpoint.id),
        eq(webhookDeliveries.portalId, endpoint.portalId),
        after
          ? or(
              lt(webhookDeliveries.createdAt, new Date(after.createdAt)),
              and(eq(webhookDeliveries.createdAt, new Date(after.createdAt)), lt(webhookDeliveries.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const attempts =
    page.length === 0
      ? []
      : await db
          .select({
            deliveryId: webhookAttempts.deliveryId,
            attemptedAt: webhookAttempts.attemptedAt,
            responseStatus: webhookAttempts.responseStatus,
            durationMs: webhookAttempts.durationMs,
            error: webhookAttempts.error,
          })
          .from(webhookAttempts)
          .where(
            inArray(
              webhookAttempts.deliveryId,
              page.map((row) => row.id),
            ),
          )
          .orderBy(webhookAttempts.attemptedAt, webhookAttempts.id);
  const last = page.at(-1);
  return {
    deliveries: page.map((row) => ({
      ...row,
      nextAttemptAt: row.status === "pending" ? row.nextAttemptAt : null,
      attempts: attempts
        .filter((attempt) => attempt.deliveryId === row.id)
        .map(({ deliveryId: _deliveryId, ...attempt }) => attempt),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/**
 * Sends a finished delivery again: the same message (same id and body), pending again with a
 * fresh 24 hours, tried at once. With `endpointId` (the API's path names both), a delivery of
 * another endpoint is "not found".
 */
export async function replayDelivery(
  db: DbOrTx,
  actor: Actor,
  deliveryId: string,
  options: { now?: Date; endpointId?: string } = {},
): Promise<{ id: string; messageId: string; endpointId: string; portalId: string }> {
  if (!webhookIdSchema.safeParse(deliveryId).success) throw new NotFoundError();
  if (options.endpointId !== undefined && !webhookIdSchema.safeParse(options.endpointId).success) {
    throw new NotFoundError();
  }
  const [delivery] = await db
    .select({
      id: webhookDeliveries.id,
      portalId: webhookDeliveries.portalId,
      endpointId: webhookDeliveries.endpointId,
      isEndpointDisabled: sql<boolean>`${webhookEndpoints.disabledAt} is not null`,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        options.endpointId !== undefined ? eq(webhookDeliveries.endpointId, options.endpointId) : undefined,
      ),
    )
    .limit(1);
  if (!delivery) throw new NotFoundError();
  authorize(actor, "webhook.manage", { portalId: delivery.portalId });
  if (delivery.isEndpointDisabled) throw new ConflictError("webhooks.replay.endpointDisabled");
  const now = options.now ?? new Date();
  const [replayed] = await db
    .update(webhookDeliveries)
    .set({
      status: "pending",
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + 24 * 60 * 60 * 1000),
      deliveredAt: null,
    })
    .where(
      and(
        eq(webhookDeliveries.id, delivery.id),
        eq(webhookDeliveries.portalId, delivery.portalId),
        inArray(webhookDeliveries.status, ["succeeded", "failed"]),
      ),
    )
    .returning({ id: webhookDeliveries.id, messageId: webhookDeliveries.messageId });
  if (!replayed) throw new ConflictError("webhooks.replay.pending");
  await kickDelivery(replayed.id);
  return { ...replayed, endpointId: delivery.endpointId, portalId: delivery.portalId };
}

/** Makes a "webhook.test" message for the endpoint and asks for it to be sent at once. */
export async function sendTestEvent(
  db: DbOrTx,
  actor: Actor,
  endpointId: string,
  options: { now?: Date } = {},
): Promise<{ id: string; messageId: string; endpointId: string; portalId: string }> {
  const endpoint = await loadEndpoint(db, actor, endpointId);
  const now = options.now ?? new Date();
  const [delivery] = await db
    .insert(webhookDeliveries)
    .values({
      endpointId: endpoint.id,
      portalId: endpoint.portalId,
      messageId: `msg_${crypto.randomUUID().replaceAll("-", "")}`,
      eventType: TEST_EVENT_TYPE,
      payload: {
        type: TEST_EVENT_TYPE,
        timestamp: now.toISOString(),
        data: { endpointId: endpoint.id },
      },
      createdAt: now,
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + 24 * 60 * 60 * 1000),
    })
    .returning({ id: webhookDeliveries.id, messageId: webhookDeliveries.messageId });
  if (!delivery) throw new Error("test delivery not inserted");
  await kickDelivery(delivery.id);
  return { ...delivery, endpointId: endpoint.id, portalId: endpoint.portalId };
}
