import { createHmac } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documentEvents } from "@/db/schema";
import { autoSend } from "@/lib/dispatch/auto-send";
import { requestSend } from "@/lib/dispatch/request-send";
import { confirmDocumentNotDuplicate } from "@/lib/documents/confirm-not-duplicate";
import { removeDocument } from "@/lib/documents/delete";
import { DuplicateFileError } from "@/lib/documents/duplicates";
import type { RecognisedFieldsInput } from "@/lib/documents/fields";
import { ingestDocument } from "@/lib/documents/ingest";
import { DocumentRefusedError } from "@/lib/documents/life";
import { setDocumentRecognition } from "@/lib/documents/set-type";
import { uploadDocuments } from "@/lib/documents/upload";
import { sendJobEvent } from "@/lib/jobs/client";
import { processRecognitionDelivery } from "@/lib/recognition/webhook";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { DOSSIER_COMPANY_NUMBER, ublBytes } from "../../../helpers/ubl";
import { collectingEnqueue, dispatchesOf, setIntegration } from "../dispatch/setup";
import { createWorld, documentRow, useTempFileStore, type World } from "./setup";

// Issue 15, "No invoice twice": the same file twice in a dossier is refused; the same supplier VAT
// number + invoice number (+ amount) is held as a possible duplicate until a person decides.

vi.mock("@/lib/jobs/client", () => ({
  sendJobEvent: vi.fn(async () => undefined),
  sendJobEvents: vi.fn(async () => undefined),
}));
const sentEvents = vi.mocked(sendJobEvent);

/** When set, the next look-up for the file finds nothing: as when two uploads of it pass it at once. */
const lookup = vi.hoisted(() => ({ missNext: false }));
vi.mock("@/lib/documents/duplicates", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/documents/duplicates")>();
  return {
    ...original,
    findDocumentWithFile: async (...args: Parameters<typeof original.findDocumentWithFile>) => {
      if (lookup.missNext) {
        lookup.missNext = false;
        return null;
      }
      return original.findDocumentWithFile(...args);
    },
  };
});

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => {
  sentEvents.mockClear();
});

const FREE_MAIL = { kind: "free_email", addresses: { purchase: "inbox@kantoor.example" } } as const;

/** A dossier of office A, with free mail (sendable), auto-send on. */
async function sendableDossier() {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, FREE_MAIL);
  return dossier;
}

async function ingest(
  dossierId: string,
  options: { content?: Uint8Array; fields?: RecognisedFieldsInput; documentType?: "purchase_invoice" | null } = {},
) {
  return ingestDocument(opened.db, world.actors.admin, {
    dossierId,
    source: "upload",
    fileName: "factuur.pdf",
    content: options.content ?? samplePdf(),
    documentType: options.documentType ?? null,
    fields: options.fields,
  });
}

async function eventsOf(documentId: string) {
  return opened.db
    .select({ kind: documentEvents.kind, details: documentEvents.details, actorKind: documentEvents.actorKind })
    .from(documentEvents)
    .where(eq(documentEvents.documentId, documentId))
    .orderBy(asc(documentEvents.id));
}

const INVOICE = { vatNumber: "BE0123456749", invoiceNumber: "F-2026-017", totalAmount: 1656.25, currency: "EUR" };

describe("the same file twice", () => {
  it("is refused in the same dossier, naming the document that has it, and leaves no file behind", async () => {
    const dossier = await sendableDossier();
    const content = samplePdf();
    const first = await ingest(dossier.id, { content });
    const filesBefore = await files.keys();

    const error = await ingest(dossier.id, { content }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuplicateFileError);
    expect(error).toMatchObject({
      code: "duplicate_file",
      httpStatus: 409,
      messageKey: "upload.duplicateFile",
      existingDocumentId: first.id,
    });
    expect(await files.keys()).toEqual(filesBefore);
  });

  it("is refused by the database when the look-up missed it (a race), and the loser's file is removed", async () => {
    const dossier = await sendableDossier();
    const content = samplePdf();
    const first = await ingest(dossier.id, { content });
    const filesBefore = await files.keys();

    lookup.missNext = true;
    const error = await ingest(dossier.id, { content }).catch((caught: unknown) => caught);
    expect(lookup.missNext).toBe(false);
    expect(error).toBeInstanceOf(DuplicateFileError);
    expect(error).toMatchObject({ existingDocumentId: first.id });
    expect(await files.keys()).toEqual(filesBefore);
  });

  it("may be in another dossier", async () => {
    const content = samplePdf();
    const inOne = await ingest((await sendableDossier()).id, { content });
    const inOther = await ingest((await sendableDossier()).id, { content });
    expect(inOther.id).not.toBe(inOne.id);
    expect(inOther.sha256).toBe(inOne.sha256);
  });

  it("is refused alone in a multi-file upload: the others are stored", async () => {
    const dossier = await sendableDossier();
    const content = samplePdf();
    const existing = await ingest(dossier.id, { content });
    const form = new FormData();
    form.append("file", new File([new Uint8Array(samplePdf())], "a.pdf"));
    form.append("file", new File([new Uint8Array(content)], "again.pdf"));
    form.append("file", new File([new Uint8Array(samplePdf())], "b.pdf"));

    const result = await uploadDocuments(opened.db, world.actors.admin, {
      dossierId: dossier.id,
      source: "upload",
      form,
    });

    expect(result.httpStatus).toBe(200);
    expect(result.files.map((file) => file.ok)).toEqual([true, false, true]);
    expect(result.files[1]).toEqual({
      index: 1,
      fileName: "again.pdf",
      ok: false,
      httpStatus: 409,
      code: "duplicate_file",
      messageKey: "upload.duplicateFile",
      existingDocumentId: existing.id,
    });
  });
});

describe("a possible duplicate", () => {
  it("is held at arrival when the VAT number and invoice number match (normalised, any case), with its event", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE });
    expect(first.possibleDuplicateOf).toBeNull();

    const second = await ingest(dossier.id, {
      fields: { ...INVOICE, vatNumber: "be 0123.456.749", invoiceNumber: "f-2026-017" },
    });
    expect(second.possibleDuplicateOf).toBe(first.id);
    expect((await eventsOf(second.id)).map((event) => event.kind)).toEqual(["received", "duplicate_held"]);
    expect((await eventsOf(second.id))[1]?.details).toEqual({ duplicateOf: first.id });
    expect((await eventsOf(first.id)).map((event) => event.kind)).toEqual(["received"]);
  });

  it("is not held when the amounts differ, and held when one of them has none", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE });
    const otherAmount = await ingest(dossier.id, { fields: { ...INVOICE, totalAmount: 99 } });
    expect(otherAmount.possibleDuplicateOf).toBeNull();
    const noAmount = await ingest(dossier.id, { fields: { ...INVOICE, totalAmount: undefined } });
    expect(noAmount.possibleDuplicateOf).toBe(first.id);
  });

  it("is not held for another supplier, another number, another dossier, or without a VAT number", async () => {
    const dossier = await sendableDossier();
    await ingest(dossier.id, { fields: INVOICE });
    for (const fields of [
      { ...INVOICE, vatNumber: "BE0987654321" },
      { ...INVOICE, invoiceNumber: "F-2026-018" },
      { ...INVOICE, vatNumber: undefined },
    ]) {
      expect((await ingest(dossier.id, { fields })).possibleDuplicateOf).toBeNull();
    }
    expect((await ingest((await sendableDossier()).id, { fields: INVOICE })).possibleDuplicateOf).toBeNull();
  });

  it("is held when the recognition webhook reports the fields", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE });
    const scan = await ingest(dossier.id);
    const secret = "whsec_duplicates_test";
    const body = JSON.stringify({ documentId: scan.id, documentType: "purchase_invoice", fields: INVOICE });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

    const outcome = await processRecognitionDelivery(
      opened.db,
      { timestamp, signature, rawBody: body },
      { secrets: [secret], scope: { kind: "office", portalId: world.portal.id } },
    );

    expect(outcome.status).toBe(200);
    expect((await documentRow(opened.db, scan.id))?.possibleDuplicateOf).toBe(first.id);
    const events = await eventsOf(scan.id);
    // Auto-send ran in the webhook's request, and says why it left the document.
    expect(events.map((event) => event.kind)).toEqual([
      "received",
      "recognised",
      "duplicate_held",
      "auto_send_skipped",
    ]);
    expect(events[2]).toMatchObject({ actorKind: "system", details: { duplicateOf: first.id } });
    expect(events[3]).toMatchObject({ details: { reason: "possible_duplicate" } });
  });

  it("is held when the API sets the fields, and lifted (with its event) when they change to another invoice", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE });
    const scan = await ingest(dossier.id);
    const recognition = { documentType: "purchase_invoice" as const, fields: INVOICE, confidence: 0.9 };

    const held = await setDocumentRecognition(opened.db, world.actors.token, scan.id, recognition);
    expect(held.possibleDuplicateOf).toBe(first.id);

    const corrected = await setDocumentRecognition(opened.db, world.actors.token, scan.id, {
      ...recognition,
      fields: { ...INVOICE, invoiceNumber: "F-2026-099" },
    });
    expect(corrected.possibleDuplicateOf).toBeNull();
    const events = await eventsOf(scan.id);
    expect(events.map((event) => event.kind)).toEqual([
      "received",
      "recognised",
      "duplicate_held",
      "auto_send_skipped",
      "recognised",
      "duplicate_cleared",
      "send_requested",
    ]);
    expect(events[5]?.details).toEqual({ duplicateOf: first.id, reason: "fields_changed" });
    // No longer held, and auto-send is on: it went.
    expect(corrected.status).toBe("sending");
  });

  it("is skipped by auto-send and by a bulk send with the reason, and refused to a manual send", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE, documentType: "purchase_invoice" });
    const second = await ingest(dossier.id, { fields: INVOICE, documentType: "purchase_invoice" });
    expect(second.possibleDuplicateOf).toBe(first.id);
    // At arrival auto-send sent the first one and left the second, saying why.
    expect(first.status).toBe("sending");
    expect(second.status).toBe("inbox");

    const queue = collectingEnqueue();
    expect(await autoSend(opened.db, second.id, { enqueue: queue.enqueue })).toEqual({
      outcome: "skipped",
      reason: "possible_duplicate",
    });
    expect(await documentRow(opened.db, second.id)).toMatchObject({
      status: "inbox",
      autoSendSkipReason: "possible_duplicate",
    });
    expect((await eventsOf(second.id)).at(-1)).toMatchObject({
      kind: "auto_send_skipped",
      details: { reason: "possible_duplicate" },
    });

    // An API key's sends: the actors of this world are not rows of the users table.
    const bulk = await requestSend(
      opened.db,
      world.actors.token,
      { dossierId: dossier.id, documentIds: [second.id], trigger: "bulk" },
      { enqueue: queue.enqueue },
    );
    expect(bulk.accepted).toEqual([]);
    expect(bulk.refused).toEqual([{ documentId: second.id, reason: "possible_duplicate" }]);

    const manual = await requestSend(
      opened.db,
      world.actors.token,
      { dossierId: dossier.id, documentIds: [second.id], trigger: "manual" },
      { enqueue: queue.enqueue },
    );
    expect(manual.refused).toEqual([{ documentId: second.id, reason: "possible_duplicate" }]);
    expect(await dispatchesOf(opened.db, second.id)).toEqual([]);
  });

  it("goes once a person confirms it is a different document, and stays confirmed when the same fields come again", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE, documentType: "purchase_invoice" });
    const second = await ingest(dossier.id, { fields: INVOICE, documentType: "purchase_invoice" });
    // Auto-send is on: at arrival it left the second one for the hold.
    expect(await documentRow(opened.db, second.id)).toMatchObject({ autoSendSkipReason: "possible_duplicate" });

    // Then it goes: auto-send sends it before the confirmation answers.
    const confirmed = await confirmDocumentNotDuplicate(opened.db, world.actors.accountant, second.id);
    expect(confirmed).toMatchObject({ id: second.id, possibleDuplicateOf: null, status: "sending" });
    const events = await eventsOf(second.id);
    expect(events.slice(-2)).toMatchObject([
      {
        kind: "duplicate_cleared",
        actorKind: "user",
        details: { duplicateOf: first.id, reason: "confirmed_different" },
      },
      { kind: "send_requested", actorKind: "system" },
    ]);
    expect(await documentRow(opened.db, second.id)).toMatchObject({ autoSendSkipReason: null, status: "sending" });
    expect(await dispatchesOf(opened.db, second.id)).toMatchObject([{ trigger: "auto", status: "queued" }]);
    // No auto-send job was needed.
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it("is not held again by the same fields after a confirmation", async () => {
    const dossier = await sendableDossier();
    await ingest(dossier.id, { fields: INVOICE });
    const second = await ingest(dossier.id, { fields: INVOICE });
    await confirmDocumentNotDuplicate(opened.db, world.actors.admin, second.id);
    const again = await setDocumentRecognition(opened.db, world.actors.token, second.id, {
      documentType: "purchase_invoice",
      fields: { ...INVOICE, vatNumber: "BE 0123 456 749" },
      confidence: null,
    });
    expect(again.possibleDuplicateOf).toBeNull();
  });

  it("refuses to confirm a document that is not held, and answers not found to another office", async () => {
    const dossier = await sendableDossier();
    const plain = await ingest(dossier.id);
    await expect(confirmDocumentNotDuplicate(opened.db, world.actors.admin, plain.id)).rejects.toMatchObject({
      refusal: "not_held",
      messageKey: "document.confirmNotDuplicate.not_held",
    });
    await expect(confirmDocumentNotDuplicate(opened.db, world.actors.admin, plain.id)).rejects.toBeInstanceOf(
      DocumentRefusedError,
    );

    const first = await ingest(dossier.id, { fields: INVOICE });
    const held = await ingest(dossier.id, { fields: INVOICE });
    expect(held.possibleDuplicateOf).toBe(first.id);
    // Another office's admin and key, and an entrepreneur of another dossier of this office.
    for (const actor of [world.actors.otherAdmin, world.actors.otherToken, world.actors.entrepreneur]) {
      await expect(confirmDocumentNotDuplicate(opened.db, actor, held.id)).rejects.toMatchObject({ code: "not_found" });
    }
    expect((await documentRow(opened.db, held.id))?.possibleDuplicateOf).toBe(first.id);
  });

  it("can be deleted; deleting the earlier document instead lifts the hold, says so, and lets auto-send try", async () => {
    const dossier = await sendableDossier();
    // Without a type, so auto-send leaves it in the inbox, where it can be deleted.
    const first = await ingest(dossier.id, { fields: INVOICE });
    const held = await ingest(dossier.id, { fields: INVOICE, documentType: "purchase_invoice" });
    const third = await ingest(dossier.id, { fields: INVOICE, documentType: "purchase_invoice" });
    expect(third.possibleDuplicateOf).toBe(first.id);
    // Auto-send ran at arrival and left it for the hold.
    expect((await documentRow(opened.db, third.id))?.autoSendSkipReason).toBe("possible_duplicate");

    await removeDocument(opened.db, world.actors.accountant, held.id);
    expect(await documentRow(opened.db, held.id)).toBeUndefined();
    expect((await eventsOf(held.id)).at(-1)?.kind).toBe("deleted");

    await removeDocument(opened.db, world.actors.accountant, first.id);
    // The hold is lifted and auto-send sent it in the same call.
    expect(await documentRow(opened.db, third.id)).toMatchObject({
      possibleDuplicateOf: null,
      autoSendSkipReason: null,
      status: "sending",
    });
    expect((await eventsOf(third.id)).slice(-2)).toMatchObject([
      { kind: "duplicate_cleared", details: { duplicateOf: first.id, reason: "original_deleted" } },
      { kind: "send_requested", actorKind: "system" },
    ]);
    expect(await dispatchesOf(opened.db, third.id)).toMatchObject([{ trigger: "auto", status: "queued" }]);
  });

  it("keeps the hold when deleting the earlier document is refused", async () => {
    const dossier = await sendableDossier();
    const first = await ingest(dossier.id, { fields: INVOICE });
    const held = await ingest(dossier.id, { fields: INVOICE });
    await expect(removeDocument(opened.db, world.actors.otherAdmin, first.id)).rejects.toMatchObject({
      code: "not_found",
    });
    expect((await documentRow(opened.db, held.id))?.possibleDuplicateOf).toBe(first.id);
  });
});

describe("an e-invoice (UBL), typed from its XML at arrival", () => {
  it("is refused when the same file comes again, and held when the same invoice comes in other bytes", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id, { companyNumber: DOSSIER_COMPANY_NUMBER });
    await setIntegration(opened.db, dossier, FREE_MAIL);
    const xml = ublBytes({ number: "F-2026-042", issueDate: "2026-03-14" });
    const first = await ingest(dossier.id, { content: xml });
    expect(first).toMatchObject({ documentType: "purchase_invoice", possibleDuplicateOf: null });

    await expect(ingest(dossier.id, { content: xml })).rejects.toMatchObject({ existingDocumentId: first.id });

    // The same invoice sent again with another issue date (another file): same supplier, number and amount.
    const again = await ingest(dossier.id, { content: ublBytes({ number: "F-2026-042", issueDate: "2026-03-15" }) });
    expect(again).toMatchObject({ documentType: "purchase_invoice", possibleDuplicateOf: first.id });
    const queue = collectingEnqueue();
    expect(await autoSend(opened.db, again.id, { enqueue: queue.enqueue })).toEqual({
      outcome: "skipped",
      reason: "possible_duplicate",
    });

    const otherNumber = await ingest(dossier.id, { content: ublBytes({ number: "F-2026-043" }) });
    expect(otherNumber.possibleDuplicateOf).toBeNull();
  });
});
