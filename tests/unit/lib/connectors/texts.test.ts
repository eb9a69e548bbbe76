import { describe, expect, it } from "vitest";
import { formFieldsOf } from "@/lib/connections/form";
import { loadConnector } from "@/lib/connectors/registry";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { connectorDossierFields } from "@/lib/integrations/connector-fields";
import { enableTestOnlyPackages, listPackages, type PackageId } from "@/lib/packages/catalog";

/**
 * The texts of every connector's generated forms (portal connection and dossier step), for every
 * package and channel that has a connector: read from the registry and the schemas, so a new
 * package's labels are checked without a line here (docs/adding-a-package.md).
 */

function messageAt(locale: (typeof LOCALES)[number], key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], MESSAGES[locale]);
}

// A test-only package's texts are checked like any other's.
enableTestOnlyPackages();
const cells = listPackages().flatMap((entry) =>
  entry.channels.map((channel) => [entry.id as PackageId, channel] as const),
);

describe("connector texts", () => {
  it.each(cells)(
    "%s over %s: every form field has a label (and its hint and option names) in every language",
    async (id, channel) => {
      const connector = await loadConnector(id, channel);
      if (!connector) return;
      const fields = [
        ...formFieldsOf(connector.settingsSchema, false),
        ...formFieldsOf(connector.secretsSchema, true),
        ...connectorDossierFields(connector).map((field) => ({
          name: field.name,
          labelKey: field.labelKey ?? undefined,
          hintKey: field.hintKey ?? undefined,
          options: undefined,
          optionLabelsKey: undefined,
        })),
      ];
      const missing: string[] = [];
      for (const field of fields) {
        const keys = [field.labelKey ?? `(no labelKey on ${field.name})`];
        if (field.hintKey) keys.push(field.hintKey);
        if (field.optionLabelsKey)
          keys.push(...(field.options ?? []).map((option) => `${field.optionLabelsKey}.${option}`));
        for (const locale of LOCALES) {
          for (const key of keys) if (typeof messageAt(locale, key) !== "string") missing.push(`${locale}: ${key}`);
        }
      }
      expect(missing).toEqual([]);
    },
  );
});
