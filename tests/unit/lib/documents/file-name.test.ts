import { describe, expect, it } from "vitest";
import { sanitizeFileName } from "@/lib/documents/ingest";
import { type DetectedFileType, sniffDocument } from "@/lib/documents/sniff";
import { sampleJpeg, samplePdf, UBL_INVOICE_XML, utf8 } from "../../../fixtures/documents";

function typeOf(content: Uint8Array): DetectedFileType {
  const result = sniffDocument(content);
  if (!result.ok) throw new Error("sample not recognised");
  return result.type;
}

const PDF = typeOf(samplePdf());
const JPEG = typeOf(sampleJpeg());
const UBL = typeOf(utf8(UBL_INVOICE_XML));

describe("sanitizeFileName", () => {
  it("keeps an ordinary name", () => {
    expect(sanitizeFileName("Factuur 2026-001.pdf", PDF)).toBe("Factuur 2026-001.pdf");
  });

  it("keeps an alternative extension of the same type, lower-cased", () => {
    expect(sanitizeFileName("IMG_0042.JPEG", JPEG)).toBe("IMG_0042.jpeg");
  });

  it("drops the path a browser or mail client sent along", () => {
    expect(sanitizeFileName("C:\\Users\\an\\Documents\\factuur.pdf", PDF)).toBe("factuur.pdf");
    expect(sanitizeFileName("../../etc/passwd", PDF)).toBe("passwd.pdf");
  });

  it("gives a file the extension of what it really is", () => {
    expect(sanitizeFileName("scan.jpg", PDF)).toBe("scan.pdf");
    expect(sanitizeFileName("invoice.exe", PDF)).toBe("invoice.pdf");
    expect(sanitizeFileName("einvoice", UBL)).toBe("einvoice.xml");
  });

  it("keeps a dotted part that is not an extension", () => {
    expect(sanitizeFileName("report.2026", PDF)).toBe("report.2026.pdf");
  });

  it("removes control and bidi characters", () => {
    expect(sanitizeFileName("fac\u0000tuur\r\n.pdf", PDF)).toBe("factuur.pdf");
    // "invoice‮fdp.exe" shows as "invoiceexe.pdf" in a right-to-left override.
    expect(sanitizeFileName("invoice\u202efdp.exe", PDF)).toBe("invoicefdp.pdf");
  });

  it("replaces characters that file systems and mail headers reserve", () => {
    expect(sanitizeFileName('a<b>c:d"e|f?g*h.pdf', PDF)).toBe("a_b_c_d_e_f_g_h.pdf");
  });

  it("does not leave a hidden file or an empty name", () => {
    expect(sanitizeFileName(".pdf", PDF)).toBe("pdf.pdf");
    expect(sanitizeFileName("...", PDF)).toBe("document.pdf");
    expect(sanitizeFileName("", JPEG)).toBe("document.jpg");
    expect(sanitizeFileName("   ", PDF)).toBe("document.pdf");
  });

  it("bounds the length without splitting a character, and keeps the extension", () => {
    const name = sanitizeFileName(`${"é".repeat(300)}😀😀.pdf`, PDF);
    expect(Array.from(name).length).toBeLessThanOrEqual(120);
    expect(name.endsWith(".pdf")).toBe(true);
    // encodeURIComponent throws on a lone surrogate (half an emoji).
    expect(() => encodeURIComponent(name)).not.toThrow();
  });

  it("normalises to NFC", () => {
    expect(sanitizeFileName("Cafe\u0301.pdf", PDF)).toBe("Caf\u00e9.pdf");
  });
});
