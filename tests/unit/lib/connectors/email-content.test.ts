import { describe, expect, it } from "vitest";
import { buildDocumentEmail, headerSafe, safeAttachmentName } from "@/lib/connectors/email";
import type { DeliveryDocument } from "@/lib/connectors/types";

const DOSSIER = { id: "d1", name: "Bakkerij Peeters BV", companyNumber: "0401234567", vatNumber: null };

function documentOf(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: "doc-1",
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "factuur 17.pdf",
    mimeType: "application/pdf",
    sizeBytes: 1000,
    sha256: "0".repeat(64),
    recognisedFields: {
      supplierName: "Meelhandel Janssens",
      invoiceNumber: "F-2026-017",
      invoiceDate: "2026-03-02",
      totalAmount: 1234.5,
      currency: "EUR",
    },
    isTest: false,
    ...overrides,
  };
}

describe("headerSafe", () => {
  it.each([
    ["CR LF", "a\r\nBcc: x@y.z", "a Bcc: x@y.z"],
    ["a lone LF", "a\nb", "a b"],
    ["NUL and other controls", "a\u0000b\u0007c\u001bd", "a b c d"],
    ["DEL and C1 controls", "a\u007fb\u0085c", "a b c"],
    ["Unicode line and paragraph separators", "a\u2028b\u2029c", "a b c"],
    ["runs of spaces and tabs", "  a \t  b  ", "a b"],
  ])("turns %s into plain spaces", (_label, input, expected) => {
    expect(headerSafe(input)).toBe(expected);
  });

  it("cuts long values with an ellipsis", () => {
    const cut = headerSafe("x".repeat(500), 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith("…")).toBe(true);
  });
});

describe("safeAttachmentName", () => {
  it("keeps an ordinary name as it is", () => {
    expect(safeAttachmentName("Factuur 2026-017 (kopie).pdf")).toBe("Factuur 2026-017 (kopie).pdf");
  });

  it("removes line breaks, quotes and path separators", () => {
    expect(safeAttachmentName('a\r\nb"c/d\\e.pdf')).toBe("a b_c_d_e.pdf");
  });

  it("keeps the extension when a long name is cut", () => {
    const name = safeAttachmentName(`${"n".repeat(300)}.jpeg`);
    expect(name.length).toBeLessThanOrEqual(150);
    expect(name.endsWith(".jpeg")).toBe(true);
  });

  it("never ends up empty", () => {
    expect(safeAttachmentName("\r\n")).toBe("document");
  });
});

describe("buildDocumentEmail", () => {
  it("names dossier, type, supplier and number in the subject and lists the fields in the body (Dutch)", async () => {
    const mail = await buildDocumentEmail({ dossier: DOSSIER, document: documentOf(), reference: "dispatch-1" });
    expect(mail.subject).toBe("Bakkerij Peeters BV · Aankoopfactuur · Meelhandel Janssens · F-2026-017");
    expect(mail.attachmentName).toBe("factuur 17.pdf");
    expect(mail.text).toContain("Dossier: Bakkerij Peeters BV");
    expect(mail.text).toContain("Ondernemingsnummer: 0401.234.567");
    expect(mail.text).toContain("Soort: Aankoopfactuur");
    expect(mail.text).toContain("Leverancier: Meelhandel Janssens");
    expect(mail.text).toContain("Nummer: F-2026-017");
    expect(mail.text).toContain("Datum: 2026-03-02");
    expect(mail.text).toMatch(/Bedrag: €\s1\.234,50/);
    expect(mail.text).toContain("Referentie Koppel: dispatch-1");
  });

  it("leaves out what was not recognised", async () => {
    const mail = await buildDocumentEmail({
      dossier: DOSSIER,
      document: documentOf({ documentType: "receipt", recognisedFields: {} }),
      reference: "dispatch-2",
    });
    expect(mail.subject).toBe("Bakkerij Peeters BV · Kasticket");
    expect(mail.text).not.toContain("Leverancier:");
    expect(mail.text).not.toContain("Bedrag:");
  });

  it("writes French and English when asked", async () => {
    const fr = await buildDocumentEmail({ dossier: DOSSIER, document: documentOf(), reference: "r", locale: "fr" });
    expect(fr.text).toContain("Fournisseur: Meelhandel Janssens");
    const en = await buildDocumentEmail({ dossier: DOSSIER, document: documentOf(), reference: "r", locale: "en" });
    expect(en.text).toContain("Supplier: Meelhandel Janssens");
  });

  it("keeps every value from user data on one line in the subject", async () => {
    const mail = await buildDocumentEmail({
      dossier: { ...DOSSIER, name: "Evil\r\nBcc: a@b.c" },
      document: documentOf({ recognisedFields: { supplierName: "S\nX-Header: 1", invoiceNumber: "7\r\n" } }),
      reference: "r",
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none survive.
    expect(mail.subject).not.toMatch(/[\u0000-\u001f]/);
    expect(mail.subject).toBe("Evil Bcc: a@b.c · Aankoopfactuur · S X-Header: 1 · 7");
  });

  it("marks a test document as a test", async () => {
    const mail = await buildDocumentEmail({
      dossier: DOSSIER,
      document: documentOf({ isTest: true, fileName: "koppel-test.pdf" }),
      reference: "r",
    });
    expect(mail.subject).toBe("[TEST] · Bakkerij Peeters BV · koppel-test.pdf");
    expect(mail.text).toContain("Testdocument");
  });
});
