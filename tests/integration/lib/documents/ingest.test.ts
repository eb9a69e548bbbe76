import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { FileRefusedError, ingestDocument, ingestSalesInvoice } from "@/lib/documents/ingest";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/sniff";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { sendJobEvent } from "@/lib/jobs/client";
import { sampleExe, sampleJpeg, samplePdf, samplePng, UBL_INVOICE_XML, utf8 } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, documentRow, useTempFileStore, type World } from "./setup";

// The auto-send job belongs to the dispatch work; here we only check that it is told.
vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
const sentEvents = vi.mocked(sendJobEvent);

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

const sha256 = (content: Uint8Array) => createHash("sha256").update(content).digest("hex");

async function documentCount() {
  return (await opened.db.select({ id: documents.id }).from(documents)).length;
}

describe("ingestDocument", () => {
  it("stores the file under our own key and inserts an unrecognised inbox document", async () => {
    const content = samplePdf(4096);
    const result = await ingestDocument(opened.db, world.actors.entrepreneur, {
      dossierId: world.dossier.id,
      source: "upload",
      fileName: "Factuur maart.pdf",
      content,
    });

    expect(result).toMatchObject({
      dossierId: world.dossier.id,
      fileName: "Factuur maart.pdf",
      mimeType: "application/pdf",
      sizeBytes: 4096,
      sha256: sha256(content),
      documentType: null,
      status: "inbox",
    });
    const row = await documentRow(opened.db, result.id);
    expect(row).toMatchObject({
      portalId: world.portal.id,
      source: "upload",
      storageKey: `${world.portal.id}/${world.dossier.id}/${result.id}`,
      recognisedFields: {},
      archivedAt: null,
    });
    expect(Buffer.from(await files.store.get(row?.storageKey ?? "")).equals(Buffer.from(content))).toBe(true);
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it.each([
    ["a JPEG photo", sampleJpeg(), "IMG_0001.JPG", "image/jpeg", "IMG_0001.jpg"],
    ["a PNG", samplePng(), "scherm.png", "image/png", "scherm.png"],
    ["a UBL invoice", utf8(UBL_INVOICE_XML), "peppol-invoice.xml", "application/xml", "peppol-invoice.xml"],
    ["a PDF that was named .jpg", samplePdf(), "factuur.jpg", "application/pdf", "factuur.pdf"],
  ])("takes %s, typed by its content", async (_name, content, fileName, mimeType, storedName) => {
    const result = await ingestDocument(opened.db, world.actors.accountant, {
      dossierId: world.dossier.id,
      source: "upload",
      fileName,
      content,
    });
    expect(result).toMatchObject({ mimeType, fileName: storedName, sha256: sha256(content) });
  });

  it("sanitizes the file name (no path, no control characters, bounded length)", async () => {
    const result = await ingestDocument(opened.db, world.actors.admin, {
      dossierId: world.dossier.id,
      source: "upload",
      fileName: `C:\\fakepath\\..\\${"lang ".repeat(60)}\u0007na\u202eam.pdf`,
      content: samplePdf(),
    });
    expect(result.fileName).not.toMatch(/[\\/\p{Cc}\p{Cf}]/u);
    expect(result.fileName.length).toBeLessThanOrEqual(120);
    expect(result.fileName.startsWith("lang lang")).toBe(true);
    expect(result.fileName.endsWith(".pdf")).toBe(true);
  });

  it("recognises an upload that arrives with a type at once, and tells auto-send", async () => {
    const result = await ingestDocument(opened.db, world.actors.token, {
      dossierId: world.dossier.id,
      source: "api",
      fileName: "bon.jpg",
      content: sampleJpeg(),
      documentType: "receipt",
      fields: { supplierName: "Bakkerij Peeters", totalAmount: 12.5, currency: "eur" },
    });
    expect(result.documentType).toBe("receipt");
    expect((await documentRow(opened.db, result.id))?.recognisedFields).toEqual({
      supplierName: "Bakkerij Peeters",
      totalAmount: 12.5,
      currency: "EUR",
    });
    // Auto-send ran in the same call (no job): the dossier has no integration, and it says so.
    expect((await documentRow(opened.db, result.id))?.autoSendSkipReason).toBe("no_integration");
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it("takes a sales invoice from the sales module as recognised, with its fields", async () => {
    const content = samplePdf();
    const result = await ingestSalesInvoice(opened.db, world.actors.system, {
      dossierId: world.dossier.id,
      fileName: "VF-2026-0042.pdf",
      content,
      fields: {
        invoiceNumber: "VF-2026-0042",
        invoiceDate: "2026-03-14",
        totalAmount: 1210,
        currency: "EUR",
        vatNumber: "BE 0123.456.749",
      },
    });
    const row = await documentRow(opened.db, result.id);
    expect(row).toMatchObject({
      source: "sales",
      documentType: "sales_invoice",
      status: "inbox",
      recognisedFields: {
        invoiceNumber: "VF-2026-0042",
        invoiceDate: "2026-03-14",
        totalAmount: 1210,
        currency: "EUR",
        vatNumber: "BE0123456749",
      },
    });
    // Auto-send ran in the same call (no job): the dossier has no integration, and it says so.
    expect((await documentRow(opened.db, result.id))?.autoSendSkipReason).toBe("no_integration");
    expect(sentEvents).not.toHaveBeenCalled();
  });

  describe("refusals store nothing", () => {
    it.each([
      ["an executable named .pdf", sampleExe(), "unsupportedType", "upload.unsupportedType", 415],
      ["an empty file", new Uint8Array(0), "empty", "upload.empty", 400],
      ["a file over 20 MB", samplePdf(MAX_DOCUMENT_BYTES + 1), "tooLarge", "upload.tooLarge", 413],
    ] as const)("refuses %s", async (_name, content, reason, messageKey, httpStatus) => {
      const before = { count: await documentCount(), files: await files.keys() };
      const error = await ingestDocument(opened.db, world.actors.entrepreneur, {
        dossierId: world.dossier.id,
        source: "upload",
        fileName: "factuur.pdf",
        content,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FileRefusedError);
      expect(error).toMatchObject({ reason, messageKey, httpStatus, code: "validation_failed" });
      expect({ count: await documentCount(), files: await files.keys() }).toEqual(before);
      expect(sentEvents).not.toHaveBeenCalled();
    });

    it("refuses fields that do not fit, per field", async () => {
      const before = { count: await documentCount(), files: await files.keys() };
      const error = await ingestDocument(opened.db, world.actors.entrepreneur, {
        dossierId: world.dossier.id,
        source: "upload",
        fileName: "factuur.pdf",
        content: samplePdf(),
        documentType: "purchase_invoice",
        fields: { invoiceDate: "2026-02-30", currency: "euro" },
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors).toEqual({
        "fields.invoiceDate": ["invalid"],
        "fields.currency": ["invalid"],
      });
      expect({ count: await documentCount(), files: await files.keys() }).toEqual(before);
    });

    it("refuses an unknown document type", async () => {
      await expect(
        ingestDocument(opened.db, world.actors.entrepreneur, {
          dossierId: world.dossier.id,
          source: "upload",
          fileName: "factuur.pdf",
          content: samplePdf(),
          documentType: "invoice" as never,
        }),
      ).rejects.toMatchObject({ fieldErrors: { documentType: ["document.invalidType"] } });
    });

    it.each([
      ["another office's admin", "otherAdmin", "dossier"],
      ["another office's API token", "otherToken", "dossier"],
      ["an entrepreneur, in a dossier of the same office that is not theirs", "entrepreneur", "neighbourDossier"],
      ["an accountant, in another office's dossier", "accountant", "foreignDossier"],
    ] as const)("answers not found to %s", async (_name, actorName, dossierName) => {
      const before = { count: await documentCount(), files: await files.keys() };
      await expect(
        ingestDocument(opened.db, world.actors[actorName], {
          dossierId: world[dossierName].id,
          source: "upload",
          fileName: "factuur.pdf",
          content: samplePdf(),
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect({ count: await documentCount(), files: await files.keys() }).toEqual(before);
    });

    it.each(["not-a-uuid", "00000000-0000-4000-8000-000000000000"])("answers not found for dossier %s", async (id) => {
      await expect(
        ingestDocument(opened.db, world.actors.admin, {
          dossierId: id,
          source: "upload",
          fileName: "factuur.pdf",
          content: samplePdf(),
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it("removes the stored file when the row cannot be inserted", async () => {
      const before = { count: await documentCount(), files: await files.keys() };
      await expect(
        ingestDocument(opened.db, world.actors.admin, {
          dossierId: world.dossier.id,
          // Not a value of the source enum: the insert fails after the file was written.
          source: "fax" as never,
          fileName: "factuur.pdf",
          content: samplePdf(),
        }),
      ).rejects.toThrow();
      expect({ count: await documentCount(), files: await files.keys() }).toEqual(before);
    });
  });
});
