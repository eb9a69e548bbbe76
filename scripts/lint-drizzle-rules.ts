/**
 * The rule behind `npm run lint`'s drizzle check (conventions §7 "Lint"): a drizzle `update` or
 * `delete` must carry a `.where(` in its own query chain. Pure text analysis, no imports, so the
 * unit test can feed it snippets.
 *
 * How it reads code: comments and the insides of strings, template literals and regex literals are
 * blanked first (template `${…}` expressions stay code). Each `.update(` / `.delete(` call is then
 * followed to the end of its expression: a `;`, `,`, `?` or `:` at the call's own bracket depth,
 * or the bracket that closes around it. A `.where(` at that depth in between makes it scoped.
 *
 * Which calls are drizzle's: the receiver's name ends like a database handle (`db`, `tx`, `trx`,
 * `testDb`, `dbOrTx`), or the first argument is one of the schema's tables. So `map.delete(key)`,
 * `cookies().delete(name)` and `hash.update(data)` are left alone.
 *
 * Escape hatch for a chain that gets its where elsewhere: `// lint-drizzle-ignore: <reason>` on the
 * call's line or the line above.
 */

export type UnscopedMutation = {
  method: "update" | "delete";
  line: number;
  column: number;
  /** The offending expression, whitespace collapsed, cut at 80 characters. */
  snippet: string;
};

const DB_RECEIVER = /(^|[a-z_$])(db|tx|trx|database|transaction)$|(Db|Tx|Trx)$/i;
const IGNORE_COMMENT = /\/\/\s*lint-drizzle-ignore\b/;
const REGEX_PRECEDERS = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
const REGEX_KEYWORDS = /\b(return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/** Replaces comments and literal text with spaces (newlines kept), so brackets and dots in them don't count. */
export function maskNonCode(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  // Open template literals: for each, the depth of `{` inside its current `${…}` expression.
  const templates: number[] = [];
  let i = 0;
  let lastSignificant = "";
  let lastWordEnd = -1;

  const scanTemplateText = (start: number): number => {
    // From just after "`" or "}" of an expression: to the closing "`" or the next "${".
    let k = start;
    while (k < source.length) {
      const c = source[k];
      if (c === "\\") {
        k += 2;
        continue;
      }
      if (c === "`") {
        blank(start, k);
        templates.pop();
        return k + 1;
      }
      if (c === "$" && source[k + 1] === "{") {
        blank(start, k);
        templates[templates.length - 1] = 0;
        return k + 2;
      }
      k++;
    }
    blank(start, k);
    return k;
  };

  while (i < source.length) {
    const c = source[i] ?? "";
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let k = i + 1;
      while (k < source.length && source[k] !== c && source[k] !== "\n") k += source[k] === "\\" ? 2 : 1;
      blank(i + 1, Math.min(k, source.length));
      i = k + 1;
      lastSignificant = c;
      continue;
    }
    if (c === "`") {
      templates.push(0);
      i = scanTemplateText(i + 1);
      lastSignificant = "`";
      continue;
    }
    if (c === "/" && isRegexStart(lastSignificant, source.slice(Math.max(0, lastWordEnd - 10), lastWordEnd + 1), i)) {
      let k = i + 1;
      let inClass = false;
      while (k < source.length && source[k] !== "\n") {
        const r = source[k];
        if (r === "\\") {
          k += 2;
          continue;
        }
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        k++;
      }
      blank(i + 1, k);
      i = k + 1;
      lastSignificant = "/";
      continue;
    }
    if (templates.length > 0) {
      const top = templates.length - 1;
      if (c === "{") templates[top] = (templates[top] ?? 0) + 1;
      else if (c === "}") {
        if ((templates[top] ?? 0) === 0) {
          // End of a `${…}` expression: back to template text.
          i = scanTemplateText(i + 1);
          lastSignificant = "`";
          continue;
        }
        templates[top] = (templates[top] ?? 0) - 1;
      }
    }
    if (!/\s/.test(c)) {
      lastSignificant = c;
      if (/[\w$]/.test(c)) lastWordEnd = i;
    }
    i++;
  }
  return out.join("");

  function isRegexStart(previous: string, wordTail: string, at: number): boolean {
    if (previous === "" || REGEX_PRECEDERS.has(previous)) return true;
    // A keyword right before: `return /x/`.
    return lastWordEnd === previousSignificantIndex(at) && REGEX_KEYWORDS.test(wordTail);
  }

  function previousSignificantIndex(at: number): number {
    let k = at - 1;
    while (k >= 0 && /\s/.test(source[k] ?? "")) k--;
    return k;
  }
}

/** The tables a schema file exports (`export const documents = pgTable(`). */
export function tableNamesFromSchema(source: string): string[] {
  return [...source.matchAll(/export\s+const\s+(\w+)\s*=\s*pgTable\s*\(/g)].map((match) => match[1] ?? "");
}

/** Every drizzle update/delete in `source` whose query chain has no `.where(`. */
export function findUnscopedMutations(
  source: string,
  options: { tableNames?: Iterable<string> } = {},
): UnscopedMutation[] {
  const tables = new Set(options.tableNames ?? []);
  const code = maskNonCode(source);
  const lines = source.split("\n");
  const found: UnscopedMutation[] = [];

  for (const match of code.matchAll(/\??\.\s*(update|delete)\s*\(/g)) {
    const start = match.index ?? 0;
    const method = match[1] as "update" | "delete";
    const openParen = start + match[0].length - 1;
    const receiver = receiverBefore(code, start);
    const argument = argumentAt(code, openParen);
    const isTableArgument = tables.has(argument) || tables.has(argument.replace(/^schema\./, ""));
    if (!DB_RECEIVER.test(receiver) && !isTableArgument) continue;

    const end = expressionEnd(code, openParen);
    if (hasWhereAtDepthZero(code, openParen, end)) continue;

    const { line, column } = position(source, start);
    const sameLine = lines[line - 1] ?? "";
    const lineAbove = lines[line - 2] ?? "";
    if (IGNORE_COMMENT.test(sameLine) || IGNORE_COMMENT.test(lineAbove)) continue;

    const exprStart = start - receiver.length;
    const snippet = source.slice(exprStart, end).replace(/\s+/g, " ").trim();
    found.push({ method, line, column, snippet: snippet.length > 80 ? `${snippet.slice(0, 77)}...` : snippet });
  }
  return found;
}

/** The identifier right before the `.` (last segment only), or "" when it is not an identifier. */
function receiverBefore(code: string, dotIndex: number): string {
  let k = dotIndex - 1;
  while (k >= 0 && /\s/.test(code[k] ?? "")) k--;
  const end = k + 1;
  while (k >= 0 && /[\w$]/.test(code[k] ?? "")) k--;
  return code.slice(k + 1, end);
}

/** The first argument's text when it is a plain (possibly dotted) name, else "". */
function argumentAt(code: string, openParen: number): string {
  const match = /^\(\s*([\w$]+(?:\.[\w$]+)?)\s*[,)]/.exec(code.slice(openParen, openParen + 200));
  return match?.[1] ?? "";
}

/** Index where the expression containing the call at `openParen` ends. */
function expressionEnd(code: string, openParen: number): number {
  let depth = 0;
  for (let k = openParen; k < code.length; k++) {
    const c = code[k];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth < 0) return k;
    } else if (depth === 0) {
      if (c === ";" || c === "," || c === ":") return k;
      if (c === "?" && code[k + 1] !== "." && code[k + 1] !== "?") return k;
    }
  }
  return code.length;
}

function hasWhereAtDepthZero(code: string, openParen: number, end: number): boolean {
  let depth = 0;
  for (let k = openParen; k < end; k++) {
    const c = code[k];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0 && c === "." && /^\.\s*where\s*\(/.test(code.slice(k, k + 20))) return true;
  }
  return false;
}

function position(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}

/** The one module allowed to write documents (issue 17: one document life). */
export const DOCUMENT_LIFE_MODULE = "lib/documents/life.ts";
/** `// lint-documents-ignore: <reason>`, or in raw SQL `-- lint-documents-ignore: <reason>`. */
const DOCUMENT_WRITE_IGNORE = /(\/\/|--)\s*lint-documents-ignore:\s*\S/;

export type DocumentWrite = { line: number; column: number; snippet: string };

/**
 * Every write of the `documents` table in `source`: a drizzle `.insert(documents)`,
 * `.update(documents)` or `.delete(documents)` (also `schema.documents`), or raw SQL that inserts,
 * updates or deletes it (`update ${documents}`, `insert into "documents" (`, `delete from documents`).
 * lib/documents/life.ts is the only module that may (its rules and events go with every change);
 * fixture writers (the demo seed, the benchmark's resets) carry `// lint-documents-ignore: <reason>`
 * on the line or the line above (`-- lint-documents-ignore: <reason>` inside raw SQL).
 */
export function findDocumentWrites(source: string): DocumentWrite[] {
  const code = maskNonCode(source);
  const lines = source.split("\n");
  const starts: number[] = [];
  for (const match of code.matchAll(/\??\.\s*(insert|update|delete)\s*\(\s*(schema\.)?documents\s*[,)]/g)) {
    const receiver = receiverBefore(code, match.index ?? 0);
    // A named receiver must look like a database handle (`seen.delete(documents)` is a Set's);
    // a call's result, `(await getDb()).update(documents)`, is taken as one.
    if (receiver === "" || DB_RECEIVER.test(receiver)) starts.push(match.index ?? 0);
  }
  // Raw SQL lives in template and string text, which the mask blanks: read the source itself.
  const rawSql =
    /\b(update\s+(\$\{\s*documents\s*\}|"documents"|documents\s+set\b)|insert\s+into\s+(\$\{\s*documents\s*\}|"?documents"?\s*\()|delete\s+from\s+(\$\{\s*documents\s*\}|"?documents"?(\s|$|;|`)))/gi;
  for (const match of source.matchAll(rawSql)) {
    const start = match.index ?? 0;
    const lineText = (lines[position(source, start).line - 1] ?? "").trim();
    // Prose about SQL in a comment is not SQL.
    if (!/^(\*|\/\/|\/\*)/.test(lineText)) starts.push(start);
  }

  const found: DocumentWrite[] = [];
  for (const start of starts.sort((a, b) => a - b)) {
    const { line, column } = position(source, start);
    if (DOCUMENT_WRITE_IGNORE.test(lines[line - 1] ?? "") || DOCUMENT_WRITE_IGNORE.test(lines[line - 2] ?? ""))
      continue;
    const snippet = (lines[line - 1] ?? "").trim();
    found.push({ line, column, snippet: snippet.length > 80 ? `${snippet.slice(0, 77)}...` : snippet });
  }
  return found;
}
