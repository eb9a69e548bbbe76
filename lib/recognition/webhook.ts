import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/db";
import { recognitionDeliveries } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { announceDocumentRecognised } from "@/lib/documents/events";
import { type RecognisedFields, recognisedFieldsSchema } from "@/lib/documents/fields";
import { DocumentRefusedError, recordRecognition } from "@/lib/documents/life";
import type { DocumentRefusal } from "@/lib/documents/refusals";
import { documentTypeSchema, recognitionConfidenceSchema } from "@/lib/documents/schemas";
import { type AppError, isAppError } from "@/lib/errors";

/*
 * POST /api/webhooks/recognition: the recognition step reports a document's type and fields.
 * Signed like Stripe's webhooks: `X-Koppel-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw
 * body>">` with `X-Koppel-Timestamp` in unix seconds, a 5-minute tolerance, and each delivery
 * processed once (its hash is stored in the same transaction as the change it makes).
 */

export const TIMESTAMP_HEADER = "x-koppel-timestamp";
export const SIGNATURE_HEADER = "x-koppel-signature";
/** How far the timestamp may be from our clock, either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;
/** A delivery is a small JSON object; anything bigger is refused before it is read in full. */
export const MAX_BODY_BYTES = 64 * 1024;

/** An RFC 9457 problem, answered as `application/problem+json`. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** For 400: which fields were refused (paths only, never the values). */
  errors?: { path: string; message: string }[];
  /** For a 409 of the document-life rules: which rule refused (lib/documents/refusals.ts). */
  refusal?: DocumentRefusal;
};

export type WebhookOutcome =
  | { status: 200; body: { documentId: string; documentType: string; status: "recognised" } }
  | { status: number; body: Problem };

const PROBLEMS = {
  badSignature: { status: 401, title: "Invalid signature" },
  staleTimestamp: { status: 401, title: "Timestamp outside the tolerance" },
  malformed: { status: 400, title: "Malformed request" },
  unknownDocument: { status: 404, title: "Unknown document" },
  replay: { status: 409, title: "Delivery already processed" },
  notChangeable: { status: 409, title: "Document can no longer change type" },
  tooLarge: { status: 413, title: "Body too large" },
  internal: { status: 500, title: "Internal error" },
  notConfigured: { status: 503, title: "Webhook not configured" },
} as const;

type ProblemName = keyof typeof PROBLEMS;

/** A problem document; `type` names the problem so clients can branch on it. */
export function problem(
  name: ProblemName,
  detail: string,
  extra: Pick<Problem, "errors" | "refusal"> = {},
): WebhookOutcome {
  const { status, title } = PROBLEMS[name];
  const slug = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return { status, body: { type: `urn:koppel:problem:recognition:${slug}`, title, status, detail, ...extra } };
}

/** The outcome as an HTTP response. */
export function toResponse(outcome: WebhookOutcome): Response {
  const isProblem = outcome.status !== 200;
  return new Response(JSON.stringify(outcome.body), {
    status: outcome.status,
    headers: {
      "content-type": isProblem ? "application/problem+json" : "application/json",
      "cache-control": "no-store",
    },
  });
}

/**
 * Reads the body as text, at most `maxBytes`: refuses early on a declared Content-Length and stops
 * reading a chunked body as soon as it is too long. Returns null when it is too large.
 */
export async function readBodyWithLimit(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Checks the signature header in constant time. The header may carry several `v1=` values
 * separated by commas (a sender rotating its secret); one match is enough.
 */
export function isValidSignature(secret: string, timestamp: string, rawBody: string, header: string): boolean {
  const expected = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest();
  let isValid = false;
  for (const part of header.split(",")) {
    const match = /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part);
    if (!match?.[1]) continue;
    // No early return: every candidate is compared, so the time taken says nothing about which.
    if (timingSafeEqual(Buffer.from(match[1], "hex"), expected)) isValid = true;
  }
  return isValid;
}

export const recognitionDeliverySchema = z.object({
  documentId: z.guid(),
  documentType: documentTypeSchema,
  // Optional, and absent the same as null: written as nullish + transform (not preprocess) so that
  // the REST API's reference, generated from this schema, shows them as optional.
  confidence: recognitionConfidenceSchema.nullish().transform((value) => value ?? null),
  fields: recognisedFieldsSchema.nullish().transform((value): RecognisedFields => value ?? {}),
});
export type RecognitionDelivery = z.infer<typeof recognitionDeliverySchema>;

/** Thrown inside the transaction to roll it back when the delivery was processed before. */
class ReplayError extends Error {}

export type RecognitionRequest = {
  timestamp: string | null;
  signature: string | null;
  rawBody: string;
};

/**
 * Verifies, parses and applies one delivery. The order matters: nothing about the body is looked
 * at before the signature holds (401), then its shape (400), then the document (404), the replay
 * check and the document-life rules (409) in one transaction with the change.
 */
export async function processRecognitionDelivery(
  db: Db,
  request: RecognitionRequest,
  options: { secret: string; now?: Date },
): Promise<WebhookOutcome> {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature)
    return problem("badSignature", "X-Koppel-Timestamp and X-Koppel-Signature are required.");
  if (!/^\d{1,12}$/.test(timestamp)) return problem("badSignature", "X-Koppel-Timestamp must be unix seconds.");
  if (!isValidSignature(options.secret, timestamp, rawBody, signature)) {
    return problem("badSignature", "The signature does not match the timestamp and body.");
  }
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return problem("staleTimestamp", "X-Koppel-Timestamp is more than 5 minutes away from the server's clock.");
  }

  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return problem("malformed", "The body is not valid JSON.");
  }
  const parsed = recognitionDeliverySchema.safeParse(json);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join(".") || "(body)",
      message: issue.message,
    }));
    return problem("malformed", "The body does not have the expected fields.", { errors });
  }
  const delivery = parsed.data;
  const deliveryHash = createHash("sha256").update(`${timestamp}.${rawBody}`, "utf8").digest("hex");

  try {
    await db.transaction(async (tx) => {
      // 404 for an unknown document before anything is recorded. The system actor: the signature
      // is the authority, and recordRecognition still applies every document-life rule.
      const recorded = await recordRecognition(tx, systemActor("recognition-webhook"), delivery.documentId, {
        documentType: delivery.documentType,
        fields: delivery.fields,
        confidence: delivery.confidence,
      });
      const [inserted] = await tx
        .insert(recognitionDeliveries)
        .values({ deliveryHash, documentId: recorded.id })
        .onConflictDoNothing({ target: recognitionDeliveries.deliveryHash })
        .returning({ id: recognitionDeliveries.id });
      // Rolls the change back: a replay changes nothing.
      if (!inserted) throw new ReplayError();
    });
  } catch (error) {
    if (error instanceof ReplayError) return problem("replay", "This delivery was already processed.");
    if (isAppError(error)) return problemOf(error);
    throw error;
  }

  await announceDocumentRecognised(delivery.documentId);
  return {
    status: 200,
    body: { documentId: delivery.documentId, documentType: delivery.documentType, status: "recognised" },
  };
}

function problemOf(error: AppError): WebhookOutcome {
  if (error.code === "not_found") return problem("unknownDocument", "No document has this id.");
  if (error instanceof DocumentRefusedError) {
    return problem("notChangeable", "The document is being sent or was sent; its type can no longer change.", {
      refusal: error.refusal,
    });
  }
  return problem("malformed", "The delivery was refused.");
}
