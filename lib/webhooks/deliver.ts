import "server-only";
import { and, eq, inArray, isNull, lt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { decryptEndpointSecret } from "./endpoints";
import { TEST_EVENT_TYPE, type WebhookEventType, webhookBodyOf, webhookPayloadSchema } from "./events";
import { postWebhook, type WebhookRequest, type WebhookTryOutcome } from "./http";
import { webhookHeaders } from "./signing";

/*
 * The sender: claims due deliveries, sends each once, records the try, and decides what comes
 * next. Runs from the webhook-sweep cron (every minute) and the webhook-deliver job (a test message
 * or a replay, at once); both may run on several instances at the same time.
 *
 * A claim is a lease, not an open transaction (no network call inside a transaction): in one
 * statement it takes due rows with FOR UPDATE SKIP LOCKED, counts the try and pushes the row's
 * next try past the lease, so no other sender takes it meanwhile. The outcome is recorded only
 * while the try count is still the one the claim set: a sender that outlived its lease (and whose
 * row another sender took again) records its attempt in the log but decides nothing.
 *
 * Retries: 2xx is success; anything else (an error status, a 3xx, no answer in 10 s, a refused
 * address) is tried again after 30 s, 1 min, 2 min, … doubling up to 1 h, each shortened by up to
 * a quarter at random so that a burst does not come back in step, as long as the next try would
 * start before the delivery's give-up time (24 hours after it was made or replayed); then it has
 * failed. A test message is tried once. An endpoint whose tries have failed without a success for
 * 5 days is disabled, and its office's admins are mailed once (lib/webhooks/notify.ts).
 */

/** Longer than a try can take (10 s, plus DNS and the database): the claim's lease. */
export const CLAIM_LEASE_MS = 60_000;
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 60 * 60_000;
/** How long an endpoint may fail without one success before it is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60_000;
/** How long the log keeps a finished delivery. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 60 * 60_000;
/** What one sender takes at a time, and how many of those it sends at once. */
export const CLAIM_BATCH = 20;
const SEND_CONCURRENCY = 5;

/** The wait before the next try, after `tries` tries failed (1 after the first). */
export function retryDelayMs(tries: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, tries - 1));
  return Math.round(exponential * (0.75 + 0.25 * random()));
}

export type SenderOptions = {
  /** The sender's clock (tests move it). */
  now?: () => Date;
  random?: () => number;
  /** How a try is made: tests keep the address options (private switch, resolver) here. */
  request?: Pick<WebhookRequest, "allowPrivate" | "lookup" | "timeoutMs">;
};

export type ClaimedDelivery = {
  id: string;
  endpointId: string;
  portalId: string;
  messageId: string;
  eventType: WebhookEventType;
  payload: unknown;
  /** The try count this claim set: the fence of its outcome. */
  attemptCount: number;
  giveUpAt: Date;
  url: string;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
};

type RawClaim = {
  id: string;
  endpoint_id: string;
  portal_id: string;
  message_id: string;
  event_type: WebhookEventType;
  payload: unknown;
  attempt_count: number;
  give_up_at: string | Date;
  url: string;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: string | Date | null;
};

const asDate = (value: string | Date) => (value instanceof Date ? value : new Date(value));

/**
 * Marks pending deliveries whose give-up time has passed without a try in flight as failed: those
 * of a disabled endpoint, or left while no sender ran.
 */
export async function expireOverdueDeliveries(db: Db, now: Date): Promise<number> {
  const expired = await db
    .update(webhookDeliveries)
    .set({ status: "failed", lastError: "given up: no successful try within 24 hours" })
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.giveUpAt, now),
        lte(webhookDeliveries.nextAttemptAt, now),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return expired.length;
}

/**
 * Claims up to `limit` due deliveries (or the one `deliveryId`, when it is due) of enabled
 * endpoints; a test message goes to a disabled endpoint too (an admin checks a fix before
 * switching it back on).
 */
export async function claimDueDeliveries(
  db: Db,
  input: { now: Date; limit: number; deliveryId?: string },
): Promise<ClaimedDelivery[]> {
  const now = input.now.toISOString();
  const leaseEnd = new Date(input.now.getTime() + CLAIM_LEASE_MS).toISOString();
  const result = await db.execute(sql`
    with due as (
      select d.id from ${webhookDeliveries} d
      join ${webhookEndpoints} ep on ep.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${now}::timestamptz and d.give_up_at > ${now}::timestamptz
        and (ep.disabled_at is null or d.event_type = ${TEST_EVENT_TYPE})
        ${input.deliveryId ? sql`and d.id = ${input.deliveryId}::uuid` : sql``}
      order by d.next_attempt_at
      limit ${input.limit}
      for update of d skip locked
    )
    update ${webhookDeliveries} d
    set attempt_count = d.attempt_count + 1, next_attempt_at = ${leaseEnd}::timestamptz,
      last_attempt_at = ${now}::timestamptz
    from due, ${webhookEndpoints} ep
    where d.id = due.id and ep.id = d.endpoint_id
    returning d.id, d.endpoint_id, d.portal_id, d.message_id, d.event_type, d.payload, d.attempt_count,
      d.give_up_at, ep.url, ep.secret_encrypted, ep.previous_secret_encrypted, ep.previous_secret_expires_at`);
  return (result as unknown as { rows: RawClaim[] }).rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    portalId: row.portal_id,
    messageId: row.message_id,
    eventType: row.event_type,
    payload: row.payload,
    attemptCount: Number(row.attempt_count),
    giveUpAt: asDate(row.give_up_at),
    url: row.url,
    secretEncrypted: row.secret_encrypted,
    previousSecretEncrypted: row.previous_secret_encrypted,
    previousSecretExpiresAt: row.previous_secret_expires_at ? asDate(row.previous_secret_expires_at) : null,
  }));
}

/** The secrets that sign a try: the current one, and the one before a rotation while it overlaps. */
function signingSecrets(claim: ClaimedDelivery, now: Date): string[] {
  const secrets = [decryptEndpointSecret(claim.endpointId, claim.secretEncrypted)];
  if (claim.previousSecretEncrypted && claim.previousSecretExpiresAt && claim.previousSecretExpiresAt > now) {
    secrets.push(decryptEndpointSecret(claim.endpointId, claim.previousSecretEncrypted));
  }
  return secrets;
}

/** One try of a claimed delivery; never throws (a payload or secret that cannot be read is a failed try). */
export async function tryDelivery(
  claim: ClaimedDelivery,
  options: { now: Date; request?: SenderOptions["request"] },
): Promise<WebhookTryOutcome> {
  let body: string;
  let secrets: string[];
  try {
    body = webhookBodyOf(webhookPayloadSchema.parse(claim.payload));
    secrets = signingSecrets(claim, options.now);
  } catch (error) {
    console.error(`[webhooks] delivery ${claim.id}: payload or secret unreadable`, error);
    return { ok: false, responseStatus: null, durationMs: 0, error: "payload or secret unreadable" };
  }
  const headers = webhookHeaders({
    secrets,
    messageId: claim.messageId,
    timestampSeconds: Math.floor(options.now.getTime() / 1000),
    body,
  });
  return postWebhook({ url: claim.url, headers, body, ...options.request });
}

export type RecordedOutcome = {
  status: "succeeded" | "pending" | "failed" | "superseded";
  nextAttemptAt: Date | null;
  /** The endpoint was disabled by this try (5 days of failures). */
  endpointDisabled: boolean;
};

/**
 * Records a try: its attempt row, the delivery's next state (only while the claim's fence holds)
 * and the endpoint's failure run (test messages leave the endpoint's health alone), in one
 * transaction.
 */
export async function recordTry(
  db: Db,
  claim: ClaimedDelivery,
  outcome: WebhookTryOutcome,
  options: { now: Date; random?: () => number },
): Promise<RecordedOutcome> {
  const { now } = options;
  const isTest = claim.eventType === TEST_EVENT_TYPE;
  const retryAt = new Date(now.getTime() + retryDelayMs(claim.attemptCount, options.random));
  const next: { status: "succeeded" | "pending" | "failed"; nextAttemptAt: Date | null } = outcome.ok
    ? { status: "succeeded", nextAttemptAt: null }
    : isTest || retryAt > claim.giveUpAt
      ? { status: "failed", nextAttemptAt: null }
      : { status: "pending", nextAttemptAt: retryAt };
  return db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: claim.id,
      attemptedAt: now,
      responseStatus: outcome.responseStatus,
      durationMs: outcome.durationMs,
      error: outcome.error,
    });
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({
        status: next.status,
        nextAttemptAt: next.nextAttemptAt ?? now,
        lastResponseStatus: outcome.responseStatus,
        lastDurationMs: outcome.durationMs,
        lastError: outcome.error,
        ...(outcome.ok ? { deliveredAt: now } : {}),
      })
      .where(
        and(
          eq(webhookDeliveries.id, claim.id),
          eq(webhookDeliveries.status, "pending"),
          eq(webhookDeliveries.attemptCount, claim.attemptCount),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    if (!updated) return { status: "superseded", nextAttemptAt: null, endpointDisabled: false };
    if (isTest) return { ...next, endpointDisabled: false };
    if (outcome.ok) {
      await tx
        .update(webhookEndpoints)
        .set({ failingSince: null })
        .where(and(eq(webhookEndpoints.id, claim.endpointId), sql`${webhookEndpoints.failingSince} is not null`));
      return { ...next, endpointDisabled: false };
    }
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now.toISOString()}::timestamptz)` })
      .where(eq(webhookEndpoints.id, claim.endpointId))
      .returning({ failingSince: webhookEndpoints.failingSince, disabledAt: webhookEndpoints.disabledAt });
    const hasFailedLongEnough =
      endpoint?.failingSince && now.getTime() - endpoint.failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
    if (!endpoint || endpoint.disabledAt || !hasFailedLongEnough) return { ...next, endpointDisabled: false };
    const [disabled] = await tx
      .update(webhookEndpoints)
      .set({ disabledAt: now, disabledReason: "failing", disabledNoticeSentAt: null, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, claim.endpointId), isNull(webhookEndpoints.disabledAt)))
      .returning({ id: webhookEndpoints.id });
    return { ...next, endpointDisabled: Boolean(disabled) };
  });
}

export type SendSummary = { claimed: number; succeeded: number; retrying: number; failed: number; disabled: number };

/**
 * One round of the sender: expires what is overdue, claims a batch of due deliveries (or the one
 * asked for), sends them a few at a time and records each try.
 */
export async function sendDueWebhooks(
  db: Db,
  input: { deliveryId?: string; limit?: number } & SenderOptions = {},
): Promise<SendSummary> {
  const clock = input.now ?? (() => new Date());
  await expireOverdueDeliveries(db, clock());
  const claims = await claimDueDeliveries(db, {
    now: clock(),
    limit: input.limit ?? CLAIM_BATCH,
    deliveryId: input.deliveryId,
  });
  const summary: SendSummary = { claimed: claims.length, succeeded: 0, retrying: 0, failed: 0, disabled: 0 };
  const queue = [...claims];
  const worker = async () => {
    for (let claim = queue.shift(); claim; claim = queue.shift()) {
      const outcome = await tryDelivery(claim, { now: clock(), request: input.request });
      let recorded: RecordedOutcome;
      try {
        recorded = await recordTry(db, claim, outcome, { now: clock(), random: input.random });
      } catch (error) {
        // The endpoint was deleted meanwhile (its deliveries with it), or the database hiccuped:
        // the claim's lease runs out and the delivery, if it still exists, is tried again.
        console.error(`[webhooks] the try of delivery ${claim.id} was not recorded`, error);
        continue;
      }
      if (recorded.status === "succeeded") summary.succeeded++;
      else if (recorded.status === "pending") summary.retrying++;
      else if (recorded.status === "failed") summary.failed++;
      if (recorded.endpointDisabled) summary.disabled++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, claims.length) }, worker));
  return summary;
}

/**
 * Deletes finished deliveries (with their attempts) made more than 30 days before `now`. Per
 * endpoint, so each delete walks the endpoint's (endpoint, created) index.
 */
export async function pruneFinishedDeliveries(db: Db, input: { now: Date }): Promise<number> {
  const cutoff = new Date(input.now.getTime() - DELIVERY_RETENTION_MS);
  const endpoints = await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints);
  let deleted = 0;
  for (const endpoint of endpoints) {
    const rows = await db
      .delete(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpoint.id),
          lt(webhookDeliveries.createdAt, cutoff),
          inArray(webhookDeliveries.status, ["succeeded", "failed"]),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    deleted += rows.length;
  }
  return deleted;
}
