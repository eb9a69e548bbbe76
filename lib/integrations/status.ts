import type { dossierIntegrations } from "@/db/schema";
import { DOCUMENT_CATEGORIES, type DocumentCategory, findPackage, type PackageEntry } from "@/lib/packages/catalog";
import {
  acceptedCategories,
  type DossierIdentity,
  type StandardAddressesResult,
  standardAddresses,
} from "@/lib/packages/email-addresses";
import { type CategoryAddresses, type StoredDossierIntegration, storedDossierIntegrationSchema } from "./schemas";

type IntegrationKind = (typeof dossierIntegrations.$inferSelect)["kind"];

/**
 * What can be wrong with a dossier's integration; each has a message under
 * "integrations.problems" that says exactly what to fix.
 */
export const INTEGRATION_PROBLEM_CODES = [
  "settings_invalid",
  "connection_missing",
  "connection_disabled",
  "connection_needs_reauth",
  "connection_error",
  "connector_unavailable",
  "package_unknown",
  "rule_inputs_missing",
  "rule_inputs_invalid",
  "dossier_data_invalid",
  "address_missing_purchase",
  "address_missing_sales",
  "address_missing_other",
  "no_address",
] as const;
export type IntegrationProblemCode = (typeof INTEGRATION_PROBLEM_CODES)[number];

export type IntegrationProblem = {
  code: IntegrationProblemCode;
  /** The full sentence: what is wrong and what to do. */
  messageKey: `integrations.problems.${string}`;
  /** A few words, for lists such as the portal overview. */
  shortMessageKey: `integrations.problemsShort.${string}`;
};

/** The health of a dossier's integration (lib/dispatch/plan.ts, evaluateIntegration). */
export type IntegrationEvaluation = {
  state: "not_configured" | "ok" | "needs_attention";
  problems: IntegrationProblem[];
};

/** The stored integration as read from the database (null = none chosen yet). */
export type StoredIntegrationRow = {
  kind: IntegrationKind;
  connectionId: string | null;
  packageId: string | null;
  settings: unknown;
};

/** A problem with its two messages (the full sentence and a few words). */
export function integrationProblem(code: IntegrationProblemCode): IntegrationProblem {
  const camel = code.replace(/_([a-z])/g, (_, char: string) => char.toUpperCase());
  return { code, messageKey: `integrations.problems.${camel}`, shortMessageKey: `integrations.problemsShort.${camel}` };
}

const MISSING_ADDRESS: Record<DocumentCategory, IntegrationProblemCode> = {
  purchase: "address_missing_purchase",
  sales: "address_missing_sales",
  other: "address_missing_other",
};

/** Parses a stored row; null when it does not have the shape of its kind. */
export function parseStoredIntegration(row: StoredIntegrationRow): StoredDossierIntegration | null {
  const parsed = storedDossierIntegrationSchema.safeParse(row);
  return parsed.success ? parsed.data : null;
}

/** Where mail for each category goes, and what keeps a category from going anywhere. */
export type ResolvedEmailTarget = {
  /** The package, or null for free mail. */
  packageEntry: PackageEntry | null;
  addresses: CategoryAddresses;
  problems: IntegrationProblem[];
};

function standardProblems(result: Extract<StandardAddressesResult, { ok: false }>): IntegrationProblem[] {
  const isDossierField = (name: string) => name === "companyNumber" || name === "vatNumber";
  const problems: IntegrationProblem[] = [];
  if ([...result.missing, ...result.invalid].some(isDossierField))
    problems.push(integrationProblem("dossier_data_invalid"));
  if (result.missing.some((name) => !isDossierField(name))) problems.push(integrationProblem("rule_inputs_missing"));
  if (result.invalid.some((name) => !isDossierField(name))) problems.push(integrationProblem("rule_inputs_invalid"));
  return problems;
}

/**
 * The addresses an e-mail or free-mail integration delivers to, per category: a template rule's
 * standard addresses computed from the package's rule, the stored inputs and the dossier; or the
 * addresses stored as typed in. Problems list what is missing for the categories the package
 * takes by mail (free mail: at least one address). Null for other kinds.
 */
export function resolveEmailTarget(
  stored: StoredDossierIntegration,
  dossier: DossierIdentity,
): ResolvedEmailTarget | null {
  if (stored.kind === "free_email") {
    const { addresses } = stored.settings;
    const hasAny = DOCUMENT_CATEGORIES.some((category) => addresses[category]);
    return { packageEntry: null, addresses, problems: hasAny ? [] : [integrationProblem("no_address")] };
  }
  if (stored.kind !== "email") return null;

  const entry = findPackage(stored.packageId);
  const rule = entry?.email;
  if (!entry || !rule) {
    return {
      packageEntry: entry ?? null,
      addresses: stored.settings.addresses,
      problems: [integrationProblem("package_unknown")],
    };
  }
  if (stored.settings.addressMode === "standard" && rule.kind === "template") {
    const result = standardAddresses(entry, dossier, stored.settings.inputs);
    if (!result.ok) {
      return {
        packageEntry: entry,
        addresses: { purchase: null, sales: null, other: null },
        problems: standardProblems(result),
      };
    }
    return { packageEntry: entry, addresses: result.addresses, problems: [] };
  }
  // Typed-in addresses: an ask rule's standard option, or individual addresses.
  const { addresses } = stored.settings;
  const problems = acceptedCategories(rule)
    .filter((category) => !addresses[category])
    .map((category) => integrationProblem(MISSING_ADDRESS[category]));
  if (problems.length === 0 && !DOCUMENT_CATEGORIES.some((category) => addresses[category])) {
    problems.push(integrationProblem("no_address"));
  }
  return { packageEntry: entry, addresses, problems };
}
