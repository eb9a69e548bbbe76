import { parseArgs } from "node:util";
import { z } from "zod";
import { fieldErrorsOf } from "@/lib/actions/parse";
import { companyNumberSchema } from "@/lib/dossiers/schemas";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { emailSchema, localeSchema, officeNameSchema } from "./schemas";

/*
 * The operator's two commands (scripts/office-invite.ts, scripts/office-create.ts): their
 * arguments, parsed with node:util and checked with the same schemas as /sign-up, and their
 * refusals in plain English for a terminal.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const OFFICE_INVITE_USAGE = "usage: npm run office:invite -- --email <address> [--language nl|fr|en]";
export const OFFICE_CREATE_USAGE =
  'usage: npm run office:create -- --name "<office name>" --enterprise-number <10 digits> --admin <e-mail> [--language nl|fr|en]';

const languageHelp = `one of ${LOCALES.join(", ")}; default ${DEFAULT_LOCALE}`;

/** The options' names as typed, for the messages; the schemas' fields by the same names. */
function parseWithSchema<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  optionOf: Record<string, string>,
  usage: string,
): Parsed<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const t = translatorFor("en");
  type Key = Parameters<typeof t>[0];
  const lines = Object.entries(fieldErrorsOf(parsed.error)).map(([field, keys]) => {
    const key = `errors.${keys[0] ?? "invalid"}`;
    const text = t.has(key as Key) ? t(key as Key) : "is not valid.";
    return `--${optionOf[field] ?? field}: ${text}${field === "locale" ? ` (${languageHelp})` : ""}`;
  });
  return { ok: false, message: [...lines, usage].join("\n") };
}

/** node:util parseArgs, with its own refusals (unknown option, missing value) as a message. */
function readOptions(
  argv: readonly string[],
  names: readonly string[],
  usage: string,
): Parsed<Record<string, string | undefined>> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(names.map((name) => [name, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    });
    return { ok: true, value: values as Record<string, string | undefined> };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${reason}\n${usage}` };
  }
}

const officeInviteSchema = z.object({ email: emailSchema, locale: localeSchema });
export type OfficeInviteArgs = { email: string; locale: Locale };

/** `office:invite --email x@y.be [--language fr]`. */
export function parseOfficeInviteArgs(argv: readonly string[]): Parsed<OfficeInviteArgs> {
  const options = readOptions(argv, ["email", "language"], OFFICE_INVITE_USAGE);
  if (!options.ok) return options;
  const { email, language } = options.value;
  return parseWithSchema(
    officeInviteSchema,
    { email, locale: language ?? DEFAULT_LOCALE },
    { email: "email", locale: "language" },
    OFFICE_INVITE_USAGE,
  );
}

const officeCreateSchema = z.object({
  officeName: officeNameSchema,
  companyNumber: companyNumberSchema,
  adminEmail: emailSchema,
  locale: localeSchema,
});
export type OfficeCreateArgs = z.output<typeof officeCreateSchema>;

/** `office:create --name "…" --enterprise-number 0123456749 --admin e-mail [--language fr]`. */
export function parseOfficeCreateArgs(argv: readonly string[]): Parsed<OfficeCreateArgs> {
  const options = readOptions(argv, ["name", "enterprise-number", "admin", "language"], OFFICE_CREATE_USAGE);
  if (!options.ok) return options;
  const values = options.value;
  return parseWithSchema(
    officeCreateSchema,
    {
      officeName: values.name,
      companyNumber: values["enterprise-number"],
      adminEmail: values.admin,
      locale: values.language ?? DEFAULT_LOCALE,
    },
    { officeName: "name", companyNumber: "enterprise-number", adminEmail: "admin", locale: "language" },
    OFFICE_CREATE_USAGE,
  );
}
