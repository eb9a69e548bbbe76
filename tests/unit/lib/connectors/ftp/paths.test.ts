import { describe, expect, it } from "vitest";
import {
  defaultDossierFolder,
  documentYear,
  effectiveLayout,
  finalFileName,
  MissingDossierFolderError,
  normalizeBaseFolder,
  planDelivery,
  relativeFolderFor,
  sanitizeFolderName,
  sanitizeSegment,
  temporaryFileName,
} from "@/lib/connectors/ftp/paths";
import type { DeliveryDocument } from "@/lib/connectors/types";
import { type FtpProfile, findPackage } from "@/lib/packages/catalog";

const DOSSIER = { companyNumber: "0123456749", vatNumber: "BE0123456749" };
const DOCUMENT_ID = "3f2a9c1b-e4d0-4c6e-9a1b-2c3d4e5f6a7b";

function document(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: DOCUMENT_ID,
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "Factuur maart.pdf",
    mimeType: "application/pdf",
    sizeBytes: 1000,
    sha256: "",
    recognisedFields: { invoiceDate: "2024-12-30" },
    receivedAt: new Date("2025-03-14T09:05:07.123Z"),
    isTest: false,
    ...overrides,
  };
}

function profileOf(id: string): FtpProfile {
  const profile = findPackage(id)?.ftp;
  if (!profile) throw new Error(`${id} has no FTP profile`);
  return profile;
}

describe("sanitizeSegment (file name parts)", () => {
  it.each([
    ["../../etc/passwd", "etc-passwd"],
    ["..", "fallback"],
    ["...", "fallback"],
    [".hidden", "hidden"],
    ["a/b\\c", "a-b-c"],
    ["C:\\Windows\\system32", "C-Windows-system32"],
    ["factuur\u0000\r\nSTOR x", "factuur-STOR-x"],
    ["résumé café", "resume-cafe"],
    ["  spaces  around  ", "spaces-around"],
    ['a<b>c:d"e|f?g*h', "a-b-c-d-e-f-g-h"],
    ["", "fallback"],
    ["\u202e\u2028", "fallback"],
  ])("%j → %j", (input, expected) => {
    expect(sanitizeSegment(input, "fallback")).toBe(expected);
  });

  it("bounds the length and never ends in a separator", () => {
    const long = sanitizeSegment(`${"a".repeat(79)}-${"b".repeat(50)}`, "x");
    expect(long).toBe("a".repeat(79));
    expect(sanitizeSegment("x".repeat(500), "x")).toHaveLength(80);
  });
});

describe("sanitizeFolderName (names people type)", () => {
  it.each([
    ["Aankoop 2025", "Aankoop 2025"],
    ["Dossier Müller", "Dossier Müller"],
    ["..", "fb"],
    [".", "fb"],
    ["../x", "_x"],
    ["a/b", "a_b"],
    ["tab\tand\nnewline", "tab and newline"],
    ["ctrl\u0000\u001b[31m", "ctrl [31m"],
    ["invoice\u202Efdp.exe", "invoice fdp.exe"],
    ["zero\u200Bwidth", "zero width"],
    ["trailing. ", "trailing"],
    ["", "fb"],
  ])("%j → %j", (input, expected) => {
    expect(sanitizeFolderName(input, "fb")).toBe(expected);
  });

  it("bounds the length", () => {
    expect(sanitizeFolderName("d".repeat(300), "fb")).toHaveLength(80);
  });
});

describe("normalizeBaseFolder", () => {
  it.each([
    [undefined, { isAbsolute: false, segments: [] }],
    ["", { isAbsolute: false, segments: [] }],
    ["/", { isAbsolute: true, segments: [] }],
    ["/import/koppel/", { isAbsolute: true, segments: ["import", "koppel"] }],
    ["import//in", { isAbsolute: false, segments: ["import", "in"] }],
    ["/a/../../b/./c", { isAbsolute: true, segments: ["a", "b", "c"] }],
  ])("%j", (input, expected) => {
    expect(normalizeBaseFolder(input)).toEqual(expected);
  });
});

describe("defaultDossierFolder", () => {
  it("is the enterprise number for Expert/M, Vero Online, Sage BOB, Account 2000 and generic FTP", () => {
    for (const id of ["expert-m", "vero-online", "sage-bob", "account-2000", "generic-ftp"]) {
      expect(defaultDossierFolder(profileOf(id), DOSSIER)).toBe("0123456749");
    }
  });

  it("is the VAT number for Adsolut, BE + the enterprise number when the dossier has none", () => {
    expect(defaultDossierFolder(profileOf("adsolut"), DOSSIER)).toBe("BE0123456749");
    expect(defaultDossierFolder(profileOf("adsolut"), { ...DOSSIER, vatNumber: "be 0123.456.749" })).toBe(
      "BE0123456749",
    );
    expect(defaultDossierFolder(profileOf("adsolut"), { ...DOSSIER, vatNumber: null })).toBe("BE0123456749");
  });

  it("is empty for a profile without a dossier folder", () => {
    expect(defaultDossierFolder({ dossierFolderDefault: "none" }, DOSSIER)).toBe("");
  });
});

describe("the folder per profile", () => {
  const folder = (id: string, category: "purchase" | "sales" | "other", dossierFolder = "0123456749") =>
    relativeFolderFor({ layout: effectiveLayout(profileOf(id)), dossierFolder, category, year: "2025" }).join("/");

  it.each([
    ["expert-m", "purchase", "0123456749/Aankoop"],
    ["expert-m", "sales", "0123456749/Verkoop"],
    ["expert-m", "other", "0123456749/Divers"],
    ["sage-bob", "purchase", "0123456749/Scans/Aankopen"],
    ["sage-bob", "sales", "0123456749/Scans/Verkopen"],
    ["sage-bob", "other", "0123456749/Scans/Diversen"],
    ["adsolut", "purchase", "0123456749/Aankoop"],
    ["adsolut", "sales", "0123456749/Verkoop"],
    ["generic-ftp", "purchase", "0123456749/purchase"],
    ["generic-ftp", "sales", "0123456749/sales"],
    ["generic-ftp", "other", "0123456749/other"],
    ["vero-online", "purchase", "0123456749/purchase"],
    ["account-2000", "sales", "0123456749/sales"],
  ] as const)("%s, %s → %s", (id, category, expected) => {
    expect(folder(id, category)).toBe(expected);
  });

  it("follows a connection's layout and category folder overrides", () => {
    const layout = effectiveLayout(profileOf("vero-online"), {
      layout: "{dossierFolder}/{year}/{category}",
      categoryFolders: { purchase: "IN" },
    });
    expect(relativeFolderFor({ layout, dossierFolder: "KLANT1", category: "purchase", year: "2025" })).toEqual([
      "KLANT1",
      "2025",
      "IN",
    ]);
    expect(relativeFolderFor({ layout, dossierFolder: "KLANT1", category: "sales", year: "2025" })).toEqual([
      "KLANT1",
      "2025",
      "sales",
    ]);
  });

  it("keeps a hostile dossier folder inside its place", () => {
    const segments = relativeFolderFor({
      layout: effectiveLayout(profileOf("generic-ftp")),
      dossierFolder: "../../root",
      category: "purchase",
      year: "2025",
    });
    expect(segments).toEqual(["_.._root", "purchase"]);
    expect(segments.every((segment) => segment !== ".." && !segment.includes("/"))).toBe(true);
  });

  it("refuses to mix dossiers when the layout needs a dossier folder and there is none", () => {
    expect(() =>
      relativeFolderFor({
        layout: effectiveLayout(profileOf("generic-ftp")),
        dossierFolder: "  ",
        category: "purchase",
        year: "2025",
      }),
    ).toThrow(MissingDossierFolderError);
  });

  it("leaves the dossier level out for a layout without one", () => {
    const layout = effectiveLayout(profileOf("generic-ftp"), { layout: "{category}/{year}" });
    expect(relativeFolderFor({ layout, dossierFolder: "", category: "other", year: "2024" })).toEqual([
      "other",
      "2024",
    ]);
  });
});

describe("documentYear", () => {
  it("is the invoice date's year, else the year it arrived", () => {
    expect(documentYear(document())).toBe("2024");
    expect(documentYear(document({ recognisedFields: {} }))).toBe("2025");
    expect(documentYear(document({ recognisedFields: { invoiceDate: "garbage" } }))).toBe("2025");
  });
});

describe("finalFileName", () => {
  it("is a sortable arrival timestamp, the sanitised name and 12 hex digits of the id", () => {
    expect(finalFileName(document())).toBe("20250314-090507_Factuur-maart_3f2a9c1be4d0.pdf");
  });

  it("is the same for every try and for every dispatch of one document", () => {
    expect(finalFileName(document())).toBe(finalFileName(document()));
  });

  it("differs between documents, even with the same name and arrival time", () => {
    const other = document({ id: "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" });
    expect(finalFileName(other)).not.toBe(finalFileName(document()));
  });

  it("falls back to the invoice date, then to no timestamp, when the arrival is unknown", () => {
    expect(finalFileName(document({ receivedAt: undefined }))).toBe("20241230-000000_Factuur-maart_3f2a9c1be4d0.pdf");
    expect(finalFileName(document({ receivedAt: undefined, recognisedFields: {} }))).toBe(
      "Factuur-maart_3f2a9c1be4d0.pdf",
    );
  });

  it("takes the extension from the name, else from the content type", () => {
    expect(finalFileName(document({ fileName: "ubl.XML", mimeType: "application/xml" }))).toMatch(
      /_ubl_[0-9a-f]{12}\.xml$/,
    );
    expect(finalFileName(document({ fileName: "scan", mimeType: "image/jpeg" }))).toMatch(/_scan_[0-9a-f]{12}\.jpg$/);
    expect(finalFileName(document({ fileName: "scan", mimeType: "application/x-unknown" }))).toMatch(/\.bin$/);
  });

  it("neutralises traversal, control characters and reserved characters", () => {
    const name = finalFileName(document({ fileName: "../../..\\evil\u0000\r\n<name>.pdf" }));
    expect(name).toBe("20250314-090507_evil-name_3f2a9c1be4d0.pdf");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(name).not.toMatch(/[/\\\u0000-\u001f]|\.\./);
  });

  it("bounds the length of long names", () => {
    const name = finalFileName(document({ fileName: `${"Leverancier ".repeat(40)}.pdf` }));
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name).toMatch(/^20250314-090507_Leverancier-.*_3f2a9c1be4d0\.pdf$/);
  });

  it("marks test sends", () => {
    expect(finalFileName(document({ isTest: true }))).toBe(
      "KOPPEL-TEST_20250314-090507_Factuur-maart_3f2a9c1be4d0.pdf",
    );
  });

  it("names a file without a usable name 'document'", () => {
    expect(finalFileName(document({ fileName: "???.pdf" }))).toBe("20250314-090507_document_3f2a9c1be4d0.pdf");
  });
});

describe("temporaryFileName", () => {
  it("hides the half-written file from importers and is the same for every try", () => {
    expect(temporaryFileName("x_1.pdf")).toBe(".x_1.pdf.part");
  });
});

describe("planDelivery", () => {
  it("uses the dossier's own folder when given, else the profile's default", () => {
    const input = {
      profile: profileOf("adsolut"),
      overrides: {},
      dossier: DOSSIER,
      document: document({ category: "sales", documentType: "sales_invoice" }),
    };
    expect(planDelivery({ ...input, dossierFolder: undefined }).folderSegments).toEqual(["BE0123456749", "Verkoop"]);
    expect(planDelivery({ ...input, dossierFolder: "Wouters BV" }).folderSegments).toEqual(["Wouters BV", "Verkoop"]);
    expect(planDelivery({ ...input, dossierFolder: "" }).temporaryName).toBe(
      ".20250314-090507_Factuur-maart_3f2a9c1be4d0.pdf.part",
    );
  });
});
