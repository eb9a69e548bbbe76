import { parseArgs } from "node:util";
import { z } from "zod";
import { type Db, openDb } from "@/db";
import { fieldErrorsOf } from "@/lib/actions/parse";
import { companyNumberSchema } from "@/lib/dossiers/schemas";
import { env } from "@/lib/env";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { emailSchema, localeSchema, officeNameSchema } from "./schemas";

/*
 * The operator's two commands (scripts/office-invite.ts, scripts/office-create.ts): their
 * arguments, parsed with node:util and checked with the same schemas as /sign-up, and their
 * refusals in plain English for a terminal; the database they work on and how they print a link.
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

/** The parsed arguments, or their refusal on stderr and exit code 1. */
export function argsOrExit<T>(parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.value;
  console.error(parsed.message);
  process.exit(1);
}

/**
 * Runs a command on the app's database and closes it after, whatever happens. lib/email/send.ts
 * writes the outbox through getDb(): it gets this same handle, not a second PGlite on the data dir.
 */
export async function withOperatorDb(run: (db: Db) => Promise<void>): Promise<void> {
  const opened = await openDb({ url: env().DATABASE_URL });
  globalThis.__koppelDb = Promise.resolve(opened);
  try {
    await run(opened.db);
  } finally {
    await opened.close();
  }
}

/** The invitation's link, printed whatever became of its mail (to pass on by hand), then what did. */
export function printInvitationLink({ url, isMailed }: { url: string; isMailed: boolean }): void {
  console.log(url);
  if (!isMailed) {
    console.error("[koppel] the mail could not be sent: pass the link on yourself");
    return;
  }
  console.log(
    env().RESEND_API_KEY
      ? "[koppel] mailed through Resend"
      : "[koppel] no RESEND_API_KEY: the mail is in the local outbox",
  );
}
