import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documentEvents } from "@/db/schema";
import { problemOfError } from "@/lib/api/operation";
import type { Actor } from "@/lib/auth/actor";
import { EInvoiceContradictionError, eInvoiceReadingOfDocument } from "@/lib/documents/einvoice";
import { ingestDocument } from "@/lib/documents/ingest";
import { setDocumentRecognition, setDocumentType } from "@/lib/documents/set-type";
import { sendJobEvent } from "@/lib/jobs/client";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import {
  DOSSIER_COMPANY_NUMBER,
  UBL_DOSSIER_PARTY,
  UBL_OTHER_PARTY,
  ublBytes,
  ublFixture,
  ublInvoiceXml,
} from "../../../helpers/ubl";
import { createWorld, documentRow, useTempFileStore, type World } from "./setup";

// E-invoices are typed from their own XML at arrival, and the XML stays the truth: a recognition
// result that contradicts it is refused and changes nothing.

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
const sentEvents = vi.mocked(sendJobEvent);

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;
let dossier: { id: string; portalId: string };
let entrepreneur: Actor;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
  files = await useTempFileStore();
  // The dossier the test UBL documents are addressed to (DOSSIER_COMPANY_NUMBER).
  dossier = await insertDossier(opened.db, world.portal.id, { companyNumber: DOSSIER_COMPANY_NUMBER });
  entrepreneur = { kind: "user", userId: randomUUID(), portalRoles: {}, dossiers: { [dossier.id]: dossier.portalId } };
});
afterAll(async () => {
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => sentEvents.mockClear());

let sequence = 0;
/** A UBL of its own number each time: the same bytes twice in a dossier would be one file. */
function upload(options: Parameters<typeof ublInvoiceXml>[0] = {}, extra: { documentType?: "sales_invoice" } = {}) {
  sequence += 1;
  return ingestDocument(opened.db, entrepreneur, {
    dossierId: dossier.id,
    source: "upload",
    fileName: "factuur.xml",
    content: ublBytes({ number: `INV-${sequence}-${randomUUID().slice(0, 6)}`, ...options }),
    ...extra,
  });
}

async function receivedDetails(documentId: string) {
  const rows = await opened.db
    .select({ kind: documentEvents.kind, details: documentEvents.details })
    .from(documentEvents)
    .where(eq(documentEvents.documentId, documentId));
  return rows;
}

describe("an e-invoice at arrival", () => {
  it("is a purchase invoice when the dossier is the buyer, with the XML's fields, and auto-send runs at once", async () => {
    const document = await upload({ dueDate: "2026-04-13" });
    expect(document).toMatchObject({ documentType: "purchase_invoice", status: "inbox" });
    const row = await documentRow(opened.db, document.id);
    expect(row?.recognisedFields).toEqual({
      supplierName: UBL_OTHER_PARTY.name,
      vatNumber: UBL_OTHER_PARTY.vatNumber,
      invoiceNumber: expect.stringMatching(/^INV-/),
      invoiceDate: "2026-03-14",
      dueDate: "2026-04-13",
      totalAmount: 121,
      vatAmount: 21,
      currency: "EUR",
    });
    expect(row?.recognitionConfidence).toBeNull();
    // Auto-send ran in the upload itself (no job) and says why it left it: this dossier has no integration.
    expect(sentEvents).not.toHaveBeenCalled();
    expect(row?.autoSendSkipReason).toBe("no_integration");
    const events = await receivedDetails(document.id);
    expect(events.map((event) => event.kind).sort()).toEqual(["auto_send_skipped", "received", "recognised"]);
    expect(events[0]?.details).toMatchObject({ readFrom: "einvoice", documentType: "purchase_invoice" });
  });

  it("is a sales invoice when the dossier is the seller", async () => {
    const document = await upload({ supplier: UBL_DOSSIER_PARTY, customer: UBL_OTHER_PARTY });
    expect(document.documentType).toBe("sales_invoice");
  });

  it("takes its kind from the root: a credit note is stored negative, an invoice with a negative amount stays an invoice", async () => {
    const credit = await upload({ kind: "CreditNote" });
    expect(credit.documentType).toBe("purchase_credit_note");
    expect((await documentRow(opened.db, credit.id))?.recognisedFields).toMatchObject({
      totalAmount: -121,
      vatAmount: -21,
    });

    const negative = await upload({ lines: [{ amount: "-50.00", percent: "0", category: "Z" }] });
    expect(negative.documentType).toBe("purchase_invoice");
    expect((await documentRow(opened.db, negative.id))?.recognisedFields).toMatchObject({ totalAmount: -50 });
  });

  it("reads the hand-written Peppol samples: the credit note in USD", async () => {
    const document = await ingestDocument(opened.db, entrepreneur, {
      dossierId: dossier.id,
      source: "upload",
      fileName: "credit-note.xml",
      content: ublFixture("credit-note.xml"),
    });
    const row = await documentRow(opened.db, document.id);
    expect(row?.documentType).toMatch(/credit_note$/);
    expect(row?.recognisedFields.currency).toBe("USD");
    expect(row?.recognisedFields.totalAmount).toBeLessThan(0);
  });

  it("wins over a type given with it", async () => {
    const document = await upload({}, { documentType: "sales_invoice" });
    expect(document.documentType).toBe("purchase_invoice");
  });

  it("addressed to another company waits in the Inbox unrecognised, with its fields, and the reason is readable", async () => {
    const document = await upload(
      { customer: { ...UBL_OTHER_PARTY, name: "Iemand Anders BV" } },
      {
        documentType: "sales_invoice",
      },
    );
    expect(document.documentType).toBeNull();
    expect(sentEvents).not.toHaveBeenCalled();
    expect((await documentRow(opened.db, document.id))?.recognisedFields).toMatchObject({ totalAmount: 121 });
    expect(await eInvoiceReadingOfDocument(opened.db, document.id)).toMatchObject({ kind: "otherCompany" });
  });

  it("that cannot be read (not well-formed) waits unrecognised with the reader's reason", async () => {
    const broken = new TextEncoder().encode(ublInvoiceXml().replace("</cbc:IssueDate>", "</cbc:IssueDat>"));
    const document = await ingestDocument(opened.db, entrepreneur, {
      dossierId: dossier.id,
      source: "upload",
      fileName: "kapot.xml",
      content: broken,
    });
    expect(document.documentType).toBeNull();
    expect((await documentRow(opened.db, document.id))?.recognisedFields).toEqual({});
    expect(await eInvoiceReadingOfDocument(opened.db, document.id)).toEqual({
      kind: "unreadable",
      reason: "malformed",
    });
  });

  it("a PDF is not read as an e-invoice", async () => {
    const pdf = await ingestDocument(opened.db, entrepreneur, {
      dossierId: dossier.id,
      source: "upload",
      fileName: "scan.pdf",
      content: samplePdf(2048 + sequence++),
    });
    expect(pdf.documentType).toBeNull();
    expect(await eInvoiceReadingOfDocument(opened.db, pdf.id)).toBeNull();
  });
});

describe("a recognition result for an e-invoice", () => {
  it("that contradicts the type is refused with 409 einvoice_contradiction and changes nothing", async () => {
    const document = await upload();
    const before = await documentRow(opened.db, document.id);
    const refused = await setDocumentRecognition(opened.db, world.actors.system, document.id, {
      documentType: "purchase_credit_note",
      fields: { totalAmount: 999, currency: "USD" },
      confidence: 0.9,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EInvoiceContradictionError);
    expect(refused).toMatchObject({ contradiction: "type", httpStatus: 409 });
    expect(problemOfError(refused, "nl")).toMatchObject({ status: 409, code: "einvoice_contradiction" });
    expect(await documentRow(opened.db, document.id)).toEqual(before);
  });

  it("that contradicts the amount is refused, and says the XML's amount", async () => {
    const document = await upload();
    const refused = await setDocumentRecognition(opened.db, world.actors.system, document.id, {
      documentType: "purchase_invoice",
      fields: { totalAmount: 999 },
      confidence: 0.9,
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ contradiction: "amount", messageValues: { expected: "121.00 EUR" } });
    expect(problemOfError(refused, "en").detail).toContain("121.00 EUR");
  });

  it("that agrees is recorded, and the XML's fields win over what recognition read", async () => {
    const document = await upload();
    await setDocumentRecognition(opened.db, world.actors.system, document.id, {
      documentType: "purchase_invoice",
      fields: { totalAmount: 121, supplierName: "Drukkerij P." },
      confidence: 0.8,
    });
    const row = await documentRow(opened.db, document.id);
    expect(row?.recognisedFields).toMatchObject({ supplierName: UBL_OTHER_PARTY.name, totalAmount: 121 });
    expect(row?.recognitionConfidence).toBeCloseTo(0.8);
  });

  it("for one addressed to another company is refused; a person may still type it by hand, and that is recorded", async () => {
    const document = await upload({ customer: UBL_OTHER_PARTY });
    const refused = await setDocumentRecognition(opened.db, world.actors.system, document.id, {
      documentType: "purchase_invoice",
      fields: {},
      confidence: null,
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ contradiction: "otherCompany" });

    const typed = await setDocumentType(opened.db, world.actors.accountant, document.id, "purchase_invoice");
    expect(typed.documentType).toBe("purchase_invoice");
    const [event] = await opened.db
      .select({ details: documentEvents.details })
      .from(documentEvents)
      .where(and(eq(documentEvents.documentId, document.id), eq(documentEvents.kind, "typed")));
    expect(event?.details).toMatchObject({ documentType: "purchase_invoice" });
  });
});
