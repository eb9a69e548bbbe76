/**
 * Reading the fields a connection names (its adjustable id and reference fields) out of a vendor's
 * JSON answers, shared by the API connectors whose answer shapes are assumed (Wolters Kluwer,
 * Syneton). Pure, no I/O.
 */

/** A value at a dotted path ("id", "document.id") of a parsed JSON body. */
export function valueAt(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const key of path.split(".")) {
    if (!current || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asReference(value: unknown): string | null {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The new document's id in an upload answer, or null when the answer does not name one. */
export function uploadedIdOf(answerText: string, idField: string): string | null {
  return asReference(valueAt(parseJson(answerText), idField));
}

/** The rows of a list answer: a bare array, or its `items` / `data`. */
export function rowsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  for (const key of ["items", "data", "value"]) {
    const rows = valueAt(body, key);
    if (Array.isArray(rows)) return rows;
  }
  return [];
}

/**
 * What an earlier try stored under our reference, from a lookup answer: the row whose reference
 * field equals it exactly (a server that ignores the filter must not make another document look
 * like ours). `{ id }` with the row's id (null when it names none), or null when nothing matched.
 */
export function storedUnderReference(
  answerText: string,
  fields: { referenceField: string; idField: string },
  reference: string,
): { id: string | null } | null {
  const row = rowsOf(parseJson(answerText)).find(
    (candidate) => valueAt(candidate, fields.referenceField) === reference,
  );
  return row === undefined ? null : { id: asReference(valueAt(row, fields.idField)) };
}
