import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * Checks answers against the OpenAPI document itself (not against our zod schemas): the status
 * must be documented for the operation, the content type must be one the document gives for that
 * status, required headers must be there, and the body must validate against the document's JSON
 * Schema (OpenAPI 3.1 schemas are JSON Schema 2020-12; `#/components/schemas/X` becomes `$defs`).
 */
type JsonObject = Record<string, unknown>;

type OpenApiDocument = {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, JsonObject> }>>;
  components?: { schemas?: Record<string, unknown> };
};

/** The formats the document uses; an unknown one fails the schema's compilation (strict mode). */
const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  // A file's bytes (a document's download); read as text here, so any content passes.
  binary: /[\s\S]*/,
};

function withDefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withDefs);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === "$ref" && typeof inner === "string"
          ? inner.replace("#/components/schemas/", "#/$defs/")
          : withDefs(inner),
      ]),
    );
  }
  return value;
}

export type DocumentedAnswer = { status: number; contentType: string | null; headers: Headers; text: string };

export function createOpenApiValidator(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  const defs = withDefs(document.components?.schemas ?? {}) as Record<string, unknown>;
  const compiled = new Map<string, ValidateFunction>();

  function validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ ...(withDefs(schema) as JsonObject), $defs: defs });
      compiled.set(key, validate);
    }
    return validate;
  }

  function operationAt(path: string, method: string) {
    const operation = document.paths[path]?.[method];
    if (!operation) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
    return operation;
  }

  return {
    /** The statuses the document gives for an operation. */
    documentedStatuses(path: string, method: string): number[] {
      return Object.keys(operationAt(path, method).responses ?? {}).map(Number);
    },

    /** Problems with an answer as the document describes it; empty when it matches. */
    check(path: string, method: string, answer: DocumentedAnswer): string[] {
      const where = `${method.toUpperCase()} ${path} ${answer.status}`;
      const response = operationAt(path, method).responses?.[String(answer.status)];
      if (!response) return [`${where}: status not documented`];
      const problems: string[] = [];
      for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, JsonObject>)) {
        if (header.required === true && !answer.headers.has(name)) problems.push(`${where}: header ${name} missing`);
      }
      const content = response.content as Record<string, { schema?: unknown }> | undefined;
      if (!content) {
        if (answer.text !== "") problems.push(`${where}: documented without a body, answered one`);
        return problems;
      }
      const mediaType = (answer.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const media = content[mediaType];
      if (!media) return [...problems, `${where}: content type ${mediaType || "(none)"} not documented`];
      let body: unknown = answer.text;
      if (mediaType === "application/json" || mediaType.endsWith("+json")) {
        try {
          body = JSON.parse(answer.text);
        } catch {
          return [...problems, `${where}: body is not JSON`];
        }
      }
      const validate = validatorFor(`${path} ${method} ${answer.status} ${mediaType}`, media.schema ?? {});
      if (!validate(body)) {
        problems.push(`${where}: body does not match the document: ${ajv.errorsText(validate.errors)}`);
      }
      return problems;
    },
  };
}

/** Reads a Response into what the validator needs (the body as text). */
export async function answerOf(response: Response): Promise<DocumentedAnswer> {
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    headers: response.headers,
    text: await response.text(),
  };
}
