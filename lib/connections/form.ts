import { z } from "zod";
import type { Connector } from "@/lib/connectors/types";

/**
 * Connection forms are generated from the connector's zod schemas (settingsSchema, secretsSchema)
 * through zod 4's JSON Schema output, so a connector declares its fields once. Supported field
 * types: string, number, integer, boolean and enum; labels come from `.meta({ labelKey })` (an
 * i18n key from the root, e.g. "connectors.ftp.host") and fall back to the field name. Fields of
 * other types (objects, arrays) cannot be typed into a form and are left out, and so are fields
 * marked `.meta({ managed: true })`: credentials Koppel obtains itself (OAuth tokens), never typed.
 *
 * Plain data only: the page sends these descriptions to the client form.
 */
export type ConnectionFieldKind = "string" | "number" | "integer" | "boolean" | "enum";

export type ConnectionField = {
  name: string;
  kind: ConnectionFieldKind;
  /** Must be given (no default, not optional). */
  isRequired: boolean;
  /** Credentials: write-only, shown as set / not set, encrypted at rest. */
  isSecret: boolean;
  labelKey?: string;
  hintKey?: string;
  /** Enum values. */
  options?: string[];
  /** Where the enum values' labels are: `<optionLabelsKey>.<value>` (from `.meta({ optionLabelsKey })`). */
  optionLabelsKey?: string;
  defaultValue?: string | number | boolean;
  /** What the package uses when the field is left blank (the connector's settingsStandards). */
  standardValue?: string;
  /** JSON Schema string format ("uri", "email", …): picks the input type. */
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
};

export type ConnectionForm = { settings: ConnectionField[]; secrets: ConnectionField[] };

type JsonSchemaNode = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxLength?: number;
  labelKey?: unknown;
  hintKey?: unknown;
  optionLabelsKey?: unknown;
  managed?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
};

/** The one non-null branch of `T | null` (zod writes nullable as anyOf or as a type list). */
function unwrapNullable(node: JsonSchemaNode): JsonSchemaNode {
  const branches = node.anyOf ?? node.oneOf;
  if (branches) {
    const nonNull = branches.filter((branch) => branch.type !== "null");
    if (nonNull.length === 1 && nonNull[0]) return { ...nonNull[0], default: node.default ?? nonNull[0].default };
    return node;
  }
  if (Array.isArray(node.type)) {
    const types = node.type.filter((type) => type !== "null");
    if (types.length === 1) return { ...node, type: types[0] };
  }
  return node;
}

function kindOf(node: JsonSchemaNode): ConnectionFieldKind | null {
  if (Array.isArray(node.enum) && node.enum.every((value) => typeof value === "string")) return "enum";
  switch (node.type) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    default:
      return null;
  }
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** `.meta({ managed: true })` on the field, on its optional/nullable wrapper or inside it. */
function isManagedNode(node: JsonSchemaNode): boolean {
  if (node.managed === true) return true;
  return (node.anyOf ?? node.oneOf ?? []).some((branch) => branch.managed === true);
}

// io "input": a field with a default is optional for the person filling the form.
const jsonSchemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;

/**
 * The form fields of one object schema; `isSecret` marks every field of a secrets schema. Managed
 * fields are never part of a form.
 */
export function formFieldsOf(schema: z.ZodType, isSecret: boolean): ConnectionField[] {
  const json = jsonSchemaOf(schema);
  const required = new Set(json.required ?? []);
  const fields: ConnectionField[] = [];
  for (const [name, raw] of Object.entries(json.properties ?? {})) {
    if (isManagedNode(raw)) continue;
    const node = unwrapNullable(raw);
    const kind = kindOf(node);
    if (!kind) continue;
    const field: ConnectionField = { name, kind, isRequired: required.has(name), isSecret };
    const labelKey = raw.labelKey ?? node.labelKey;
    const hintKey = raw.hintKey ?? node.hintKey;
    if (typeof labelKey === "string") field.labelKey = labelKey;
    if (typeof hintKey === "string") field.hintKey = hintKey;
    if (kind === "enum") field.options = (node.enum as string[]).slice();
    const optionLabelsKey = raw.optionLabelsKey ?? node.optionLabelsKey;
    if (kind === "enum" && typeof optionLabelsKey === "string") field.optionLabelsKey = optionLabelsKey;
    const defaultValue = raw.default ?? node.default;
    if (isPrimitive(defaultValue)) field.defaultValue = defaultValue;
    if (node.format) field.format = node.format;
    const minimum = node.minimum ?? node.exclusiveMinimum;
    const maximum = node.maximum ?? node.exclusiveMaximum;
    if (typeof minimum === "number") field.minimum = minimum;
    if (typeof maximum === "number") field.maximum = maximum;
    if (typeof node.maxLength === "number") field.maxLength = node.maxLength;
    fields.push(field);
  }
  return fields;
}

/**
 * The whole form of a connector: public settings, then credentials. With a package, each setting
 * that is left blank for that package's standard says what the standard is.
 */
export function connectionFormOf(
  connector: Pick<Connector, "settingsSchema" | "secretsSchema" | "settingsStandards">,
  packageId?: string,
): ConnectionForm {
  const standards = packageId ? (connector.settingsStandards?.(packageId) ?? {}) : {};
  return {
    settings: formFieldsOf(connector.settingsSchema, false).map((field) => {
      const standardValue = standards[field.name];
      return standardValue ? { ...field, standardValue } : field;
    }),
    secrets: formFieldsOf(connector.secretsSchema, true),
  };
}

/** The names of a secrets schema's typed fields (for the "set / not set" flags); managed ones are left out. */
export function secretFieldNamesOf(secretsSchema: z.ZodType): string[] {
  return formFieldsOf(secretsSchema, true).map((field) => field.name);
}

/**
 * The names of a schema's managed fields (`.meta({ managed: true })`, whatever their type): the
 * credentials an OAuth authorization stores (tokens, their expiry). Kept when an admin saves the
 * form, dropped when the grant no longer fits the settings.
 */
export function managedFieldNamesOf(schema: z.ZodType): string[] {
  return Object.entries(jsonSchemaOf(schema).properties ?? {})
    .filter(([, node]) => isManagedNode(node))
    .map(([name]) => name);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * Form values (strings from FormData, or already-typed JSON from the API) → the types the
 * connector's schema expects. Blank means "not given": the schema's default applies, or its
 * "required" error. Values that do not convert are passed on unchanged so the schema reports
 * them. Unknown names are dropped. Secrets are never trimmed (a password may end in a space).
 */
export function coerceFormValues(fields: ConnectionField[], raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = raw[field.name];
    if (isBlank(value)) continue;
    switch (field.kind) {
      case "number":
      case "integer": {
        if (typeof value === "string") {
          const number = Number(value.trim().replace(",", "."));
          out[field.name] = Number.isFinite(number) ? number : value;
        } else out[field.name] = value;
        break;
      }
      case "boolean": {
        if (value === "true" || value === "on") out[field.name] = true;
        else if (value === "false" || value === "off") out[field.name] = false;
        else out[field.name] = value;
        break;
      }
      case "string":
      case "enum":
        out[field.name] = typeof value === "string" && !field.isSecret ? value.trim() : value;
        break;
    }
  }
  return out;
}

/**
 * A connector schema's zod issues → field errors under `settings.<name>` / `secrets.<name>`, with
 * message keys the connections UI translates (connections.errors.*). A connector's own message
 * that is a key is kept.
 */
export function connectorFieldErrorsOf(
  group: "settings" | "secrets",
  error: z.ZodError,
  given: Record<string, unknown>,
): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const name = issue.path[0] === undefined ? null : String(issue.path[0]);
    const field = name ? `${group}.${name}` : group;
    const key = messageKeyOf(issue, name ? given[name] : given);
    const list = fieldErrors[field] ?? [];
    if (!list.includes(key)) list.push(key);
    fieldErrors[field] = list;
  }
  return fieldErrors;
}

function messageKeyOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined) return "required";
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "number" || issue.expected === "int" ? "number" : "invalid";
    case "too_small":
      return issue.origin === "string" && Number(issue.minimum) <= 1 ? "required" : "tooSmall";
    case "too_big":
      return issue.origin === "string" ? "tooLong" : "tooBig";
    case "invalid_format":
      return issue.format === "url" || issue.format === "email" ? issue.format : "invalid";
    case "invalid_value":
      return "option";
    default:
      // A connector may word its own refinements as i18n keys ("connectors.ftp.badHost").
      return /^[a-zA-Z][\w.]*$/.test(issue.message) ? issue.message : "invalid";
  }
}

/** What a connection form posts: plain fields, and `settings.<name>` / `secrets.<name>` groups. */
export type ConnectionFormValues = {
  fields: Record<string, string>;
  settings: Record<string, string> | undefined;
  secrets: Record<string, string> | undefined;
};

/**
 * Splits a connection form's FormData into its groups (the last value of a repeated name wins,
 * which lets a checkbox post a hidden "false" before its "true"). A group with no field at all is
 * undefined, so an update without settings keeps the stored ones.
 */
export function connectionValuesFromFormData(formData: FormData): ConnectionFormValues {
  const values: ConnectionFormValues = { fields: {}, settings: undefined, secrets: undefined };
  for (const [name, value] of formData.entries()) {
    if (typeof value !== "string") continue;
    const dot = name.indexOf(".");
    const group = dot > 0 ? name.slice(0, dot) : null;
    if (group === "settings" || group === "secrets") {
      const target = values[group] ?? {};
      target[name.slice(dot + 1)] = value;
      values[group] = target;
    } else if (!name.startsWith("$")) {
      // "$ACTION_…" entries are React's own bookkeeping for server actions.
      values.fields[name] = value;
    }
  }
  return values;
}
