import "server-only";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { loadConnector } from "@/lib/connectors/registry";
import { resolveDossierScope } from "@/lib/dossiers/get";
import {
  type DocumentCategory,
  type EmailRule,
  emailPackages,
  findPackage,
  isPackageId,
  type PackageEntry,
} from "@/lib/packages/catalog";
import { acceptedCategories, standardAddresses } from "@/lib/packages/email-addresses";
import { type ConnectorField, connectorDossierFields } from "./connector-fields";
import { loadDossierIntegration } from "./load";
import { optionKey, optionKeyOfStored } from "./option-key";
import type { CategoryAddresses } from "./schemas";
import { parseStoredIntegration } from "./status";

type ConnectionStatus = (typeof connections.$inferSelect)["status"];

/** What the current option's form starts with (only on the option that is stored now). */
export type OptionValues = {
  inputs: Record<string, string>;
  addresses: Record<DocumentCategory, string>;
  packageName: string;
  settings: Record<string, string>;
};

type PackageInfo = { packageId: string; packageName: string; initials: string };

/** Green: a portal connection over API or FTP (configured and not disabled). */
export type ConnectionOption = PackageInfo & {
  key: string;
  kind: "connection";
  marking: "green";
  isCurrent: boolean;
  values: OptionValues | null;
  connectionId: string;
  channel: "api" | "ftp";
  label: string;
  connectionStatus: ConnectionStatus;
  /** False while the package's connector is not built yet: shown, but it cannot be picked. */
  isAvailable: boolean;
  /** The connector's dossier-level fields (division, administration, folder…). */
  fields: ConnectorField[];
  /**
   * The connector reads choices for those fields from the package (lib/integrations/choices.ts);
   * the form loads them when it opens, not with the page.
   */
  hasChoices: boolean;
};

/** Yellow: the package's mail integration with its standard addresses. */
export type EmailStandardOption = PackageInfo & {
  key: string;
  kind: "email_standard";
  marking: "yellow";
  isCurrent: boolean;
  values: OptionValues | null;
  /** Template: addresses computed from inputs; ask: no public rule, the form asks for them. */
  rule: EmailRule;
  acceptedCategories: DocumentCategory[];
  /** The standard addresses for this dossier when they can be computed now, else null. */
  preview: CategoryAddresses | null;
};

/** Orange: the same package with individually entered addresses. */
export type EmailIndividualOption = PackageInfo & {
  key: string;
  kind: "email_individual";
  marking: "orange";
  isCurrent: boolean;
  values: OptionValues | null;
  acceptedCategories: DocumentCategory[];
  domainHint: string | null;
  noteKey: string | null;
  hasSenderFilter: boolean;
};

/** Blue: free mail to any addresses, for a package outside the catalog. */
export type FreeEmailOption = {
  key: string;
  kind: "free_email";
  marking: "blue";
  isCurrent: boolean;
  values: OptionValues | null;
};

/** Red: no integration needed (the dossier delivers nothing). */
export type NoneOption = { key: string; kind: "none"; marking: "red"; isCurrent: boolean; values: null };

export type IntegrationOption =
  | ConnectionOption
  | EmailStandardOption
  | EmailIndividualOption
  | FreeEmailOption
  | NoneOption;

export type IntegrationOptions = { options: IntegrationOption[]; currentKey: string | null };

function packageInfo(entry: PackageEntry | undefined, fallbackId: string): PackageInfo {
  return {
    packageId: entry?.id ?? fallbackId,
    packageName: entry?.name ?? fallbackId,
    initials: entry?.initials ?? fallbackId.slice(0, 2).toUpperCase(),
  };
}

function blankValues(): OptionValues {
  return { inputs: {}, addresses: { purchase: "", sales: "", other: "" }, packageName: "", settings: {} };
}

function textOf(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/**
 * The ways this dossier can deliver, with the seed's five markings: green for each of the portal's
 * API/FTP connections that is configured and not disabled (another portal's never); yellow and
 * orange for every package that takes mail (a package with an API connection and mail appears
 * twice, as Yuki does); blue free mail; red "no integration needed". The stored one is marked
 * current and carries its values for the form.
 */
export async function listIntegrationOptions(db: DbOrTx, actor: Actor, dossierId: string): Promise<IntegrationOptions> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierIntegration.view");
  const context = await loadDossierIntegration(db, scope);
  const stored = context.integration ? parseStoredIntegration(context.integration) : null;
  const currentKey = optionKeyOfStored(context.integration);

  // What the stored integration holds, for the current option's form.
  const currentValues = blankValues();
  if (stored?.kind === "email") {
    currentValues.inputs = { ...stored.settings.inputs };
    for (const category of ["purchase", "sales", "other"] as const)
      currentValues.addresses[category] = stored.settings.addresses[category] ?? "";
  } else if (stored?.kind === "free_email") {
    currentValues.packageName = stored.settings.packageName ?? "";
    for (const category of ["purchase", "sales", "other"] as const)
      currentValues.addresses[category] = stored.settings.addresses[category] ?? "";
  } else if (stored?.kind === "connection") {
    currentValues.settings = Object.fromEntries(
      Object.entries(stored.settings).map(([name, value]) => [name, textOf(value)]),
    );
  }
  const withCurrent = (key: string) =>
    key === currentKey ? { isCurrent: true, values: currentValues } : { isCurrent: false, values: null };

  const connectionRows = await db
    .select({
      id: connections.id,
      packageId: connections.packageId,
      channel: connections.channel,
      label: connections.label,
      status: connections.status,
    })
    .from(connections)
    .where(
      and(
        eq(connections.portalId, scope.portalId),
        // A disabled connection keeps its history but is offered to no one.
        ne(connections.status, "disabled"),
        inArray(connections.channel, ["api", "ftp"]),
      ),
    )
    .orderBy(asc(connections.label), asc(connections.id));

  const green = await Promise.all(
    connectionRows.map(async (row): Promise<ConnectionOption> => {
      const connector = isPackageId(row.packageId) ? await loadConnector(row.packageId, row.channel) : null;
      const key = optionKey("connection", row.id);
      return {
        key,
        kind: "connection",
        marking: "green",
        ...withCurrent(key),
        ...packageInfo(findPackage(row.packageId), row.packageId),
        connectionId: row.id,
        channel: row.channel === "ftp" ? "ftp" : "api",
        label: row.label,
        connectionStatus: row.status,
        isAvailable: connector !== null,
        fields: connector ? connectorDossierFields(connector) : [],
        hasChoices: typeof connector?.listDossierChoices === "function",
      };
    }),
  );

  const mail = emailPackages().flatMap((entry) => {
    const rule = entry.email;
    if (!rule) return [];
    const accepted = acceptedCategories(rule);
    const standardKey = optionKey("email_standard", entry.id);
    let preview: CategoryAddresses | null = null;
    if (rule.kind === "template") {
      const inputs = standardKey === currentKey ? currentValues.inputs : {};
      const result = standardAddresses(entry, context.dossier, inputs);
      preview = result.ok ? result.addresses : null;
    }
    const individualKey = optionKey("email_individual", entry.id);
    const standard: EmailStandardOption = {
      key: standardKey,
      kind: "email_standard",
      marking: "yellow",
      ...withCurrent(standardKey),
      ...packageInfo(entry, entry.id),
      rule,
      acceptedCategories: accepted,
      preview,
    };
    const individual: EmailIndividualOption = {
      key: individualKey,
      kind: "email_individual",
      marking: "orange",
      ...withCurrent(individualKey),
      ...packageInfo(entry, entry.id),
      acceptedCategories: accepted,
      domainHint: rule.domainHint ?? null,
      noteKey: rule.noteKey ?? null,
      hasSenderFilter: rule.hasSenderFilter ?? false,
    };
    return [standard, individual];
  });

  const freeKey = optionKey("free_email");
  const noneKey = optionKey("none");
  const options: IntegrationOption[] = [
    ...green,
    ...mail.filter((option) => option.kind === "email_standard"),
    ...mail.filter((option) => option.kind === "email_individual"),
    { key: freeKey, kind: "free_email", marking: "blue", ...withCurrent(freeKey) },
    { key: noneKey, kind: "none", marking: "red", isCurrent: noneKey === currentKey, values: null },
  ];
  return { options, currentKey };
}
