import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type Db, getDb } from "@/db";
import { recognitionDeliveries } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { withAutoSend } from "@/lib/dispatch/auto-send";
import { EInvoiceContradictionError } from "@/lib/documents/einvoice";
import { type RecognisedFields, recognisedFieldsSchema } from "@/lib/documents/fields";
import { DocumentRefusedError, recordRecognition } from "@/lib/documents/life";
import type { DocumentRefusal } from "@/lib/documents/refusals";
import { documentTypeSchema, recognitionConfidenceSchema } from "@/lib/documents/schemas";
import { type AppError, isAppError } from "@/lib/errors";
import { readTextWithLimit } from "@/lib/http/body";
import { installationRecognitionSecret, liveRecognitionSecrets } from "./secret";

/*
 * The recognition step reports a document's type and fields, on one of two addresses:
 * - POST /api/webhooks/recognition/{portalId}: signed with that office's own secret (current, or
 *   rotated less than 24 hours ago), for that office's documents only;
 * - POST /api/webhooks/recognition: signed with RECOGNITION_WEBHOOK_SECRET, the operator's key for
 *   their own recognition service, for any office's documents; 503 when it is not set.
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
  contradictsEInvoice: { status: 409, title: "Contradicts the e-invoice" },
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
 * What both route handlers do around `handle`: read the body once, as text (the signature covers
 * these exact bytes; 413 when too large), answer its outcome, and turn an unexpected error into a
 * 500 that never carries the error's text (it may hold SQL); the sender retries with a new delivery.
 */
export async function answerRecognitionRequest(
  request: Request,
  handle: (db: Db, delivery: RecognitionRequest) => Promise<WebhookOutcome>,
): Promise<Response> {
  const rawBody = await readTextWithLimit(request, MAX_BODY_BYTES);
  if (rawBody === null) return toResponse(problem("tooLarge", "The body is larger than 64 KB."));
  try {
    const outcome = await handle(await getDb(), {
      timestamp: request.headers.get(TIMESTAMP_HEADER),
      signature: request.headers.get(SIGNATURE_HEADER),
      rawBody,
    });
    return toResponse(outcome);
  } catch (error) {
    console.error("[recognition webhook] failed", error);
    return toResponse(problem("internal", "The delivery could not be processed. Try again later."));
  }
}

/**
 * Checks the signature header in constant time against each of `secrets` (an office's current
 * secret and the ones still in their rotation overlap). The header may carry several `v1=` values
 * separated by commas (a sender rotating its secret); one match is enough. No secrets: no match.
 */
export function isValidSignature(
  secrets: readonly string[],
  timestamp: string,
  rawBody: string,
  header: string,
): boolean {
  const candidates = header
    .split(",")
    .map((part) => /^\s*v1=([0-9a-fA-F]{64})\s*$/.exec(part)?.[1])
    .filter((hex): hex is string => hex !== undefined)
    .map((hex) => Buffer.from(hex, "hex"));
  let isValid = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest();
    // No early return: every pair is compared, so the time taken says nothing about which matched.
    for (const candidate of candidates) if (timingSafeEqual(candidate, expected)) isValid = true;
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

/** Whose documents a delivery may change: the office whose secret signed it, or any office's. */
export type RecognitionScope =
  /** An office's own secret: only that office's documents; another office's are "unknown" (404). */
  | { kind: "office"; portalId: string }
  /** The operator's RECOGNITION_WEBHOOK_SECRET: any office's documents. */
  | { kind: "anyOffice" };

/**
 * POST /api/webhooks/recognition/{portalId}: verified with that office's live secrets only, and
 * only that office's documents change. An id that names no office has no secrets, so it gets the
 * same 401 as a bad signature.
 */
export async function processOfficeRecognitionDelivery(
  db: Db,
  portalId: string,
  request: RecognitionRequest,
  options: { now?: Date } = {},
): Promise<WebhookOutcome> {
  const now = options.now ?? new Date();
  const secrets = await liveRecognitionSecrets(db, portalId, now);
  return processRecognitionDelivery(db, request, { secrets, scope: { kind: "office", portalId }, now });
}

/**
 * POST /api/webhooks/recognition: verified with RECOGNITION_WEBHOOK_SECRET only (the operator's own
 * recognition service, any office's documents); 503 when it is not set.
 */
export async function processInstallationRecognitionDelivery(
  db: Db,
  request: RecognitionRequest,
  options: { now?: Date } = {},
): Promise<WebhookOutcome> {
  const secret = installationRecognitionSecret();
  if (!secret) {
    return problem(
      "notConfigured",
      "This installation has no RECOGNITION_WEBHOOK_SECRET; offices post to /api/webhooks/recognition/{portalId}.",
    );
  }
  return processRecognitionDelivery(db, request, { secrets: [secret], scope: { kind: "anyOffice" }, now: options.now });
}

/**
 * Verifies, parses and applies one delivery. The order matters: nothing about the body is looked
 * at before the signature holds (401), then its shape (400), then the document within `scope`
 * (404), the replay check and the document-life rules (409) in one transaction with the change.
 */
export async function processRecognitionDelivery(
  db: Db,
  request: RecognitionRequest,
  options: { secrets: readonly string[]; scope: RecognitionScope; now?: Date },
): Promise<WebhookOutcome> {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature)
    return problem("badSignature", "X-Koppel-Timestamp and X-Koppel-Signature are required.");
  if (!/^\d{1,12}$/.test(timestamp)) return problem("badSignature", "X-Koppel-Timestamp must be unix seconds.");
  if (!isValidSignature(options.secrets, timestamp, rawBody, signature)) {
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
    // The recognition and auto-send's decision commit together (withAutoSend).
    await withAutoSend(
      db,
      async (tx) => {
        // 404 for an unknown document before anything is recorded; with an office's secret, a
        // document of another office is unknown (the lookup itself is scoped). The system actor: the
        // signature is the authority, and recordRecognition still applies every document-life rule.
        const { scope } = options;
        const recorded = await recordRecognition(
          tx,
          systemActor("recognition-webhook"),
          delivery.documentId,
          { documentType: delivery.documentType, fields: delivery.fields, confidence: delivery.confidence },
          scope.kind === "office" ? { portalId: scope.portalId } : {},
        );
        const [inserted] = await tx
          .insert(recognitionDeliveries)
          .values({ deliveryHash, documentId: recorded.id })
          .onConflictDoNothing({ target: recognitionDeliveries.deliveryHash })
          .returning({ id: recognitionDeliveries.id });
        // Rolls the change back: a replay changes nothing.
        if (!inserted) throw new ReplayError();
        return recorded.id;
      },
      (documentId) => [documentId],
    );
  } catch (error) {
    if (error instanceof ReplayError) return problem("replay", "This delivery was already processed.");
    if (isAppError(error)) return problemOf(error);
    throw error;
  }

  return {
    status: 200,
    body: { documentId: delivery.documentId, documentType: delivery.documentType, status: "recognised" },
  };
}

function problemOf(error: AppError): WebhookOutcome {
  if (error.code === "not_found") return problem("unknownDocument", "No document has this id.");
  if (error instanceof EInvoiceContradictionError) {
    const { documentType, totalAmount, currency } = error.expected;
    const said =
      error.contradiction === "otherCompany"
        ? "The e-invoice is addressed to another company: the dossier is neither its buyer nor its seller."
        : `The e-invoice's XML says ${documentType ?? "another type"}${totalAmount === null ? "" : `, ${totalAmount.toFixed(2)} ${currency ?? ""}`.trimEnd()}.`;
    return problem(
      "contradictsEInvoice",
      `The recognition result contradicts the document's own XML (${error.contradiction}). ${said}`,
    );
  }
  if (error instanceof DocumentRefusedError) {
    return problem("notChangeable", "The document is being sent or was sent; its type can no longer change.", {
      refusal: error.refusal,
    });
  }
  return problem("malformed", "The delivery was refused.");
}
