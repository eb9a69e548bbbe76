import { describe, expect, it } from "vitest";
import { connectionFormOf, formFieldsOf } from "@/lib/connections/form";
import { ftpConnector } from "@/lib/connectors/ftp";
import {
  categoryFolderOverrides,
  defaultPortFor,
  FTP_SECURITY_MODES,
  ftpDossierSettingsSchema,
  ftpSecretsSchema,
  ftpSettingsSchema,
  isValidLayout,
} from "@/lib/connectors/ftp/config";
import { planDelivery } from "@/lib/connectors/ftp/paths";
import { MESSAGES } from "@/lib/i18n/messages";
import { connectorDossierFields } from "@/lib/integrations/connector-fields";
import { DOCUMENT_CATEGORIES, listPackages } from "@/lib/packages/catalog";

const FINGERPRINT = "3A:7F:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD";

describe("FTP settings", () => {
  it("defaults to explicit FTPS and leaves the port to the mode (21, or 990 for implicit)", () => {
    const settings = ftpSettingsSchema.parse({ host: "ftp.devos.be", username: "koppel" });
    expect(settings).toEqual({ host: "ftp.devos.be", username: "koppel", security: "explicit" });
    expect(defaultPortFor("explicit")).toBe(21);
    expect(defaultPortFor("plain")).toBe(21);
    expect(defaultPortFor("implicit")).toBe(990);
    expect(defaultPortFor("sftp")).toBe(22);
  });

  it.each(["ftp.devos.be", "FTP-1.example.com", "localhost", "203.0.113.5", "2001:db8::1", "[2001:db8::1]"])(
    "accepts the host %s",
    (host) => {
      expect(ftpSettingsSchema.safeParse({ host, username: "u" }).success).toBe(true);
    },
  );

  it.each(["ftp://ftp.devos.be", "ftp.devos.be:21", "ftp.devos.be/import", "user@ftp.devos.be", "bad_host.be", ""])(
    "refuses the host %j",
    (host) => {
      const parsed = ftpSettingsSchema.safeParse({ host, username: "u" });
      expect(parsed.success).toBe(false);
    },
  );

  it("strips brackets from an IPv6 host", () => {
    expect(ftpSettingsSchema.parse({ host: "[2001:db8::1]", username: "u" }).host).toBe("2001:db8::1");
  });

  it.each([
    FINGERPRINT,
    FINGERPRINT.toLowerCase(),
    FINGERPRINT.replace(/:/g, ""),
    `SHA256 Fingerprint=${FINGERPRINT}`,
    `sha256: ${FINGERPRINT.replace(/:/g, " ")}`,
  ])("normalises the fingerprint %s", (certificateFingerprint) => {
    expect(ftpSettingsSchema.parse({ host: "h", username: "u", certificateFingerprint }).certificateFingerprint).toBe(
      FINGERPRINT,
    );
  });

  it.each(["AB:CD", `${FINGERPRINT}:EE`, "not a fingerprint"])(
    "refuses the fingerprint %s",
    (certificateFingerprint) => {
      expect(ftpSettingsSchema.safeParse({ host: "h", username: "u", certificateFingerprint }).success).toBe(false);
    },
  );

  it.each(["/import", "import/koppel", "/", "Boekhouding 2025/in"])("accepts the base folder %s", (baseFolder) => {
    expect(ftpSettingsSchema.safeParse({ host: "h", username: "u", baseFolder }).success).toBe(true);
  });

  it.each(["../etc", "/import/../..", "a\\b", "in\u0000x", "./x"])("refuses the base folder %j", (baseFolder) => {
    expect(ftpSettingsSchema.safeParse({ host: "h", username: "u", baseFolder }).success).toBe(false);
  });

  it("refuses with the message key 'invalid', which the connection form translates", () => {
    const parsed = ftpSettingsSchema.safeParse({ host: "ftp://x", username: "u" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("invalid");
  });

  it("collects the category folder overrides", () => {
    const settings = ftpSettingsSchema.parse({ host: "h", username: "u", purchaseFolder: "IN", otherFolder: "Misc" });
    expect(categoryFolderOverrides(settings)).toEqual({ purchase: "IN", other: "Misc" });
    expect(ftpSettingsSchema.safeParse({ host: "h", username: "u", salesFolder: "a/b" }).success).toBe(false);
    expect(ftpSettingsSchema.safeParse({ host: "h", username: "u", salesFolder: ".." }).success).toBe(false);
  });

  it("keeps a password as typed, trailing space included", () => {
    expect(ftpSecretsSchema.parse({ password: " geheim " }).password).toBe(" geheim ");
    expect(ftpSecretsSchema.safeParse({ password: "" }).success).toBe(false);
  });
});

describe("isValidLayout", () => {
  it.each([
    "{dossierFolder}/{category}",
    "{dossierFolder}/Scans/{category}",
    "{dossierFolder}/{year}/{category}",
    "{category}",
    "import/{dossierFolder}-{year}/{category}",
  ])("accepts %s", (layout) => {
    expect(isValidLayout(layout)).toBe(true);
  });

  it.each([
    "/{dossierFolder}/{category}",
    "{dossierFolder}/../{category}",
    "{dossier}/{category}",
    "{dossierFolder/{category}",
    "{dossierFolder}}/x",
    "a\\b",
    "{dossierFolder}/\u0007",
  ])("refuses %j", (layout) => {
    expect(isValidLayout(layout)).toBe(false);
  });
});

describe("the generated forms", () => {
  it("offers every setting as a field the connection form can render, password as the only secret", () => {
    const form = connectionFormOf(ftpConnector);
    expect(form.settings.map((field) => [field.name, field.kind, field.isRequired])).toEqual([
      ["host", "string", true],
      ["port", "integer", false],
      ["username", "string", true],
      ["security", "enum", false],
      ["certificateFingerprint", "string", false],
      ["hostKeyFingerprint", "string", false],
      ["baseFolder", "string", false],
      ["layout", "string", false],
      ["purchaseFolder", "string", false],
      ["salesFolder", "string", false],
      ["otherFolder", "string", false],
    ]);
    expect(form.settings.find((field) => field.name === "security")).toMatchObject({
      options: ["explicit", "implicit", "sftp", "plain"],
      defaultValue: "explicit",
    });
    expect(form.secrets).toEqual([
      {
        name: "password",
        kind: "string",
        isRequired: true,
        isSecret: true,
        labelKey: "connectors.ftp.fields.password.label",
        maxLength: 256,
      },
    ]);
  });

  it("shows each FTP package's standard layout and folders with the fields, as its deliveries use them", () => {
    const standardsOf = (packageId?: string) =>
      Object.fromEntries(
        connectionFormOf(ftpConnector, packageId).settings.flatMap((field) =>
          field.standardValue ? [[field.name, field.standardValue]] : [],
        ),
      );
    const ftpPackages = listPackages().filter((entry) => entry.ftp);
    expect(ftpPackages.map((entry) => entry.id)).toContain("vero-online");
    for (const entry of ftpPackages) {
      const profile = entry.ftp;
      if (!profile) continue;
      const standards = standardsOf(entry.id);
      expect(standards.layout, entry.id).toBe(profile.layout);
      for (const category of DOCUMENT_CATEGORIES) {
        const { folderSegments } = planDelivery({
          profile,
          overrides: {},
          dossier: { companyNumber: "0123456749", vatNumber: "BE0123456749" },
          dossierFolder: undefined,
          document: {
            id: "3f2a9c1b-e4d0-4a11-8b22-334455667788",
            fileName: "factuur.pdf",
            mimeType: "application/pdf",
            recognisedFields: {},
            receivedAt: new Date("2025-03-14T09:05:07Z"),
            isTest: false,
            category,
          },
        });
        expect(folderSegments.at(-1), `${entry.id} ${category}`).toBe(standards[`${category}Folder`]);
      }
    }
    // Vero Online publishes no folder convention (reference §4.4): the generic names, said as they are.
    expect(standardsOf("vero-online")).toEqual({
      layout: "{dossierFolder}/{category}",
      purchaseFolder: "purchase",
      salesFolder: "sales",
      otherFolder: "other",
    });
    expect(standardsOf("expert-m")).toMatchObject({ purchaseFolder: "Aankoop", salesFolder: "Verkoop" });
    // Without a package (or for a package without a profile) there is no standard to show.
    expect(standardsOf()).toEqual({});
    expect(standardsOf("yuki")).toEqual({});
  });

  it("labels and hints every field with keys that exist in every language", () => {
    const fields = [
      ...formFieldsOf(ftpConnector.settingsSchema, false),
      ...formFieldsOf(ftpConnector.secretsSchema, true),
      ...connectorDossierFields(ftpConnector).map((field) => ({
        name: field.name,
        labelKey: field.labelKey ?? undefined,
        hintKey: field.hintKey ?? undefined,
      })),
    ];
    for (const locale of ["nl", "fr", "en"] as const) {
      const lookup = (key: string) =>
        key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], MESSAGES[locale]);
      for (const field of fields) {
        expect(typeof lookup(field.labelKey ?? ""), `${locale} ${field.name} label`).toBe("string");
        if (field.hintKey) expect(typeof lookup(field.hintKey), `${locale} ${field.name} hint`).toBe("string");
      }
    }
  });

  it("asks the dossier for its folder, optional (blank = the package's default)", () => {
    expect(connectorDossierFields(ftpConnector)).toEqual([
      {
        name: "dossierFolder",
        type: "string",
        labelKey: "connectors.ftp.fields.dossierFolder.label",
        hintKey: "connectors.ftp.fields.dossierFolder.hint",
        isRequired: false,
      },
    ]);
    expect(ftpDossierSettingsSchema.parse({})).toEqual({});
    expect(ftpDossierSettingsSchema.safeParse({ dossierFolder: "../x" }).success).toBe(false);
  });

  it("warns about plain FTP in the security hint, in every language", () => {
    expect(MESSAGES.nl.connectors.ftp.fields.security.hint).toMatch(/niet versleuteld/);
    expect(MESSAGES.fr.connectors.ftp.fields.security.hint).toMatch(/non chiffré/);
    expect(MESSAGES.en.connectors.ftp.fields.security.hint).toMatch(/not encrypted/);
  });

  it("labels every security mode in every language, and the hint names them as the list shows them", () => {
    const field = formFieldsOf(ftpSettingsSchema, false).find((candidate) => candidate.name === "security");
    expect(field).toMatchObject({ options: [...FTP_SECURITY_MODES], optionLabelsKey: "connectors.ftp.security" });
    for (const messages of Object.values(MESSAGES)) {
      const labels = messages.connectors.ftp.security as Record<string, string>;
      for (const mode of FTP_SECURITY_MODES) {
        expect(labels[mode]).toBeTruthy();
        // "Expliciete FTPS (aanbevolen)" → the hint speaks of "Expliciete FTPS".
        expect(messages.connectors.ftp.fields.security.hint).toContain((labels[mode] ?? "").replace(/ \(.*\)$/, ""));
      }
    }
  });
});
