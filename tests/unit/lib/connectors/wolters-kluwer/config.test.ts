import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WK_ASSUMPTIONS, WK_DEFAULTS } from "@/lib/connectors/api/wolters-kluwer/assumptions";
import {
  woltersKluwerDossierSettingsSchema,
  woltersKluwerSettingsSchema,
} from "@/lib/connectors/api/wolters-kluwer/config";
import {
  administrationChoices,
  categoryValueFor,
  storedUnderReference,
  uploadedIdOf,
  uploadForm,
} from "@/lib/connectors/api/wolters-kluwer/map";
import { connectorDossierFields } from "@/lib/integrations/connector-fields";

const ADMINISTRATION = "3f1e2d4c-5b6a-4789-9abc-def012345678";

describe("Wolters Kluwer settings", () => {
  it("start from the assumed endpoints and field names", () => {
    const settings = woltersKluwerSettingsSchema.parse({});
    expect(settings).toMatchObject({ environment: "production", lookupOnRetry: true, ...WK_DEFAULTS });
    expect(settings.scope.split(" ")).toContain("WK.BE.Documents");
  });

  it("accept an adjusted relative path (a leading slash dropped) and refuse anything that leaves the host", () => {
    expect(woltersKluwerSettingsSchema.parse({ uploadPath: "/dms/v2/adm/{administrationId}/inbox" }).uploadPath).toBe(
      "dms/v2/adm/{administrationId}/inbox",
    );
    for (const uploadPath of [
      "https://evil.example/upload",
      "//evil.example/upload",
      "dms/../../oauth",
      "dms/./x",
      "dms/v1?x=1",
      "dms/v1#x",
      "dms//v1",
      "dms/{customerId}/x",
      "dms/v1/%2e%2e/x",
      "",
    ]) {
      expect(woltersKluwerSettingsSchema.safeParse({ uploadPath }).success, uploadPath).toBe(false);
    }
    expect(woltersKluwerSettingsSchema.safeParse({ administrationsPath: "adm/{administrationId}" }).success).toBe(
      false,
    );
  });

  it("accept plain field names only", () => {
    expect(woltersKluwerSettingsSchema.parse({ documentCategoryField: "meta.type" }).documentCategoryField).toBe(
      "meta.type",
    );
    for (const name of ["a b", "", 'x"y', "1abc"]) {
      expect(woltersKluwerSettingsSchema.safeParse({ referenceField: name }).success, name).toBe(false);
    }
  });

  it("give the dossier form an administration and three category values with defaults", () => {
    const fields = connectorDossierFields({ dossierSettingsSchema: woltersKluwerDossierSettingsSchema });
    expect(fields.map((field) => [field.name, field.isRequired])).toEqual([
      ["administrationId", true],
      ["purchaseCategory", false],
      ["salesCategory", false],
      ["otherCategory", false],
    ]);
    const dossier = woltersKluwerDossierSettingsSchema.parse({
      administrationId: ADMINISTRATION,
      salesCategory: "Verkoop",
    });
    expect(categoryValueFor(dossier, "purchase")).toBe("Purchase");
    expect(categoryValueFor(dossier, "sales")).toBe("Verkoop");
    expect(categoryValueFor(dossier, "other")).toBe("Other");
    expect(woltersKluwerDossierSettingsSchema.safeParse({ administrationId: "WOU01" }).success).toBe(false);
  });
});

describe("Wolters Kluwer mapping", () => {
  it("builds the multipart body with the configured field names", async () => {
    const form = uploadForm(
      { fileField: "content", documentCategoryField: "type", referenceField: "ref" },
      {
        document: { fileName: "fact\u0000uur/1.pdf", mimeType: "application/pdf" },
        content: new Uint8Array([37, 80]),
        category: "Purchase",
        reference: "k-1",
      },
    );
    expect(form.get("type")).toBe("Purchase");
    expect(form.get("ref")).toBe("k-1");
    const file = form.get("content") as File;
    expect(file.name).toBe("factuur_1.pdf");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(new Uint8Array([37, 80]));
  });

  it("reads the new id at the configured (dotted) field, or none", () => {
    expect(uploadedIdOf('{"id":"d-1"}', "id")).toBe("d-1");
    expect(uploadedIdOf('{"document":{"documentId":42}}', "document.documentId")).toBe("42");
    expect(uploadedIdOf("", "id")).toBeNull();
    expect(uploadedIdOf("<html>", "id")).toBeNull();
  });

  it("finds a stored document only when its reference matches exactly", () => {
    const fields = { referenceField: "externalReference", idField: "id" };
    const answer = JSON.stringify({
      items: [
        { id: "a", externalReference: "other" },
        { id: "b", externalReference: "k-1" },
      ],
    });
    expect(storedUnderReference(answer, fields, "k-1")).toEqual({ id: "b" });
    // A server that ignores the filter and lists everything must not make another document ours.
    expect(storedUnderReference(JSON.stringify([{ id: "a", externalReference: "other" }]), fields, "k-1")).toBeNull();
    expect(storedUnderReference(JSON.stringify({ data: [{ externalReference: "k-1" }] }), fields, "k-1")).toEqual({
      id: null,
    });
  });

  it("offers administrations by name with code and VAT number, without duplicates", () => {
    expect(
      administrationChoices([
        { id: "b", name: "Zeta", code: 7, vatNumber: " BE0123456749 " },
        { id: "a", name: null, code: "A1" },
        { id: "b", name: "Zeta" },
      ]),
    ).toEqual([
      { value: "a", label: "A1", detail: "A1", vatNumber: null },
      { value: "b", label: "Zeta", detail: "7", vatNumber: "BE0123456749" },
    ]);
  });
});

describe("Wolters Kluwer assumptions", () => {
  it("are each listed on the accountants' page", () => {
    const page = readFileSync(new URL("../../../../../docs/integrations/wolters-kluwer.md", import.meta.url), "utf8");
    for (const assumption of WK_ASSUMPTIONS) expect(page).toContain(`\`${assumption.id}\``);
  });
});
