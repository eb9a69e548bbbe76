import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { YUKI_ASSUMPTIONS } from "@/lib/connectors/api/yuki/assumptions";
import {
  defaultYukiBaseUrl,
  YUKI_ALLOWED_HOST,
  yukiDossierSettingsSchema,
  yukiSecretsSchema,
  yukiSettingsSchema,
} from "@/lib/connectors/api/yuki/config";
import {
  dossierChoicesOf,
  folderForCategory,
  referenceTokenOf,
  yukiCompanionFileNameOf,
  yukiFileNameOf,
} from "@/lib/connectors/api/yuki/map";

const KEY = "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11";
const pdf = { fileName: "Factuur maart.pdf", mimeType: "application/pdf", isTest: false };

describe("Yuki file names", () => {
  it("carry the dispatch id as one word, the same on every try", () => {
    expect(referenceTokenOf(KEY)).toBe("KP7d0c9a525b7e4a539f0e0f3f9b1f6a11");
    expect(yukiFileNameOf(pdf, KEY)).toBe("Factuur-maart_KP7d0c9a525b7e4a539f0e0f3f9b1f6a11.pdf");
    expect(yukiFileNameOf(pdf, KEY)).toBe(yukiFileNameOf(pdf, KEY));
  });

  it("hash a key that is not a UUID to the same length, different per key", () => {
    const token = referenceTokenOf("read-back:abc");
    expect(token).toMatch(/^KP[0-9a-f]{32}$/);
    expect(referenceTokenOf("read-back:abd")).not.toBe(token);
  });

  it("are sanitised: accents dropped, markup and separators replaced, long names shortened", () => {
    expect(yukiFileNameOf({ ...pdf, fileName: "Café Ölmühle — facture n°12.PDF" }, KEY)).toBe(
      "Cafe-Olmuhle-facture-n-12_KP7d0c9a525b7e4a539f0e0f3f9b1f6a11.pdf",
    );
    expect(yukiFileNameOf({ ...pdf, fileName: "../../etc/<x>&.pdf" }, KEY)).toMatch(/^x_KP[0-9a-f]{32}\.pdf$/);
    const long = yukiFileNameOf({ ...pdf, fileName: `${"a".repeat(200)}.pdf` }, KEY);
    expect(long).toBe(`${"a".repeat(60)}_KP7d0c9a525b7e4a539f0e0f3f9b1f6a11.pdf`);
  });

  it("take the extension from the MIME type when the name has none, and mark test documents", () => {
    expect(yukiFileNameOf({ fileName: "scan", mimeType: "image/jpeg", isTest: true }, KEY)).toBe(
      "TEST_scan_KP7d0c9a525b7e4a539f0e0f3f9b1f6a11.jpg",
    );
    expect(yukiFileNameOf({ fileName: "....", mimeType: "application/octet-stream", isTest: false }, KEY)).toBe(
      "document_KP7d0c9a525b7e4a539f0e0f3f9b1f6a11.pdf",
    );
  });

  it("give the UBL companion the document's name with .xml", () => {
    expect(yukiCompanionFileNameOf("Factuur_KP1.pdf")).toBe("Factuur_KP1.xml");
  });
});

describe("Yuki folders per category", () => {
  const settings = { administrationId: KEY, purchaseFolderId: 11, salesFolderId: 12, otherFolderId: 18 };

  it("maps purchase, sales and other to the dossier's folders", () => {
    expect(folderForCategory(settings, "purchase")).toBe(11);
    expect(folderForCategory(settings, "sales")).toBe(12);
    expect(folderForCategory(settings, "other")).toBe(18);
  });

  it("has no folder for other documents when the dossier chose none", () => {
    const { otherFolderId: _, ...withoutOther } = settings;
    expect(folderForCategory(withoutOther, "other")).toBeNull();
  });
});

describe("Yuki dossier choices", () => {
  it("offers administrations with city and VAT number, and the same folder list for each category", () => {
    const choices = dossierChoicesOf(
      [{ id: KEY, name: "Bakkerij Wouters", city: "Gent", vatNumber: "BE0123.456.749" }],
      [
        { id: 7, name: "Te verwerken door Yuki" },
        { id: 1, name: "Inkoop" },
      ],
    );
    expect(choices).toMatchInlineSnapshot(`
      {
        "administrationId": [
          {
            "detail": "Gent",
            "label": "Bakkerij Wouters",
            "value": "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
            "vatNumber": "BE0123.456.749",
          },
        ],
        "otherFolderId": [
          {
            "detail": "7",
            "label": "Te verwerken door Yuki",
            "value": "7",
          },
          {
            "detail": "1",
            "label": "Inkoop",
            "value": "1",
          },
        ],
        "purchaseFolderId": [
          {
            "detail": "7",
            "label": "Te verwerken door Yuki",
            "value": "7",
          },
          {
            "detail": "1",
            "label": "Inkoop",
            "value": "1",
          },
        ],
        "salesFolderId": [
          {
            "detail": "7",
            "label": "Te verwerken door Yuki",
            "value": "7",
          },
          {
            "detail": "1",
            "label": "Inkoop",
            "value": "1",
          },
        ],
      }
    `);
  });
});

describe("Yuki schemas", () => {
  it("default to Belgium and build the regional host", () => {
    expect(yukiSettingsSchema.parse({})).toEqual({ region: "be" });
    expect(defaultYukiBaseUrl("be")).toBe("https://api.yukiworks.be");
    expect(defaultYukiBaseUrl("nl")).toBe("https://api.yukiworks.nl");
    expect(YUKI_ALLOWED_HOST.test("api.yukiworks.nl")).toBe(true);
    expect(YUKI_ALLOWED_HOST.test("api.yukiworks.nl.evil.example")).toBe(false);
    expect(yukiSettingsSchema.safeParse({ region: "de" }).success).toBe(false);
  });

  it("accept an access key that is a GUID (trimmed, braces allowed) and nothing else", () => {
    expect(yukiSecretsSchema.parse({ accessKey: ` {${KEY.toUpperCase()}} ` })).toEqual({
      accessKey: KEY.toUpperCase(),
    });
    expect(yukiSecretsSchema.safeParse({ accessKey: "not-a-key" }).success).toBe(false);
    expect(yukiSecretsSchema.safeParse({ accessKey: `${KEY}0` }).success).toBe(false);
  });

  it("need an administration GUID and whole folder numbers for purchase and sales; other is optional", () => {
    expect(
      yukiDossierSettingsSchema.safeParse({ administrationId: KEY, purchaseFolderId: 1, salesFolderId: 2 }).success,
    ).toBe(true);
    expect(yukiDossierSettingsSchema.safeParse({ administrationId: KEY, purchaseFolderId: 1 }).success).toBe(false);
    expect(
      yukiDossierSettingsSchema.safeParse({ administrationId: KEY, purchaseFolderId: 1.5, salesFolderId: 2 }).success,
    ).toBe(false);
    expect(
      yukiDossierSettingsSchema.safeParse({ administrationId: "x", purchaseFolderId: 1, salesFolderId: 2 }).success,
    ).toBe(false);
  });
});

describe("Yuki assumptions", () => {
  it("are each listed on the accountants' page", () => {
    const page = readFileSync(new URL("../../../../../docs/integrations/yuki.md", import.meta.url), "utf8");
    for (const assumption of YUKI_ASSUMPTIONS) expect(page).toContain(`\`${assumption.id}\``);
  });
});
