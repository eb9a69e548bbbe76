import type { UblDocument } from "@/lib/ubl/types";

/**
 * A UblDocument as the reader (lib/ubl/read.ts) returns it, built by hand: for tests of what
 * consumes the reader's result (delivery form, PDF rendering) without going through XML.
 */
export function sampleUblDocument(overrides: Partial<UblDocument> = {}): UblDocument {
  return {
    kind: "Invoice",
    number: "INV-2026-0042",
    issueDate: "2026-03-14",
    dueDate: "2026-04-13",
    currency: "EUR",
    payableAmount: 1656.25,
    payableAmountText: "1656.25",
    vatTotal: 287.45,
    taxSubtotals: [
      { category: "S", percent: 21, taxableAmount: 1268.8, taxAmount: 266.45 },
      { category: "S", percent: 6, taxableAmount: 350, taxAmount: 21 },
    ],
    supplier: { name: "Bakkerij Wouters BV", vatNumber: "BE0202239951", identifiers: [] },
    customer: { name: "Koppel Testbedrijf", vatNumber: "BE0123456749", identifiers: [] },
    lines: [
      { description: "Desembrood", quantity: 120, unitCode: "C62", amount: 1268.8 },
      { description: "Croissants", quantity: 500, unitCode: "C62", amount: 350 },
    ],
    embeddedPdf: null,
    ...overrides,
  };
}
