import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as postToOffice } from "@/app/api/webhooks/recognition/[portalId]/route";
import { POST as postToInstallation } from "@/app/api/webhooks/recognition/route";
import type { OpenedDb } from "@/db";
import { documentEvents, recognitionDeliveries, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { ingestDocument } from "@/lib/documents/ingest";
import { setDocumentType } from "@/lib/documents/set-type";
import { resetEnvCache } from "@/lib/env";
import { sendJobEvent } from "@/lib/jobs/client";
import { revealRecognitionSecret, rotateRecognitionSecret } from "@/lib/recognition/secret";
import { processOfficeRecognitionDelivery } from "@/lib/recognition/webhook";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { ublBytes } from "../../../helpers/ubl";
import { createWorld, documentRow, setStatus, useTempFileStore, type World } from "../documents/setup";

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
const sentEvents = vi.mocked(sendJobEvent);

/** The operator's installation-wide key (RECOGNITION_WEBHOOK_SECRET). */
const INSTALLATION_SECRET = "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz";
const ENV_KEYS = ["RECOGNITION_WEBHOOK_SECRET", "DATABASE_URL", "KOPPEL_DATA_DIR"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-recognition-webhook-"));

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;
/** Office A's (world.portal) own secret, and office B's (world.otherPortal). */
let officeSecret = "";
let otherOfficeSecret = "";

beforeAll(async () => {
  process.env.RECOGNITION_WEBHOOK_SECRET = INSTALLATION_SECRET;
  process.env.KOPPEL_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  resetEnvCache();
  opened = await createTestDb();
  // The route handlers ask getDb() for the database: hand them this file's test database.
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
  files = await useTempFileStore();
  await opened.db.insert(users).values([
    { id: world.actors.admin.userId, email: "admin@de-vos.test" },
    { id: world.actors.otherAdmin.userId, email: "admin@ander-kantoor.test" },
  ]);
  officeSecret = (await revealRecognitionSecret(opened.db, world.actors.admin, world.portal.id)).secret;
  otherOfficeSecret = (await revealRecognitionSecret(opened.db, world.actors.otherAdmin, world.otherPortal.id)).secret;
});
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  rmSync(dataDir, { recursive: true, force: true });
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => {
  sentEvents.mockClear();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The recipe from docs/api/recognition-webhook.md, written out independently of lib/recognition. */
function sign(timestamp: string, body: string, secret = officeSecret): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

type DeliveryOptions = {
  body: string;
  timestamp?: string | null;
  signature?: string | null;
  /** Signs with this secret instead of office A's. */
  secret?: string;
  /** Whose address: an office's id (office A's by default), or "installation" for the operator's. */
  to?: string;
};

function deliveryHeaders(options: DeliveryOptions): Record<string, string> {
  const timestamp = options.timestamp === undefined ? String(nowSeconds()) : options.timestamp;
  const signature =
    options.signature === undefined
      ? timestamp === null
        ? null
        : sign(timestamp, options.body, options.secret)
      : options.signature;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (timestamp !== null) headers["X-Koppel-Timestamp"] = timestamp;
  if (signature !== null) headers["X-Koppel-Signature"] = signature;
  return headers;
}

async function post(options: DeliveryOptions) {
  const to = options.to ?? world.portal.id;
  const init = { method: "POST", headers: deliveryHeaders(options), body: options.body };
  const response =
    to === "installation"
      ? await postToInstallation(new Request("http://localhost/api/webhooks/recognition", init))
      : await postToOffice(new Request(`http://localhost/api/webhooks/recognition/${to}`, init), {
          params: Promise.resolve({ portalId: to }),
        });
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

async function newDocument(
  status: "inbox" | "sending" | "sent" | "failed" | "rejected" = "inbox",
  owner: { actor: Actor; dossierId: string } = { actor: world.actors.entrepreneur, dossierId: world.dossier.id },
) {
  const { id } = await ingestDocument(opened.db, owner.actor, {
    dossierId: owner.dossierId,
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

/** Office B's document (world.otherPortal). */
const otherOfficeDocument = () =>
  newDocument("inbox", { actor: world.actors.otherAdmin, dossierId: world.foreignDossier.id });

/** What a refused delivery must leave as it was: the row and its history. */
async function documentState(id: string) {
  const events = await opened.db
    .select()
    .from(documentEvents)
    .where(eq(documentEvents.documentId, id))
    .orderBy(asc(documentEvents.id));
  const deliveries = await opened.db
    .select()
    .from(recognitionDeliveries)
    .where(eq(recognitionDeliveries.documentId, id));
  return { row: await documentRow(opened.db, id), events, deliveries };
}

describe("POST /api/webhooks/recognition/{portalId}", () => {
  it("stores the type, fields and confidence of a signed delivery, and runs auto-send before it answers", async () => {
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
    // Auto-send ran in the request (no job): this dossier has no integration, and it says so.
    expect((await documentRow(opened.db, id))?.autoSendSkipReason).toBe("no_integration");
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it("commits the recognition and auto-send's decision in one transaction", async () => {
    // Notes the top-level transaction of each change to the document (txid_current() is the same
    // inside a savepoint): the type, and auto-send's note of why it did not send.
    await opened.db.execute(sql`create table test_document_changes (what text, txid bigint)`);
    await opened.db.execute(
      sql.raw(`create function test_note_document_change() returns trigger language plpgsql as $$
        begin
          if new.document_type is distinct from old.document_type then
            insert into test_document_changes values ('recognised', txid_current());
          end if;
          if new.auto_send_skip_reason is distinct from old.auto_send_skip_reason then
            insert into test_document_changes values ('auto-send', txid_current());
          end if;
          return new;
        end $$`),
    );
    const id = await newDocument();
    await opened.db.execute(
      sql.raw(`create trigger test_note_document_change after update on documents for each row
        when (new.id = '${id}') execute function test_note_document_change()`),
    );
    try {
      expect((await post({ body: deliveryBody(id) })).status).toBe(200);
      const changes = (await opened.db.execute(sql`select what, txid::text as txid from test_document_changes`)) as {
        rows: { what: string; txid: string }[];
      };
      expect(changes.rows.map((row) => row.what).sort()).toEqual(["auto-send", "recognised"]);
      expect(new Set(changes.rows.map((row) => row.txid)).size).toBe(1);
    } finally {
      await opened.db.execute(sql.raw("drop trigger test_note_document_change on documents"));
      await opened.db.execute(sql.raw("drop function test_note_document_change()"));
      await opened.db.execute(sql.raw("drop table test_document_changes"));
    }
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
      ["a signature under another office's secret", { signature: "otherOffice" }],
      ["a signature under the installation-wide key", { signature: "installation" }],
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
        otherOffice: sign(timestamp, body, otherOfficeSecret),
        installation: sign(timestamp, body, INSTALLATION_SECRET),
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

  it("answers 409 to a result that contradicts an e-invoice's own XML, and changes nothing", async () => {
    // The case that was reported: a UBL invoice of 1,656.25 EUR accepted as a credit note of 999 USD.
    const { id, documentType } = await ingestDocument(opened.db, world.actors.entrepreneur, {
      dossierId: world.dossier.id,
      source: "upload",
      fileName: "peppol.xml",
      content: ublBytes({
        payableAmount: "1656.25",
        customer: { name: "Het dossier", endpoint: { value: world.dossier.companyNumber, scheme: "0208" } },
      }),
    });
    expect(documentType).toBe("purchase_invoice");
    const before = await documentState(id);
    const body = deliveryBody(id, {
      documentType: "purchase_credit_note",
      fields: { totalAmount: -999, currency: "USD" },
    });
    const result = await post({ body });
    expectProblem(result, 409);
    expect(result.json.type).toBe("urn:koppel:problem:recognition:contradicts-e-invoice");
    expect(result.json.detail).toContain("1656.25 EUR");
    expect(await documentState(id)).toEqual(before);

    const agreeing = await post({ body: deliveryBody(id, { fields: { totalAmount: 1656.25 } }) });
    expect(agreeing.status).toBe(200);
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
      const request = new Request(`http://localhost/api/webhooks/recognition/${world.portal.id}`, {
        method: "POST",
        headers: { "X-Koppel-Timestamp": timestamp, "X-Koppel-Signature": sign(timestamp, "") },
        body: stream,
        duplex: "half",
      } as RequestInit);
      const response = await postToOffice(request, { params: Promise.resolve({ portalId: world.portal.id }) });
      expect(response.status).toBe(413);
      expect(pulled).toBeLessThan(10);
    });
  });
});

describe("one office's secret never reaches another office's documents", () => {
  it("verifies each office's deliveries with that office's own secret, on its own address", async () => {
    const id = await otherOfficeDocument();
    const result = await post({ body: deliveryBody(id), secret: otherOfficeSecret, to: world.otherPortal.id });
    expect(result.status).toBe(200);
    expect(await documentRow(opened.db, id)).toMatchObject({ documentType: "purchase_invoice" });
  });

  it("answers 404 to office A's secret for office B's document on A's address, and changes nothing", async () => {
    const id = await otherOfficeDocument();
    const before = await documentState(id);
    const result = await post({ body: deliveryBody(id), secret: officeSecret, to: world.portal.id });
    expectProblem(result, 404);
    expect(result.json.type).toBe("urn:koppel:problem:recognition:unknown-document");
    expect(await documentState(id)).toEqual(before);
    expect(before.row).toMatchObject({ documentType: null, status: "inbox", recognisedFields: {} });
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it("answers 401 to office A's secret on office B's address, whoever's document it names, and changes nothing", async () => {
    for (const id of [await otherOfficeDocument(), await newDocument()]) {
      const before = await documentState(id);
      expectProblem(await post({ body: deliveryBody(id), secret: officeSecret, to: world.otherPortal.id }), 401);
      expect(await documentState(id)).toEqual(before);
    }
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it("answers an address that names no office exactly like a bad signature", async () => {
    const id = await newDocument();
    const body = deliveryBody(id);
    const timestamp = String(nowSeconds());
    const badSignature = await post({ body, timestamp, signature: sign(timestamp, body, "x".repeat(40)) });
    expectProblem(badSignature, 401);
    for (const to of ["7d5e8d52-3a7c-4a51-9a5e-0f3b2a1c9d10", "not-an-office"]) {
      const unknown = await post({ body, timestamp, to });
      expect(unknown).toEqual(badSignature);
    }
    expect((await documentRow(opened.db, id))?.documentType).toBeNull();
  });
});

describe("rotating an office's secret", () => {
  it("keeps the previous secret verifying for 24 hours, then only the new one", async () => {
    const { db } = opened;
    // An office of its own, so the other tests keep their secrets.
    const portal = await insertPortal(db, "Kantoor Roteer");
    const dossier = await insertDossier(db, portal.id);
    const admin = {
      kind: "user",
      userId: world.actors.admin.userId,
      portalRoles: { [portal.id]: "admin" },
      dossiers: {},
    } satisfies Actor;
    const owner = { actor: admin, dossierId: dossier.id };
    const old = (await revealRecognitionSecret(db, admin, portal.id)).secret;
    const t0 = new Date(Date.now() + 60_000);
    await rotateRecognitionSecret(db, admin, portal.id, { now: t0 });
    const fresh = (await revealRecognitionSecret(db, admin, portal.id)).secret;

    async function deliverAt(hours: number, secret: string) {
      const id = await newDocument("inbox", owner);
      const now = new Date(t0.getTime() + hours * 60 * 60 * 1000);
      const body = deliveryBody(id);
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const outcome = await processOfficeRecognitionDelivery(
        db,
        portal.id,
        { timestamp, signature: sign(timestamp, body, secret), rawBody: body },
        { now },
      );
      return { status: outcome.status, documentType: (await documentRow(db, id))?.documentType };
    }

    expect(await deliverAt(0, old)).toEqual({ status: 200, documentType: "purchase_invoice" });
    expect(await deliverAt(23.9, old)).toEqual({ status: 200, documentType: "purchase_invoice" });
    expect(await deliverAt(23.9, fresh)).toEqual({ status: 200, documentType: "purchase_invoice" });
    expect(await deliverAt(24, old)).toEqual({ status: 401, documentType: null });
    expect(await deliverAt(48, old)).toEqual({ status: 401, documentType: null });
    expect(await deliverAt(48, fresh)).toEqual({ status: 200, documentType: "purchase_invoice" });
  });
});

describe("POST /api/webhooks/recognition (the installation-wide key)", () => {
  it("takes the operator's key for any office's documents", async () => {
    for (const id of [await newDocument(), await otherOfficeDocument()]) {
      const result = await post({ body: deliveryBody(id), secret: INSTALLATION_SECRET, to: "installation" });
      expect(result.status).toBe(200);
      expect((await documentRow(opened.db, id))?.documentType).toBe("purchase_invoice");
    }
  });

  it("refuses an office's secret (401) and changes nothing", async () => {
    for (const [id, secret] of [
      [await newDocument(), officeSecret],
      [await otherOfficeDocument(), officeSecret],
      [await otherOfficeDocument(), otherOfficeSecret],
    ] as const) {
      const before = await documentState(id);
      expectProblem(await post({ body: deliveryBody(id), secret, to: "installation" }), 401);
      expect(await documentState(id)).toEqual(before);
    }
  });

  it.each([
    ["the embedded default", undefined],
    ["a deployment with its own database", "postgres://koppel@db.invalid/koppel"],
  ])("answers 503 without RECOGNITION_WEBHOOK_SECRET on %s, and processes nothing", async (_name, databaseUrl) => {
    const id = await newDocument();
    const before = await documentState(id);
    delete process.env.RECOGNITION_WEBHOOK_SECRET;
    if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
    resetEnvCache();
    try {
      // Signed with what a generated key or an office's secret would be: neither counts here.
      for (const secret of [INSTALLATION_SECRET, officeSecret]) {
        const result = await post({ body: deliveryBody(id), secret, to: "installation" });
        expectProblem(result, 503);
        expect(result.json.type).toBe("urn:koppel:problem:recognition:not-configured");
      }
    } finally {
      delete process.env.DATABASE_URL;
      process.env.RECOGNITION_WEBHOOK_SECRET = INSTALLATION_SECRET;
      resetEnvCache();
    }
    expect(await documentState(id)).toEqual(before);
    // No key is generated into the data folder for it.
    expect(existsSync(path.join(dataDir, "secrets", "recognition_webhook_secret"))).toBe(false);
  });
});
