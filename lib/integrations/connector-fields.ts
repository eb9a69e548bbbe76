import { z } from "zod";
import type { Connector } from "@/lib/connectors/types";
import { findPackage } from "@/lib/packages/catalog";

/** One dossier-level field of a connector (division, administration, folder…), for a generated form. */
export type ConnectorField = {
  name: string;
  type: "string" | "number" | "integer" | "boolean";
  /** i18n key from the schema's `.meta({ labelKey })`; see dossierFieldLabelKey for the fallback. */
  labelKey: string | null;
  hintKey: string | null;
  isRequired: boolean;
};

type JsonSchemaProperty = { type?: unknown; labelKey?: unknown; hintKey?: unknown };

const FIELD_TYPES = ["string", "number", "integer", "boolean"] as const;

/**
 * The top-level fields of a connector's dossier settings schema, read from its JSON Schema (which
 * carries `.meta()` labels). Nested objects are not generated: a connector that needs them has
 * to bring its own form.
 */
export function connectorDossierFields(connector: Pick<Connector, "dossierSettingsSchema">): ConnectorField[] {
  let schema: { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
  try {
    schema = z.toJSONSchema(connector.dossierSettingsSchema, { io: "input", unrepresentable: "any" }) as typeof schema;
  } catch {
    return [];
  }
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]): ConnectorField[] => {
    const type = FIELD_TYPES.find((candidate) => candidate === property.type);
    if (!type) return [];
    return [
      {
        name,
        type,
        labelKey: typeof property.labelKey === "string" ? property.labelKey : null,
        hintKey: typeof property.hintKey === "string" ? property.hintKey : null,
        isRequired: required.has(name),
      },
    ];
  });
}

/**
 * The i18n key of a dossier field's label, wherever the field shows (the form, the current
 * integration): the schema's, else the package's name for its API dossier field. Null when there
 * is neither; a unit test keeps every field of every catalog package labelled in each language.
 */
export function dossierFieldLabelKey(field: Pick<ConnectorField, "labelKey">, packageId: string): string | null {
  return field.labelKey ?? findPackage(packageId)?.apiDossierFieldKey ?? null;
}

/**
 * Form values are text; numbers and booleans are converted by the field's declared type before
 * the connector's schema judges them. Blank text means "not given". JSON input passes unchanged.
 */
export function coerceConnectorSettings(
  fields: readonly ConnectorField[],
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = raw[field.name];
    if (typeof value !== "string") {
      if (value !== undefined && value !== null) out[field.name] = value;
      continue;
    }
    const text = value.trim();
    if (text === "") continue;
    if (field.type === "number" || field.type === "integer") {
      out[field.name] = /^-?\d+(?:[.,]\d+)?$/.test(text) ? Number(text.replace(",", ".")) : text;
    } else if (field.type === "boolean") {
      out[field.name] = text === "true" || text === "on";
    } else {
      out[field.name] = text;
    }
  }
  return out;
}
