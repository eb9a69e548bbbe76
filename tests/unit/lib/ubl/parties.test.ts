import { describe, expect, it } from "vitest";
import { belgianEnterpriseNumberOf, documentTypeOf, isDossierParty, ublDirection } from "@/lib/ubl/parties";
import { readUbl } from "@/lib/ubl/read";
import type { DossierNumbers, UblDocument } from "@/lib/ubl/types";
import {
  DOSSIER_COMPANY_NUMBER,
  OTHER_COMPANY_NUMBER,
  type UblFixtureName,
  type UblTestParty,
  ublBytes,
  ublFixture,
} from "../../../helpers/ubl";

const DOSSIER: DossierNumbers = { companyNumber: DOSSIER_COMPANY_NUMBER, vatNumber: null };

function read(content: Uint8Array): UblDocument {
  const result = readUbl(content);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.document;
}

const fixture = (name: UblFixtureName) => read(ublFixture(name));

/** A party that carries only the given numbers (no name-based matching exists to fall back on). */
const only = (party: UblTestParty): UblTestParty => ({
  name: "Studio Lemaire BV",
  vatNumber: null,
  endpoint: null,
  legalCompanyId: null,
  ...party,
});

describe("belgianEnterpriseNumberOf", () => {
  it("reduces every way of writing a Belgian enterprise or VAT number to its 10 digits", () => {
    for (const form of [
      "0123456749",
      "123456749",
      "BE0123456749",
      "be0123456749",
      "BE 0123.456.749",
      "0123.456.749",
      "0123 456 749",
      " BE123456749 ",
    ]) {
      expect([form, belgianEnterpriseNumberOf(form)]).toEqual([form, "0123456749"]);
    }
  });

  it("refuses wrong check digits and numbers that are not Belgian", () => {
    for (const value of ["0123456748", "2123456749", "NL123456789B01", "BE012345674", "", "GLN5412345000013"]) {
      expect([value, belgianEnterpriseNumberOf(value)]).toEqual([value, null]);
    }
  });
});

describe("ublDirection on the samples", () => {
  it("is purchase when the dossier is the buyer, sales when it is the seller", () => {
    expect(ublDirection(fixture("purchase-invoice.xml"), DOSSIER)).toBe("purchase");
    expect(ublDirection(fixture("credit-note.xml"), DOSSIER)).toBe("purchase");
    expect(ublDirection(fixture("negative-invoice.xml"), DOSSIER)).toBe("purchase");
    expect(ublDirection(fixture("embedded-pdf.xml"), DOSSIER)).toBe("purchase");
    expect(ublDirection(fixture("default-namespace.xml"), DOSSIER)).toBe("purchase");
    expect(ublDirection(fixture("sales-invoice-utf16le.xml"), DOSSIER)).toBe("sales");
  });

  it("turns round for the dossier on the other side, and is otherCompany for a third company", () => {
    const supplierDossier: DossierNumbers = { companyNumber: "0477472701", vatNumber: "BE0477472701" };
    expect(ublDirection(fixture("purchase-invoice.xml"), supplierDossier)).toBe("sales");
    const thirdCompany: DossierNumbers = { companyNumber: "0812345603", vatNumber: null };
    expect(ublDirection(fixture("purchase-invoice.xml"), thirdCompany)).toBe("otherCompany");
    expect(ublDirection(fixture("credit-note.xml"), thirdCompany)).toBe("sales");
  });
});

describe("ublDirection, one party-matching form at a time", () => {
  const forms: [string, UblTestParty][] = [
    ["VAT number BE0123456749", only({ vatNumber: "BE0123456749" })],
    ["VAT number written BE 0123.456.749", only({ vatNumber: "BE 0123.456.749" })],
    ["bare enterprise number", only({ identifications: [{ value: "0123456749" }] })],
    ["old 9-digit number", only({ identifications: [{ value: "123456749" }] })],
    ["PartyLegalEntity CompanyID, scheme 0208", only({ legalCompanyId: { value: "0123456749", scheme: "0208" } })],
    ["PartyIdentification, scheme 0208", only({ identifications: [{ value: "0123456749", scheme: "0208" }] })],
    ["EndpointID, scheme 0208", only({ endpoint: { value: "0123456749", scheme: "0208" } })],
    ["EndpointID, scheme 9925", only({ endpoint: { value: "BE0123456749", scheme: "9925" } })],
    ["EndpointID, scheme 9925 in lower case", only({ endpoint: { value: "be0123456749", scheme: "9925" } })],
    ["EndpointID, deprecated scheme 9956", only({ endpoint: { value: "0123456749", scheme: "9956" } })],
    ["participant id with its scheme in the value", only({ endpoint: { value: "0208:0123456749" } })],
    ["dotted number, scheme BE:CBE", only({ identifications: [{ value: "0123.456.749", scheme: "BE:CBE" }] })],
  ];

  for (const [form, party] of forms) {
    it(`matches the buyer by ${form}`, () => {
      expect(ublDirection(read(ublBytes({ customer: party })), DOSSIER)).toBe("purchase");
    });
    it(`matches the seller by ${form}`, () => {
      const document = read(ublBytes({ supplier: party, customer: only({ vatNumber: `BE${OTHER_COMPANY_NUMBER}` }) }));
      expect(ublDirection(document, DOSSIER)).toBe("sales");
    });
  }

  it("matches with the dossier's number written any way", () => {
    const document = read(ublBytes());
    expect(ublDirection(document, { companyNumber: "0123.456.749", vatNumber: null })).toBe("purchase");
    expect(ublDirection(document, { companyNumber: "BE0123456749", vatNumber: "BE 0123 456 749" })).toBe("purchase");
  });

  it("never takes a name, a wrong check digit or another register's number for the dossier", () => {
    const noMatch: UblTestParty[] = [
      only({}),
      only({ vatNumber: "BE0123456748" }),
      only({ identifications: [{ value: "0123456749", scheme: "0088" }] }),
      only({ endpoint: { value: "123456749", scheme: "0060" } }),
      only({ identifications: [{ value: "01234567490" }] }),
    ];
    for (const party of noMatch) {
      const document = read(ublBytes({ customer: party }));
      expect([party, ublDirection(document, DOSSIER)]).toEqual([party, "otherCompany"]);
    }
  });

  it("matches a foreign VAT number of the dossier as a whole string only", () => {
    const dossier: DossierNumbers = { companyNumber: DOSSIER_COMPANY_NUMBER, vatNumber: "NL 1234.56789.B01" };
    expect(ublDirection(read(ublBytes({ customer: only({ vatNumber: "NL123456789B01" }) })), dossier)).toBe("purchase");
    expect(
      ublDirection(
        read(ublBytes({ customer: only({ endpoint: { value: "nl123456789b01", scheme: "9944" } }) })),
        dossier,
      ),
    ).toBe("purchase");
    expect(
      ublDirection(read(ublBytes({ customer: only({ endpoint: { value: "123456789", scheme: "9944" } }) })), dossier),
    ).toBe("otherCompany");
  });

  it("is otherCompany when the dossier is on both sides: nothing tells which book it belongs in", () => {
    const document = read(ublBytes({ supplier: only({ vatNumber: "BE0123456749" }) }));
    expect(isDossierParty(document.supplier, DOSSIER)).toBe(true);
    expect(isDossierParty(document.customer, DOSSIER)).toBe(true);
    expect(ublDirection(document, DOSSIER)).toBe("otherCompany");
  });
});

describe("documentTypeOf", () => {
  it("types by the root element and the side, never by the amount", () => {
    expect(documentTypeOf("Invoice", "purchase")).toBe("purchase_invoice");
    expect(documentTypeOf("CreditNote", "purchase")).toBe("purchase_credit_note");
    expect(documentTypeOf("Invoice", "sales")).toBe("sales_invoice");
    expect(documentTypeOf("CreditNote", "sales")).toBe("sales_credit_note");
    const negative = fixture("negative-invoice.xml");
    expect(documentTypeOf(negative.kind, "purchase")).toBe("purchase_invoice");
  });
});
