import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { Resend } from "resend";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import { attempts, dispatches, emailWebhookDeliveries } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import type { ConnectorErrorCode } from "@/lib/connectors/errors";
import { settleSentDocument } from "@/lib/documents/life";
import type { Problem } from "@/lib/recognition/webhook";

/*
 * POST /api/webhooks/resend: Resend reports what became of the mails we sent. Resend signs its
 * webhooks with Svix (https://docs.svix.com/receiving/verifying-payloads/how-manual):
 *   svix-id: msg_…          the message id; the same on every redelivery of one message
 *   svix-timestamp: 1700…   unix seconds
 *   svix-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>"> [v1,<…> …]
 * keyed with the base64-decoded part of the "whsec_…" secret. Several space-separated signatures
 * appear while a secret is being rotated; one match is enough. The Resend SDK checks all of it
 * (resend.webhooks.verify, https://resend.com/docs/webhooks/verify-webhooks-requests), including
 * the 5-minute tolerance of the timestamp.
 *
 * Only the events about delivery mails change anything: `email.bounced` and `email.complained`
 * mark the document whose mail it was (status sent) failed with the reason, and its dispatch
 * gets a history line. `email.delivered` and every other event leave it as it is. Events about
 * mails that carried no document (sign-in links, digests) are answered 200 and ignored.
 */

export const SVIX_ID_HEADER = "svix-id";
export const SVIX_TIMESTAMP_HEADER = "svix-timestamp";
export const SVIX_SIGNATURE_HEADER = "svix-signature";
/** The connector id recorded on attempts of mail deliveries (lib/connectors/email). */
const EMAIL_CONNECTOR_ID = "email";

export type ResendWebhookOutcome =
  | {
      status: 200;
      body: {
        /** failed: a document was marked failed; the rest changed nothing. */
        result: "failed" | "unchanged" | "ignored" | "duplicate";
        documentId?: string;
      };
    }
  | { status: number; body: Problem };

const PROBLEMS = {
  badSignature: { status: 401, title: "Invalid signature" },
  staleTimestamp: { status: 401, title: "Timestamp outside the tolerance" },
  malformed: { status: 400, title: "Malformed request" },
  tooLarge: { status: 413, title: "Body too large" },
  internal: { status: 500, title: "Internal error" },
  databaseUnavailable: { status: 503, title: "Database unavailable" },
  notConfigured: { status: 503, title: "Webhook not configured" },
} as const;

export type ResendWebhookProblem = keyof typeof PROBLEMS;

/** An RFC 9457 problem; `type` names it so a sender's logs say what went wrong. */
export function resendWebhookProblem(name: ResendWebhookProblem, detail: string): ResendWebhookOutcome {
  const { status, title } = PROBLEMS[name];
  const slug = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return { status, body: { type: `urn:koppel:problem:resend-webhook:${slug}`, title, status, detail } };
}

/** The outcome as an HTTP response: problems as `application/problem+json`. */
export function resendWebhookResponse(outcome: ResendWebhookOutcome): Response {
  return new Response(JSON.stringify(outcome.body), {
    status: outcome.status,
    headers: {
      "content-type": outcome.status === 200 ? "application/json" : "application/problem+json",
      "cache-control": "no-store",
    },
  });
}

const clippedText = (maxLength: number) => z.string().transform((value) => value.slice(0, maxLength));

/** The fields we read of Resend's event (https://resend.com/docs/webhooks/emails/bounced). */
export const resendEventSchema = z.object({
  type: z.string().min(1).max(100),
  created_at: z.string().max(100).optional(),
  data: z.object({
    email_id: z.string().min(1).max(200).optional(),
    // Cut, not refused: a long bounce text must not make Svix retry a message we cannot take.
    bounce: z
      .object({
        type: clippedText(100).optional(),
        subType: clippedText(100).optional(),
        message: clippedText(1000).optional(),
      })
      .optional(),
  }),
});
export type ResendEvent = z.infer<typeof resendEventSchema>;

/** Events that mean the mail did not reach the package's inbox (or was refused by its reader). */
const FAILING_EVENTS = {
  "email.bounced": {
    // The recipient's server refused the address: fixed in the dossier's integration, then sent again.
    errorCode: "recipient_refused",
    reasonKey: "dispatch.bounce.bounced",
  },
  "email.complained": {
    // The package's inbox marked our mail as spam: the package refused it.
    errorCode: "package_refused",
    reasonKey: "dispatch.bounce.complained",
  },
} as const satisfies Record<string, { errorCode: ConnectorErrorCode; reasonKey: `dispatch.bounce.${string}` }>;

function isFailingEvent(type: string): type is keyof typeof FAILING_EVENTS {
  return Object.hasOwn(FAILING_EVENTS, type);
}

/**
 * The bounce as the mail server put it, for the history line: "Permanent · General: 550 5.1.1 …".
 * Vendor words, shown as they are (like a package's rejection reason); never a message key.
 */
export function bounceDetailOf(event: ResendEvent): string | null {
  const bounce = event.data.bounce;
  const kind = [bounce?.type, bounce?.subType].filter(Boolean).join(" · ");
  const message = bounce?.message?.trim();
  return [kind, message].filter(Boolean).join(": ") || null;
}

export type ResendWebhookRequest = {
  messageId: string | null;
  timestamp: string | null;
  signature: string | null;
  rawBody: string;
};

/**
 * The refusals of the SDK's check that mean "the timestamp is outside the tolerance" (5 minutes,
 * either way, against the server's clock). They come before the signature is looked at. The SDK
 * (through its standardwebhooks dependency) throws these messages; every other refusal of a
 * WebhookVerificationError means the headers or the signature do not hold.
 */
const STALE_TIMESTAMP_MESSAGES = new Set(["Message timestamp too old", "Message timestamp too new"]);

type VerifiedMessage = { ok: true; messageId: string; payload: unknown } | { ok: false; outcome: ResendWebhookOutcome };

/**
 * Checks the Svix headers and signature with the Resend SDK and returns the body it parsed. A
 * signed body that is not JSON is malformed (400): the SDK parses it only once the signature held.
 * Errors that are no verdict on the message (an unusable secret) are thrown, so the route answers
 * 500 and logs them.
 */
export function verifyResendWebhook(secret: string, request: ResendWebhookRequest): VerifiedMessage {
  const { messageId, timestamp, signature, rawBody } = request;
  const refuse = (name: ResendWebhookProblem, detail: string): VerifiedMessage => ({
    ok: false,
    outcome: resendWebhookProblem(name, detail),
  });
  if (!messageId || !timestamp || !signature) {
    return refuse("badSignature", "svix-id, svix-timestamp and svix-signature are required.");
  }
  // The SDK would read "1700000000abc" as a number; a timestamp is digits only.
  if (!/^\d{1,12}$/.test(timestamp)) return refuse("badSignature", "svix-timestamp must be unix seconds.");
  try {
    // verify needs no API key, but the SDK's constructor refuses to start without one.
    const payload: unknown = new Resend("re_webhook_verification_only").webhooks.verify({
      payload: rawBody,
      headers: { id: messageId, timestamp, signature },
      webhookSecret: secret,
    });
    // The SDK answers an empty body with undefined instead of parsing it.
    if (payload === undefined) return refuse("malformed", "The body is not JSON.");
    return { ok: true, messageId, payload };
  } catch (error) {
    if (error instanceof SyntaxError) return refuse("malformed", "The body is not JSON.");
    if (!(error instanceof Error) || error.name !== "WebhookVerificationError") throw error;
    if (STALE_TIMESTAMP_MESSAGES.has(error.message)) {
      return refuse("staleTimestamp", "svix-timestamp is more than 5 minutes away from the server's clock.");
    }
    return refuse("badSignature", "The signature does not match the id, timestamp and body.");
  }
}

/**
 * Verifies, parses and applies one webhook message. Nothing about the body is looked at before
 * the timestamp and signature hold (401), then its shape (400); the replay record and the change
 * are one transaction, so a message is applied once however often Svix redelivers it. `now` dates
 * the change; the timestamp's tolerance is the SDK's, against the server's clock.
 */
export async function processResendWebhook(
  db: Db,
  request: ResendWebhookRequest,
  options: { secret: string; now?: Date },
): Promise<ResendWebhookOutcome> {
  const verified = verifyResendWebhook(options.secret, request);
  if (!verified.ok) return verified.outcome;
  const { messageId } = verified;
  const now = options.now ?? new Date();
  if (messageId.length > 200) return resendWebhookProblem("malformed", "svix-id is too long.");
  const parsed = resendEventSchema.safeParse(verified.payload);
  if (!parsed.success) return resendWebhookProblem("malformed", "The body is not a Resend event.");
  const event = parsed.data;

  return db.transaction(async (tx) => {
    const [recorded] = await tx
      .insert(emailWebhookDeliveries)
      .values({ messageId, eventType: event.type, emailId: event.data.email_id ?? null })
      .onConflictDoNothing({ target: emailWebhookDeliveries.messageId })
      .returning({ id: emailWebhookDeliveries.id });
    if (!recorded) return { status: 200, body: { result: "duplicate" } } as const;

    const emailId = event.data.email_id;
    const delivery = emailId ? await findDocumentDelivery(tx, emailId) : null;
    if (!delivery) return { status: 200, body: { result: "ignored" } } as const;
    await tx
      .update(emailWebhookDeliveries)
      .set({ documentId: delivery.documentId })
      .where(eq(emailWebhookDeliveries.id, recorded.id));
    const eventType = event.type;
    if (!isFailingEvent(eventType)) {
      // email.delivered, opened, …: the document was sent and stays so.
      return { status: 200, body: { result: "unchanged", documentId: delivery.documentId } } as const;
    }
    const isMarked = await markDeliveryBounced(tx, delivery, event, eventType, now);
    return {
      status: 200,
      body: { result: isMarked ? "failed" : "unchanged", documentId: delivery.documentId },
    } as const;
  });
}

type DocumentDelivery = {
  dispatchId: string;
  portalId: string;
  documentId: string;
  trigger: (typeof dispatches.$inferSelect)["trigger"];
  target: Record<string, unknown>;
  emailId: string;
};

/**
 * The document delivery whose mail had this Resend id: a succeeded dispatch whose last successful
 * try went through the e-mail connector. An API package's reference can never match by accident.
 */
async function findDocumentDelivery(db: DbOrTx, emailId: string): Promise<DocumentDelivery | null> {
  const [row] = await db
    .select({
      dispatchId: dispatches.id,
      portalId: dispatches.portalId,
      documentId: dispatches.documentId,
      trigger: dispatches.trigger,
      target: dispatches.target,
    })
    .from(attempts)
    .innerJoin(dispatches, and(eq(dispatches.id, attempts.dispatchId), eq(dispatches.portalId, attempts.portalId)))
    .where(
      and(
        eq(attempts.packageReference, emailId),
        eq(attempts.connector, EMAIL_CONNECTOR_ID),
        eq(attempts.outcome, "succeeded"),
        eq(dispatches.packageReference, emailId),
      ),
    )
    .orderBy(desc(attempts.startedAt))
    .limit(1);
  if (!row?.documentId) return null;
  return { ...row, documentId: row.documentId, emailId };
}

/**
 * The document becomes failed, once (lib/documents/life.ts, settleSentDocument): only while it is
 * still sent *by this mail* (a later send of the same document is not undone by an old bounce),
 * and an archived one comes back out of the archive so it shows in the failure queue. Its dispatch
 * fails too and gets a history line with the mail server's words. Returns whether this call made
 * the change.
 */
async function markDeliveryBounced(
  tx: DbOrTx,
  delivery: DocumentDelivery,
  event: ResendEvent,
  eventType: keyof typeof FAILING_EVENTS,
  now: Date,
): Promise<boolean> {
  const { errorCode, reasonKey } = FAILING_EVENTS[eventType];
  return settleSentDocument(tx, {
    portalId: delivery.portalId,
    documentId: delivery.documentId,
    packageReference: delivery.emailId,
    verdict: "bounced",
    errorCode,
    reason: reasonKey,
    // A complaint carries no bounce: the translated lead says what happened.
    historyReason: bounceDetailOf(event) ?? reasonKey,
    now,
    actor: systemActor("resend-webhook"),
  });
}
