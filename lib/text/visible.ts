import { z } from "zod";

/** Controls that break or space text: tab, line feed, vertical tab, form feed, CR, NEL, LS, PS. */
const SPACING_CONTROL = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/** Every other control (NUL, ESC…) and the invisible formatting characters: bidi overrides and
 * isolates (U+202E, U+2066…), zero-width characters, the soft hyphen. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * Text as people see it: line breaks and tabs become a space (a name typed with a line break
 * stays two words), other controls and invisible formatting characters go (a bidi override makes
 * "fdp.exe" read as "exe.pdf"), and runs of white space become one. Not trimmed: schemas trim
 * after it. Used for every name Koppel shows (file names, dossier and connection names, API key
 * names, webhook descriptions).
 */
export function stripInvisibleCharacters(value: string): string {
  return value.normalize("NFC").replace(SPACING_CONTROL, " ").replace(INVISIBLE, "").replace(/\s+/g, " ");
}

/**
 * A string schema for a name or one-line description: stripped of invisible characters and
 * trimmed before its length checks (chain `.min` and `.max` with the caller's message keys).
 */
export function visibleTextSchema(params?: Parameters<typeof z.string>[0]): z.ZodString {
  return z.string(params).overwrite(stripInvisibleCharacters).trim();
}
