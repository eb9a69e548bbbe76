import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SYNETON_ASSUMPTIONS, SYNETON_DEFAULTS } from "@/lib/connectors/api/syneton-dms/assumptions";
import { classifyApiAnswer, nextLinkOf, tokenUsableUntil } from "@/lib/connectors/api/syneton-dms/client";
import { synetonDossierSettingsSchema, synetonSettingsSchema } from "@/lib/connectors/api/syneton-dms/config";
import { customerChoices, keywordFor, lookupFilter, uploadBody } from "@/lib/connectors/api/syneton-dms/map";
import { connectorDossierFields } from "@/lib/integrations/connector-fields";

const BASE = { baseUrl: "https://consult.example.be:2100" };

describe("Syneton settings", () => {
  it("need the API address and start from the assumed endpoints and field names", () => {
    expect(synetonSettingsSchema.safeParse({}).success).toBe(false);
    expect(synetonSettingsSchema.parse(BASE)).toMatchObject({ lookupOnRetry: true, ...SYNETON_DEFAULTS });
  });

  it("accept adjusted relative paths and refuse ones that leave the host", () => {
    expect(synetonSettingsSchema.parse({ ...BASE, uploadPath: "/api/v2/customers/{customerId}/dms" }).uploadPath).toBe(
      "api/v2/customers/{customerId}/dms",
    );
    for (const uploadPath of ["https://evil.example/x", "api/../../x", "api/v1/dms?x=1", "api/{apiKey}/dms"]) {
      expect(synetonSettingsSchema.safeParse({ ...BASE, uploadPath }).success, uploadPath).toBe(false);
    }
    // The token path must carry the key.
    expect(synetonSettingsSchema.safeParse({ ...BASE, tokenPath: "api/v1/token" }).success).toBe(false);
    expect(synetonSettingsSchema.parse({ ...BASE, tokenPath: "api/v2/token/{apiKey}" }).tokenPath).toBe(
      "api/v2/token/{apiKey}",
    );
  });

  it("give the dossier form a customer record and three keywords with defaults", () => {
    const fields = connectorDossierFields({ dossierSettingsSchema: synetonDossierSettingsSchema });
    expect(fields.map((field) => [field.name, field.type, field.isRequired])).toEqual([
      ["customerId", "integer", true],
      ["purchaseKeyword", "string", false],
      ["salesKeyword", "string", false],
      ["otherKeyword", "string", false],
    ]);
    const dossier = synetonDossierSettingsSchema.parse({ customerId: 7 });
    expect([keywordFor(dossier, "purchase"), keywordFor(dossier, "sales"), keywordFor(dossier, "other")]).toEqual([
      "AF",
      "VF",
      "DV",
    ]);
  });
});

describe("Syneton mapping", () => {
  it("builds the JSON body with the configured field names, the file in base64", () => {
    const body = uploadBody(
      { customerIdField: "C", categoryField: "K", fileNameField: "N", contentField: "D", referenceField: "R" },
      {
        customerId: 7,
        keyword: "AF",
        document: { fileName: "a/b\u0007.pdf" },
        content: new Uint8Array([1, 2, 3]),
        reference: "k",
      },
    );
    expect(body).toEqual({ C: 7, K: "AF", N: "a_b.pdf", D: "AQID", R: "k" });
  });

  it("quotes the reference in the look-up filter", () => {
    expect(lookupFilter({ referenceField: "Reference", customerIdField: "CustomerId" }, "o'k", 7)).toBe(
      "Reference eq 'o''k' and CustomerId eq 7",
    );
  });

  it("offers active customer records by name, code as detail", () => {
    expect(
      customerChoices([
        { CustomerId: 2, Name: "Peeters", Firstname: "Jan", CustCode: 12, VATNr: "BE0987654321", IsActive: true },
        { CustomerId: 3, Name: "Gone", IsActive: false },
        { CustomerId: 1, Name: null },
      ]),
    ).toEqual([
      { value: "1", label: "1", detail: "1", vatNumber: null },
      { value: "2", label: "Peeters Jan", detail: "12", vatNumber: "BE0987654321" },
    ]);
  });
});

describe("Syneton answers", () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: new Headers(headers),
    text: JSON.stringify(body),
  });

  it("classifies the documented error texts", () => {
    expect(
      classifyApiAnswer(answer(403, { ErrorMessage: "You are throttling the system" }), { isCustomerScoped: false }),
    ).toMatchObject({
      kind: "retryable",
      code: "rate_limited",
    });
    expect(
      classifyApiAnswer(answer(403, { ErrorMessage: "No valid configuration for token" }), { isCustomerScoped: false }),
    ).toMatchObject({
      kind: "auth",
      code: "auth_failed",
    });
    expect(
      classifyApiAnswer(answer(400, [{ ErrorMessage: "Customer 9 does not exist" }]), { isCustomerScoped: true }),
    ).toMatchObject({
      kind: "permanent",
      code: "unknown_target",
    });
    expect(
      classifyApiAnswer(answer(422, { ErrorMessage: "Invalid keyword" }), { isCustomerScoped: true }),
    ).toMatchObject({
      kind: "permanent",
      code: "package_refused",
    });
    expect(
      classifyApiAnswer(answer(404, { ErrorMessage: "Resource not found" }), { isCustomerScoped: false }).code,
    ).toBe("invalid_settings");
    expect(classifyApiAnswer(answer(502, "bad gateway"), { isCustomerScoped: true }).kind).toBe("retryable");
  });

  it("a throttle waits as Retry-After says, in seconds or as a date (the shared transport's reading), else a minute", () => {
    const now = Date.parse("2026-01-01T10:00:00Z");
    const scope = { isCustomerScoped: false };
    expect(classifyApiAnswer(answer(429, {}, { "retry-after": "15" }), scope, now).retryAfterMs).toBe(15_000);
    expect(
      classifyApiAnswer(answer(429, {}, { "retry-after": "Thu, 01 Jan 2026 10:02:00 GMT" }), scope, now).retryAfterMs,
    ).toBe(120_000);
    expect(
      classifyApiAnswer(answer(403, { ErrorMessage: "You are throttling the system" }), scope, now).retryAfterMs,
    ).toBe(60_000);
  });

  it("reads a token's end as UTC when it names no zone, at most an hour ahead, a minute early", () => {
    const now = Date.parse("2026-01-01T10:00:00Z");
    expect(tokenUsableUntil("2026-01-01T10:20:00", now)).toBe(Date.parse("2026-01-01T10:19:00Z"));
    expect(tokenUsableUntil("2026-01-01T12:20:00+01:00", now)).toBe(now + 60 * 60 * 1000);
    expect(tokenUsableUntil(null, now)).toBe(now + 60 * 60 * 1000);
  });

  it("follows a Link header's next page", () => {
    expect(nextLinkOf(new Headers({ link: '<https://x/api/v1/customers?page=2>; rel="next",' }))).toBe(
      "https://x/api/v1/customers?page=2",
    );
    expect(nextLinkOf(new Headers({ link: '<https://x/a?page=1>; rel="prev",' }))).toBeNull();
  });
});

describe("Syneton assumptions", () => {
  it("are each listed on the accountants' page", () => {
    const page = readFileSync(new URL("../../../../../docs/integrations/syneton-dms.md", import.meta.url), "utf8");
    for (const assumption of SYNETON_ASSUMPTIONS) expect(page).toContain(`\`${assumption.id}\``);
  });
});
