import { describe, expect, it } from "vitest";
import { loadConnector } from "@/lib/connectors/registry";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { connectorDossierFields, dossierFieldLabelKey } from "@/lib/integrations/connector-fields";
import { enableTestOnlyPackages, listPackages } from "@/lib/packages/catalog";

// Test-only packages have dossier forms too.
enableTestOnlyPackages();

function messageAt(locale: (typeof LOCALES)[number], key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], MESSAGES[locale]);
}

/**
 * Everything a dossier's integration form (and the current integration card) can show as a field,
 * derived from the catalog: for each package and each of its connection channels, the fields of
 * its connector's dossier settings; for each mail package with a standard rule, the rule's inputs.
 */
async function dossierFieldTexts(): Promise<{ where: string; labelKey: string | null; hintKey: string | null }[]> {
  const found: { where: string; labelKey: string | null; hintKey: string | null }[] = [];
  for (const entry of listPackages()) {
    for (const channel of entry.channels) {
      if (channel === "email") continue;
      const connector = await loadConnector(entry.id, channel);
      if (!connector) continue;
      for (const field of connectorDossierFields(connector)) {
        found.push({
          where: `${entry.id} (${channel}) settings.${field.name}`,
          labelKey: dossierFieldLabelKey(field, entry.id),
          hintKey: field.hintKey,
        });
      }
    }
    if (entry.email?.kind === "template") {
      for (const input of entry.email.inputs) {
        found.push({
          where: `${entry.id} (email) inputs.${input.name}`,
          labelKey: input.labelKey,
          hintKey: input.hintKey ?? null,
        });
      }
    }
  }
  return found;
}

describe("dossier integration fields", () => {
  it("finds the fields of the FTP and API connectors (the list is not empty by mistake)", async () => {
    const wheres = (await dossierFieldTexts()).map((field) => field.where);
    expect(wheres).toContain("expert-m (ftp) settings.dossierFolder");
    expect(wheres).toContain("exact-online (api) settings.division");
    expect(wheres).toContain("syneton-dms (api) settings.purchaseKeyword");
    expect(wheres).toContain("clearfacts (email) inputs.office");
  });

  it.each(LOCALES)("has a label (and the hint it names) for every field, in %s", async (locale) => {
    const missing = (await dossierFieldTexts()).flatMap(({ where, labelKey, hintKey }) => [
      ...(labelKey === null ? [`${where}: no label key`] : []),
      ...(labelKey !== null && typeof messageAt(locale, labelKey) !== "string" ? [`${where}: ${labelKey}`] : []),
      ...(hintKey !== null && typeof messageAt(locale, hintKey) !== "string" ? [`${where}: ${hintKey}`] : []),
    ]);
    expect(missing).toEqual([]);
  });

  it("names only keys under connectors, which alone reach the form in the browser for these", async () => {
    // integration-form.tsx looks these keys up as it meets them (its i18n-dynamic-keys comment says
    // "connectors"), so lib/i18n/client-messages.ts sends that namespace to the integration page.
    const notes = listPackages().flatMap((entry) =>
      entry.email?.noteKey ? [{ where: `${entry.id} (email) note`, labelKey: entry.email.noteKey, hintKey: null }] : [],
    );
    expect(notes.length).toBeGreaterThan(0);
    const outside = [...(await dossierFieldTexts()), ...notes].flatMap(({ where, labelKey, hintKey }) =>
      [labelKey, hintKey]
        .filter((key) => key !== null && !key.startsWith("connectors."))
        .map((key) => `${where}: ${key}`),
    );
    expect(outside).toEqual([]);
  });

  it("labels a field by its own key before the package's API field name", () => {
    expect(dossierFieldLabelKey({ labelKey: "connectors.ftp.fields.dossierFolder.label" }, "expert-m")).toBe(
      "connectors.ftp.fields.dossierFolder.label",
    );
    expect(dossierFieldLabelKey({ labelKey: null }, "exact-online")).toBe("connectors.apiFields.division");
    expect(dossierFieldLabelKey({ labelKey: null }, "expert-m")).toBeNull();
  });
});
