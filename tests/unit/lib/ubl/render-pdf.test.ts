import { describe, expect, it } from "vitest";
import { renderUblPdf } from "@/lib/ubl/render-pdf";
import { isPdf, pdfText } from "@/tests/helpers/pdf-text";
import { sampleUblDocument } from "@/tests/helpers/ubl-document";

describe("renderUblPdf", () => {
  it("renders a PDF with the parties, number, dates, lines, VAT and totals", async () => {
    const pdf = await renderUblPdf(sampleUblDocument(), { locale: "en", compress: false });
    expect(isPdf(pdf)).toBe(true);
    const text = pdfText(pdf);
    expect(text).toContain("Invoice INV-2026-0042");
    expect(text).toContain("Bakkerij Wouters BV");
    expect(text).toContain("VAT number: BE0202239951");
    expect(text).toContain("Koppel Testbedrijf");
    expect(text).toContain("Issue date: 2026-03-14");
    expect(text).toContain("Due date: 2026-04-13");
    expect(text).toContain("Currency: EUR");
    expect(text).toContain("Desembrood");
    expect(text).toContain("1.268,80");
    expect(text).toContain("21 %");
    expect(text).toContain("Amount payable EUR");
    expect(text).toContain("1.656,25");
  });

  it("marks itself as a rendering whose original is the XML, in the dossier's language", async () => {
    const cases = [
      ["en", "Rendering by Koppel of e-invoice INV-2026-0042 — the XML is the original"],
      ["nl", "Weergave door Koppel van e-factuur INV-2026-0042 — de XML is het origineel"],
      ["fr", "Rendu par Koppel de la facture électronique INV-2026-0042 — le XML est l'original"],
    ] as const;
    for (const [locale, banner] of cases) {
      const text = pdfText(await renderUblPdf(sampleUblDocument(), { locale, compress: false }));
      expect(text).toContain(banner);
    }
  });

  it("names a credit note as one and formats amounts the Belgian French way", async () => {
    const text = pdfText(
      await renderUblPdf(sampleUblDocument({ kind: "CreditNote", payableAmount: -1656.25 }), {
        locale: "fr",
        compress: false,
      }),
    );
    expect(text).toContain("Note de crédit INV-2026-0042");
    // fr-BE groups thousands with a narrow no-break space, written as a no-break space (WinAnsi).
    expect(text).toContain("-1\u00a0656,25");
  });

  it("says so when the invoice has no lines and survives missing values and foreign characters", async () => {
    const text = pdfText(
      await renderUblPdf(
        sampleUblDocument({
          number: null,
          issueDate: null,
          lines: [],
          taxSubtotals: [],
          payableAmount: null,
          payableAmountText: null,
          supplier: { name: "Łódź 株式会社\nSecond line", vatNumber: null, identifiers: [] },
        }),
        { locale: "nl", compress: false },
      ),
    );
    expect(text).toContain("De e-factuur bevat geen lijnen.");
    expect(text).toContain("e-factuur zonder nummer");
    expect(text).toContain("?ód? ???? Second line");
  });

  it("gives the same bytes for the same document, whatever the clock (a retry sends the same file)", async () => {
    const first = await renderUblPdf(sampleUblDocument(), { locale: "nl" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await renderUblPdf(sampleUblDocument(), { locale: "nl" });
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(first).toString("latin1")).toContain("(D:20260314000000Z)");
  });
});
