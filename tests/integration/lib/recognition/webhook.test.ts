import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/recognition/route";
import type { OpenedDb } from "@/db";
import { recognitionDeliveries } from "@/db/schema";
import { ingestDocument } from "@/lib/documents/ingest";
import { setDocumentType } from "@/lib/documents/set-type";
import { resetEnvCache } from "@/lib/env";
import { sendJobEvent } from "@/lib/jobs/client";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, documentRow, setStatus, useTempFileStore, type World } from "../documents/setup";

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
const sentEvents = vi.mocked(sendJobEvent);

const SECRET = "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz";
const ENV_KEYS = ["RECOGNITION_WEBHOOK_SECRET", "DATABASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  process.env.RECOGNITION_WEBHOOK_SECRET = SECRET;
  delete process.env.DATABASE_URL;
  resetEnvCache();
  opened = await createTestDb();
  // The route handler asks getDb() for the database: hand it this file's test database.
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => {
  sentEvents.mockClear();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The recipe from docs/api/recognition-webhook.md, written out independently of lib/recognition. */
function sign(timestamp: string, body: string, secret = SECRET): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

type DeliveryOptions = {
  body?: string;
  timestamp?: string | null;
  signature?: string | null;
  headers?: Record<string, string>;
};

function deliveryRequest(options: DeliveryOptions & { body: string }): Request {
  const timestamp = options.timestamp === undefined ? String(nowSeconds()) : options.timestamp;
  const signature =
    options.signature === undefined ? (timestamp === null ? null : sign(timestamp, options.body)) : options.signature;
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (timestamp !== null) headers["X-Koppel-Timestamp"] = timestamp;
  if (signature !== null) headers["X-Koppel-Signature"] = signature;
  return new Request("http://localhost/api/webhooks/recognition", { method: "POST", headers, body: options.body });
}

async function post(options: DeliveryOptions & { body: string }) {
  const response = await POST(deliveryRequest(options));
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get("content-type"), json: JSON.parse(text) };
}

function deliveryBody(documentId: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    documentId,
    documentType: "purchase_invoice",
    confidence: 0.93,
    fields: {
      supplierName: "Drukkerij Janssens bv",
      invoiceNumber: "2026/0117",
      invoiceDate: "2026-03-02",
      totalAmount: 484.0,
      currency: "EUR",
      vatNumber: "BE0123456749",
    },
    ...overrides,
  });
}

async function newDocument(status: "inbox" | "sending" | "sent" | "failed" | "rejected" = "inbox") {
  const { id } = await ingestDocument(opened.db, world.actors.entrepreneur, {
    dossierId: world.dossier.id,
    source: "upload",
    fileName: "factuur.pdf",
    content: samplePdf(),
  });
  if (status !== "inbox") await setStatus(opened.db, id, status, { documentType: "other" });
  sentEvents.mockClear();
  return id;
}

function expectProblem(result: Awaited<ReturnType<typeof post>>, status: number) {
  expect(result.status).toBe(status);
  expect(result.contentType).toBe("application/problem+json");
  expect(result.json).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(typeof result.json.detail).toBe("string");
}

describe("POST /api/webhooks/recognition", () => {
  it("stores the type, fields and confidence of a signed delivery, and tells auto-send", async () => {
    const id = await newDocument();
    const result = await post({ body: deliveryBody(id) });

    expect(result.status).toBe(200);
    expect(result.json).toEqual({ documentId: id, documentType: "purchase_invoice", status: "recognised" });
    expect(await documentRow(opened.db, id)).toMatchObject({
      documentType: "purchase_invoice",
      recognitionConfidence: expect.closeTo(0.93, 5),
      status: "inbox",
      recognisedFields: {
        supplierName: "Drukkerij Janssens bv",
        invoiceNumber: "2026/0117",
        invoiceDate: "2026-03-02",
        totalAmount: 484,
        currency: "EUR",
        vatNumber: "BE0123456749",
      },
    });
    expect(
      await opened.db.select().from(recognitionDeliveries).where(eq(recognitionDeliveries.documentId, id)),
    ).toHaveLength(1);
    expect(sentEvents.mock.calls).toEqual([["documents/document.recognised", { documentId: id }]]);
  });

  it.each(["failed", "rejected"] as const)("re-types a %s document", async (status) => {
    const id = await newDocument(status);
    expect((await post({ body: deliveryBody(id, { documentType: "receipt" }) })).status).toBe(200);
    expect(await documentRow(opened.db, id)).toMatchObject({ documentType: "receipt", status });
  });

  it("takes null for fields the recognition step did not find, and no confidence", async () => {
    const id = await newDocument();
    const body = JSON.stringify({
      documentId: id,
      documentType: "receipt",
      fields: { supplierName: "Tankstation", invoiceNumber: null, totalAmount: 61.2, currency: null },
    });
    expect((await post({ body })).status).toBe(200);
    expect(await documentRow(opened.db, id)).toMatchObject({
      recognitionConfidence: null,
      recognisedFields: { supplierName: "Tankstation", totalAmount: 61.2 },
    });
  });

  describe("401: signature and timestamp", () => {
    it.each([
      ["no signature", { signature: null }],
      ["no timestamp", { timestamp: null }],
      ["a signature under another secret", { signature: "other" }],
      ["a signature of another body", { signature: "otherBody" }],
      ["a signature for another timestamp", { signature: "otherTimestamp" }],
      ["another signature scheme", { signature: "scheme" }],
      ["a timestamp that is not unix seconds", { timestamp: "2026-03-02T10:00:00Z" }],
    ] as const)("refuses %s", async (_name, variant) => {
      const id = await newDocument();
      const body = deliveryBody(id);
      const timestamp = String(nowSeconds());
      const signatures: Record<string, string> = {
        other: sign(timestamp, body, "another-secret-that-is-long-enough-0123456789"),
        otherBody: sign(timestamp, deliveryBody(id, { documentType: "receipt" })),
        otherTimestamp: sign(String(nowSeconds() - 1), body),
        scheme: `sha256=${sign(timestamp, body).slice(3)}`,
      };
      const signature =
        "signature" in variant && variant.signature !== null ? signatures[variant.signature] : undefined;
      const result = await post({
        body,
        timestamp: "timestamp" in variant ? variant.timestamp : timestamp,
        signature: "signature" in variant && variant.signature === null ? null : signature,
      });
      expectProblem(result, 401);
      expect((await documentRow(opened.db, id))?.documentType).toBeNull();
      expect(sentEvents).not.toHaveBeenCalled();
    });

    it.each([
      ["6 minutes old", -6 * 60],
      ["6 minutes in the future", 6 * 60],
    ])("refuses a correctly signed delivery whose timestamp is %s", async (_name, offset) => {
      const id = await newDocument();
      const result = await post({ body: deliveryBody(id), timestamp: String(nowSeconds() + offset) });
      expectProblem(result, 401);
      expect((await documentRow(opened.db, id))?.documentType).toBeNull();
    });

    it("takes a delivery whose timestamp is 4 minutes old", async () => {
      const id = await newDocument();
      expect((await post({ body: deliveryBody(id), timestamp: String(nowSeconds() - 4 * 60) })).status).toBe(200);
    });

    it("takes a header with several signatures when one matches (secret rotation)", async () => {
      const id = await newDocument();
      const body = deliveryBody(id);
      const timestamp = String(nowSeconds());
      const signature = `${sign(timestamp, body, "the-old-secret-that-is-long-enough-0123456789")}, ${sign(timestamp, body)}`;
      expect((await post({ body, timestamp, signature })).status).toBe(200);
    });
  });

  describe("409: replays and documents that may no longer change", () => {
    it("refuses the same delivery twice, and the replay changes nothing", async () => {
      const id = await newDocument();
      const body = deliveryBody(id);
      const timestamp = String(nowSeconds());
      expect((await post({ body, timestamp })).status).toBe(200);
      // A person corrects the type in between; replaying the old delivery must not undo that.
      await setDocumentType(opened.db, world.actors.entrepreneur, id, "purchase_credit_note");
      sentEvents.mockClear();

      const replay = await post({ body, timestamp });
      expectProblem(replay, 409);
      expect(replay.json.type).toMatch(/replay/);
      expect((await documentRow(opened.db, id))?.documentType).toBe("purchase_credit_note");
      expect(sentEvents).not.toHaveBeenCalled();
    });

    it("takes a new delivery for the same document (a new timestamp)", async () => {
      const id = await newDocument();
      expect((await post({ body: deliveryBody(id), timestamp: String(nowSeconds() - 10) })).status).toBe(200);
      const second = await post({ body: deliveryBody(id, { documentType: "receipt" }) });
      expect(second.status).toBe(200);
      expect((await documentRow(opened.db, id))?.documentType).toBe("receipt");
    });

    it.each([
      ["sent", "already_sent"],
      ["sending", "already_sending"],
    ] as const)("refuses to re-type a %s document, naming the rule", async (status, refusal) => {
      const id = await newDocument(status);
      const result = await post({ body: deliveryBody(id) });
      expectProblem(result, 409);
      expect(result.json).toMatchObject({ type: "urn:koppel:problem:recognition:not-changeable", refusal });
      expect(await documentRow(opened.db, id)).toMatchObject({ documentType: "other", status, recognisedFields: {} });
      expect(sentEvents).not.toHaveBeenCalled();
      // Nothing was processed, so nothing is remembered as processed.
      expect(
        await opened.db.select().from(recognitionDeliveries).where(eq(recognitionDeliveries.documentId, id)),
      ).toEqual([]);
    });
  });

  describe("400: malformed deliveries", () => {
    it("refuses a body that is not JSON", async () => {
      expectProblem(await post({ body: "{documentId: nope" }), 400);
    });

    it.each([
      ["an unknown type", { documentType: "invoice" }, "documentType"],
      ["no type", { documentType: undefined }, "documentType"],
      ["an impossible date", { fields: { invoiceDate: "2026-02-30" } }, "fields.invoiceDate"],
      ["an amount as text", { fields: { totalAmount: "484,00" } }, "fields.totalAmount"],
      ["a currency that is not 3 letters", { fields: { currency: "euro" } }, "fields.currency"],
      ["a confidence above 1", { confidence: 1.5 }, "confidence"],
      ["a document id that is not a uuid", { documentId: "42" }, "documentId"],
    ])("refuses %s", async (_name, overrides, path) => {
      const id = await newDocument();
      const result = await post({ body: deliveryBody(id, overrides) });
      expectProblem(result, 400);
      expect(result.json.errors.map((error: { path: string }) => error.path)).toContain(path);
      expect((await documentRow(opened.db, id))?.documentType).toBeNull();
    });

    it("refuses a JSON array", async () => {
      expectProblem(await post({ body: "[]" }), 400);
    });
  });

  it("answers 404 for a document that does not exist", async () => {
    const result = await post({ body: deliveryBody("7d5e8d52-3a7c-4a51-9a5e-0f3b2a1c9d10") });
    expectProblem(result, 404);
  });

  describe("413: oversized bodies", () => {
    it("refuses a body over 64 KB", async () => {
      const id = await newDocument();
      const body = deliveryBody(id, { padding: "x".repeat(70 * 1024) });
      const result = await post({ body });
      expectProblem(result, 413);
      expect((await documentRow(opened.db, id))?.documentType).toBeNull();
    });

    it("stops reading a streamed body without a length once it passes 64 KB", async () => {
      let pulled = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          // Endless: only a reader that stops can finish this test.
          controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
        },
      });
      const timestamp = String(nowSeconds());
      const request = new Request("http://localhost/api/webhooks/recognition", {
        method: "POST",
        headers: { "X-Koppel-Timestamp": timestamp, "X-Koppel-Signature": sign(timestamp, "") },
        body: stream,
        duplex: "half",
      } as RequestInit);
      const response = await POST(request);
      expect(response.status).toBe(413);
      expect(pulled).toBeLessThan(10);
    });
  });

  it("answers 503 and processes nothing when a deployment with its own database has no secret", async () => {
    const id = await newDocument();
    process.env.DATABASE_URL = "postgres://koppel@db.invalid/koppel";
    delete process.env.RECOGNITION_WEBHOOK_SECRET;
    resetEnvCache();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expectProblem(await post({ body: deliveryBody(id) }), 503);
    } finally {
      errors.mockRestore();
      delete process.env.DATABASE_URL;
      process.env.RECOGNITION_WEBHOOK_SECRET = SECRET;
      resetEnvCache();
    }
    expect((await documentRow(opened.db, id))?.documentType).toBeNull();
  });
});
