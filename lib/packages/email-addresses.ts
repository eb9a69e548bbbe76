import { z } from "zod";
import { DOCUMENT_CATEGORIES, type DocumentCategory, type EmailRule, type PackageEntry } from "./catalog";

/**
 * E-mail addresses of a dossier's mail integration, as pure functions (no db, no env), so the
 * integration service, its forms and the REST API share one set of rules:
 * - standard option, template rule: `standardAddresses` computes the address per category from
 *   the package's rule, the dossier and the inputs the office gave (e.g. Octopus' mailbox code);
 * - standard option, ask rule, individual option and free mail: `validateAddresses` checks what
 *   was typed in, per category.
 * Error values are message keys under the "errors" i18n namespace (like every field error);
 * warnings are keys under "connectors.warnings" and never block a save.
 */

/** What the rules read from a dossier. */
export type DossierIdentity = { companyNumber: string; vatNumber: string | null };

/** One address per document category; null = this category does not go by mail. */
export type CategoryAddresses = Record<DocumentCategory, string | null>;

/** Addresses as they come from a form or stored settings, before validation. */
export type AddressesInput = Partial<Record<DocumentCategory, string | null | undefined>>;

/** Field-error message keys (under "errors") these rules produce. */
export const EMAIL_ERROR_KEYS = {
  /** Not an e-mail address (one plain address, no name, no list). */
  addressInvalid: "emailAddress.invalid",
  /** The package takes this category by mail, so it needs an address. */
  addressRequired: "emailAddress.required",
  /** Not a single category has an address. */
  noAddress: "emailAddress.noneFilled",
  /** A value the standard rule needs was left empty. */
  inputRequired: "emailRuleInput.required",
  /** A value does not have the form the package uses (see the input's hint and example). */
  inputInvalid: "emailRuleInput.invalid",
} as const;

/** Warning key (under "connectors.warnings"); the message takes `{domain}`. */
export const UNEXPECTED_DOMAIN_WARNING_KEY = "connectors.warnings.unexpectedDomain" as const;

/** Placeholders a template fills from the dossier rather than from the rule's inputs. */
export const DOSSIER_PLACEHOLDERS = ["companyNumber", "vatNumber"] as const;
type DossierPlaceholder = (typeof DOSSIER_PLACEHOLDERS)[number];

const emailSchema = z.email().max(254);

/** True for one plain e-mail address (what Resend accepts as a recipient). */
export function isEmailAddress(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

/** The `{names}` a template uses, in order of first use. */
export function placeholdersOf(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const name = match[1];
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The categories a package takes by mail: non-null template addresses, or the ask rule's list. */
export function acceptedCategories(rule: EmailRule): DocumentCategory[] {
  if (rule.kind === "ask") return DOCUMENT_CATEGORIES.filter((category) => rule.categories.includes(category));
  return DOCUMENT_CATEGORIES.filter((category) => rule.addresses[category] !== null);
}

/** The domain a package's addresses end in, when known (typo check for typed-in addresses). */
export function domainHintOf(entry: PackageEntry): string | undefined {
  return entry.email?.domainHint;
}

// ---------------------------------------------------------------------------------------------
// Standard option, template rules

export type StandardAddressesResult =
  | { ok: true; addresses: CategoryAddresses }
  /** `missing` and `invalid` name rule inputs, or `companyNumber` / `vatNumber` of the dossier. */
  | { ok: false; missing: string[]; invalid: string[] };

/**
 * Computes a package's standard addresses for a dossier. Inputs are trimmed and must match their
 * patterns in full; the result is lower-cased and checked as an e-mail address. Throws for a
 * package without a template rule: callers branch on `entry.email.kind` first (an ask rule's
 * standard option goes through `validateAddresses`).
 */
export function standardAddresses(
  entry: PackageEntry,
  dossier: DossierIdentity,
  inputs: Record<string, string>,
): StandardAddressesResult {
  const rule = entry.email;
  if (rule?.kind !== "template") throw new Error(`package ${entry.id} has no template e-mail rule`);

  const missing: string[] = [];
  const invalid: string[] = [];
  const values = new Map<string, string>();
  for (const input of rule.inputs) {
    const value = (inputs[input.name] ?? "").trim();
    if (value === "") missing.push(input.name);
    else if (!new RegExp(input.pattern).test(value)) invalid.push(input.name);
    else values.set(input.name, value);
  }

  const used = new Set(DOCUMENT_CATEGORIES.flatMap((category) => placeholdersOf(rule.addresses[category] ?? "")));
  const dossierValues: Record<DossierPlaceholder, string | null> = {
    companyNumber: dossier.companyNumber.trim(),
    vatNumber: dossier.vatNumber?.trim() || null,
  };
  if (used.has("companyNumber") && !/^[0-9]{10}$/.test(dossierValues.companyNumber ?? ""))
    invalid.push("companyNumber");
  if (used.has("vatNumber")) {
    if (!dossierValues.vatNumber) missing.push("vatNumber");
    else if (!/^[A-Za-z]{2}[0-9A-Za-z]{2,13}$/.test(dossierValues.vatNumber)) invalid.push("vatNumber");
  }
  if (missing.length > 0 || invalid.length > 0) return { ok: false, missing, invalid };

  const addresses: CategoryAddresses = { purchase: null, sales: null, other: null };
  for (const category of DOCUMENT_CATEGORIES) {
    const template = rule.addresses[category];
    if (template === null) continue;
    const address = template
      .replace(/\{(\w+)\}/g, (_, name: string) => values.get(name) ?? dossierValues[name as DossierPlaceholder] ?? "")
      .toLowerCase();
    if (!isEmailAddress(address)) {
      // Each input matched its pattern, yet together they make no address (e.g. too long): blame
      // the inputs this template uses, so the form marks them.
      for (const name of placeholdersOf(template)) if (!invalid.includes(name)) invalid.push(name);
      continue;
    }
    addresses[category] = address;
  }
  if (invalid.length > 0) return { ok: false, missing: [], invalid };
  return { ok: true, addresses };
}

/**
 * The zod schema of the inputs a package's standard option asks for (empty for ask rules and
 * packages without mail). Messages are keys under "errors"; nest it under `inputs` in a form
 * schema so field errors read `inputs.<name>`.
 */
export function standardInputsSchema(entry: PackageEntry): z.ZodObject<Record<string, z.ZodType<string>>> {
  const shape: Record<string, z.ZodType<string>> = {};
  const rule = entry.email;
  if (rule?.kind === "template") {
    for (const input of rule.inputs) {
      shape[input.name] = z
        .string({ error: EMAIL_ERROR_KEYS.inputRequired })
        .trim()
        // An empty value is "required", not also "invalid": stop at the first failed check.
        .min(1, { error: EMAIL_ERROR_KEYS.inputRequired, abort: true })
        .regex(new RegExp(input.pattern), EMAIL_ERROR_KEYS.inputInvalid);
    }
  }
  return z.object(shape);
}

/**
 * Field errors (message keys under "errors") for a failed `standardAddresses`: `inputs.<name>`
 * for the rule's inputs; the dossier's own data (company or VAT number) goes on the form as a whole.
 */
export function standardInputFieldErrors(result: StandardAddressesResult): Record<string, string[]> {
  if (result.ok) return {};
  const fieldErrors: Record<string, string[]> = {};
  const add = (field: string, key: string) => {
    const list = fieldErrors[field] ?? [];
    if (!list.includes(key)) list.push(key);
    fieldErrors[field] = list;
  };
  for (const name of [...result.missing, ...result.invalid]) {
    if (name === "companyNumber") add("_form", "companyNumber.invalid");
    else if (name === "vatNumber") add("_form", "vatNumber.invalid");
    else
      add(
        `inputs.${name}`,
        result.missing.includes(name) ? EMAIL_ERROR_KEYS.inputRequired : EMAIL_ERROR_KEYS.inputInvalid,
      );
  }
  return fieldErrors;
}

// ---------------------------------------------------------------------------------------------
// Typed-in addresses: ask rules, individual addresses, free mail

export type AddressField = `addresses.${DocumentCategory}`;

/** A hint that does not block saving, e.g. an address outside the package's usual domain. */
export type AddressWarning = {
  field: AddressField;
  messageKey: typeof UNEXPECTED_DOMAIN_WARNING_KEY;
  values: { domain: string };
};

export type AddressValidation =
  | { ok: true; addresses: CategoryAddresses; warnings: AddressWarning[] }
  /** Keys: `addresses.<category>` per field, `addresses` when none at all was given. */
  | { ok: false; fieldErrors: Record<string, string[]>; warnings: AddressWarning[] };

/**
 * Checks addresses typed in per category: each is empty or one valid address; every category in
 * `requiredCategories` is filled (for a package: the categories it takes by mail, see
 * `acceptedCategories`); at least one category is filled in any case (free mail). With a
 * `domainHint`, an address outside that domain (or its subdomains) gives a warning, not an error.
 * Values are trimmed and their domain lower-cased; the local part keeps its case, because some
 * packages treat it as case-sensitive.
 */
export function validateAddresses(
  addresses: AddressesInput,
  requiredCategories: readonly DocumentCategory[],
  options: { domainHint?: string } = {},
): AddressValidation {
  const fieldErrors: Record<string, string[]> = {};
  const warnings: AddressWarning[] = [];
  const normalized: CategoryAddresses = { purchase: null, sales: null, other: null };
  const hint = options.domainHint?.toLowerCase();

  for (const category of DOCUMENT_CATEGORIES) {
    const field: AddressField = `addresses.${category}`;
    const value = (addresses[category] ?? "").trim();
    if (value === "") {
      if (requiredCategories.includes(category)) fieldErrors[field] = [EMAIL_ERROR_KEYS.addressRequired];
      continue;
    }
    const at = value.lastIndexOf("@");
    const address = at < 0 ? value : `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
    if (!isEmailAddress(address)) {
      fieldErrors[field] = [EMAIL_ERROR_KEYS.addressInvalid];
      continue;
    }
    normalized[category] = address;
    const domain = address.slice(at + 1);
    if (hint && domain !== hint && !domain.endsWith(`.${hint}`)) {
      warnings.push({ field, messageKey: UNEXPECTED_DOMAIN_WARNING_KEY, values: { domain: hint } });
    }
  }

  const hasAny = DOCUMENT_CATEGORIES.some((category) => (addresses[category] ?? "").trim() !== "");
  if (!hasAny) fieldErrors.addresses = [EMAIL_ERROR_KEYS.noAddress];

  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors, warnings };
  return { ok: true, addresses: normalized, warnings };
}

/**
 * Typed-in addresses for a package: its individual option, or the standard option of an ask rule.
 * The categories the package takes by mail are required; the office may add others (e.g. a
 * Zenvoices sales-journal address) at its own judgement.
 */
export function validatePackageAddresses(entry: PackageEntry, addresses: AddressesInput): AddressValidation {
  const rule = entry.email;
  if (!rule) throw new Error(`package ${entry.id} takes no mail`);
  return validateAddresses(addresses, acceptedCategories(rule), { domainHint: rule.domainHint });
}

/** Free mail to a package outside the catalog: any categories, at least one. */
export function validateFreeAddresses(addresses: AddressesInput): AddressValidation {
  return validateAddresses(addresses, []);
}

/**
 * The raw shape of an addresses form field (`{ purchase, sales, other }`, each optional text);
 * run `validateAddresses` (or one of its wrappers) on the parsed value for the rules.
 */
export const addressesInputSchema = z.object({
  purchase: z.string().nullish(),
  sales: z.string().nullish(),
  other: z.string().nullish(),
});
