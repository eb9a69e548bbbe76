import { describe, expect, it } from "vitest";
import {
  attachmentPayload,
  divisionChoices,
  documentPayload,
  documentTypeFor,
  odataGuid,
  odataString,
  subjectFor,
} from "@/lib/connectors/api/exact-online/map";
import { categoryOf, type DocumentType } from "@/lib/connectors/types";

const REFERENCE = "5f0c1a52-5b7e-4a53-9f0e-0f3f9b1f6a11";

describe("Exact Online mapping", () => {
  it.each([
    ["purchase_invoice", 20],
    ["purchase_credit_note", 20],
    ["receipt", 20],
    ["sales_invoice", 10],
    ["sales_credit_note", 10],
    ["other", 55],
  ] as const)("%s becomes Document Type %i", (documentType: DocumentType, type) => {
    expect(documentTypeFor({ category: categoryOf(documentType) })).toBe(type);
  });

  it("builds the Document with our reference in its Subject", () => {
    expect(
      documentPayload({ fileName: "Factuur 2025-031.pdf", category: "purchase" }, REFERENCE),
    ).toMatchInlineSnapshot(`
      {
        "Subject": "Factuur 2025-031.pdf [Koppel 5f0c1a52-5b7e-4a53-9f0e-0f3f9b1f6a11]",
        "Type": 20,
      }
    `);
  });

  it("shortens a long file name, never the reference, and drops control characters", () => {
    const subject = subjectFor({ fileName: `${"x".repeat(300)}\u202e\n.pdf` }, REFERENCE);
    expect(subject.length).toBe(200);
    expect(subject.endsWith(`[Koppel ${REFERENCE}]`)).toBe(true);
    expect(subjectFor({ fileName: "a\u0000b\u202ec.pdf" }, REFERENCE)).toBe(`a b c.pdf [Koppel ${REFERENCE}]`);
  });

  it("gives the same Subject on every try (the retry's lookup depends on it)", () => {
    const document = { fileName: "scan 7.pdf" };
    expect(subjectFor(document, REFERENCE)).toBe(subjectFor({ ...document }, REFERENCE));
  });

  it("escapes OData literals", () => {
    expect(odataString("l'eau d'Anvers.pdf")).toBe("'l''eau d''Anvers.pdf'");
    expect(odataGuid("5F0C1A52-5B7E-4A53-9F0E-0F3F9B1F6A11")).toBe("guid'5F0C1A52-5B7E-4A53-9F0E-0F3F9B1F6A11'");
    expect(() => odataGuid("x') or (1 eq 1")).toThrow(/GUID/);
  });

  it("sends the attachment as base64 on the Document", () => {
    expect(
      attachmentPayload(REFERENCE, { fileName: "bon.pdf" }, new TextEncoder().encode("%PDF-1.4\n")),
    ).toMatchInlineSnapshot(`
        {
          "Attachment": "JVBERi0xLjQK",
          "Document": "5f0c1a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
          "FileName": "bon.pdf",
        }
      `);
  });

  it("offers active divisions (and those without a status) by name, with code and VAT number", () => {
    expect(
      divisionChoices([
        { Code: 3, Description: "Zeepziederij NV", VATNumber: "BE0403019261 ", Status: 1 },
        { Code: 1, Description: "Archief BV", VATNumber: null, Status: 2 },
        { Code: 2, Description: "Inactief BV", Status: 0 },
        { Code: 4, Description: "  ", VATNumber: "", Status: null },
        { Code: 5, Description: "Bakkerij Wouters", VATNumber: "BE0123456749" },
      ]),
    ).toMatchInlineSnapshot(`
      [
        {
          "detail": "4",
          "label": "4",
          "value": "4",
          "vatNumber": null,
        },
        {
          "detail": "5",
          "label": "Bakkerij Wouters",
          "value": "5",
          "vatNumber": "BE0123456749",
        },
        {
          "detail": "3",
          "label": "Zeepziederij NV",
          "value": "3",
          "vatNumber": "BE0403019261",
        },
      ]
    `);
  });
});
