import { describe, expect, it } from "vitest";
import { createApiKeySchema } from "@/lib/api-keys/schemas";
import { connectionLabelSchema } from "@/lib/connections/schemas";
import { sanitizeFileName } from "@/lib/documents/ingest";
import type { DetectedFileType } from "@/lib/documents/sniff";
import { dossierNameSchema } from "@/lib/dossiers/schemas";
import { stripInvisibleCharacters } from "@/lib/text/visible";
import { createEndpointSchema, updateEndpointSchema } from "@/lib/webhooks/schemas";

const RLO = "\u202E";
const ZERO_WIDTH_SPACE = "\u200B";

describe("stripInvisibleCharacters", () => {
  it("turns line breaks and tabs into one space", () => {
    expect(stripInvisibleCharacters("Bakkerij\r\nJanssens\tBV")).toBe("Bakkerij Janssens BV");
  });
  it("removes bidi overrides, isolates and zero-width characters", () => {
    expect(stripInvisibleCharacters(`Fac${RLO}fdp.exe\u2066x\u2069${ZERO_WIDTH_SPACE}`)).toBe("Facfdp.exex");
  });
  it("turns line and paragraph separators and NEL into spaces, and drops other controls", () => {
    expect(stripInvisibleCharacters("a\u2028b\u2029c\u0085d")).toBe("a b c d");
    expect(stripInvisibleCharacters("fac\u0000tu\u001bur\u00ad")).toBe("factuur");
  });
  it("keeps accents and letters of every script", () => {
    expect(stripInvisibleCharacters("Société Générale — Ελλάδα")).toBe("Société Générale — Ελλάδα");
  });
});

describe("every name schema strips them", () => {
  const dirty = `  Evil\r\n${RLO}Name${ZERO_WIDTH_SPACE} `;
  it.each([
    ["dossier name", (value: string) => dossierNameSchema.parse(value)],
    ["connection label", (value: string) => connectionLabelSchema.parse(value)],
    [
      "API key name",
      (value: string) => createApiKeySchema.parse({ name: value, role: "accountant", scopes: ["documents:read"] }).name,
    ],
    [
      "webhook description (create)",
      (value: string) =>
        createEndpointSchema.parse({
          url: "https://hooks.example/koppel",
          description: value,
          eventTypes: ["document.sent"],
        }).description,
    ],
    ["webhook description (update)", (value: string) => updateEndpointSchema.parse({ description: value }).description],
  ])("%s", (_, parse) => {
    expect(parse(dirty)).toBe("Evil Name");
  });
  it("a name of only invisible characters is empty, so required", () => {
    expect(dossierNameSchema.safeParse(`${RLO}\r\n`).success).toBe(false);
    expect(connectionLabelSchema.safeParse(`${ZERO_WIDTH_SPACE}`).success).toBe(false);
  });
});

describe("file names use the same function", () => {
  it("a bidi override cannot make an executable look like a PDF", () => {
    const pdf: DetectedFileType = {
      kind: "pdf",
      mimeType: "application/pdf",
      extension: "pdf",
      alternativeExtensions: [],
    };
    expect(sanitizeFileName(`factuur${RLO}fdp.exe`, pdf)).toBe("factuurfdp.pdf");
  });
});
