import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import { connections, dossierIntegrations } from "@/db/schema";
import { fieldErrorsOf, parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { runAfterDossierMapped } from "@/lib/connections/hooks";
import { loadConnector } from "@/lib/connectors/registry";
import { evaluateIntegration, loadConnectorLookup } from "@/lib/dispatch/plan";
import type { RequestSendOptions } from "@/lib/dispatch/request-send";
import { afterIntegrationSaved, type IntegrationSavedOutcome } from "@/lib/dispatch/waiting";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { findPackage, isPackageId } from "@/lib/packages/catalog";
import {
  type AddressValidation,
  type AddressWarning,
  standardAddresses,
  standardInputFieldErrors,
  validateFreeAddresses,
  validatePackageAddresses,
} from "@/lib/packages/email-addresses";
import { coerceConnectorSettings, connectorDossierFields } from "./connector-fields";
import { type IntegrationConnectionRow, loadDossierIntegration } from "./load";
import { optionKeyOfStored } from "./option-key";
import {
  EMPTY_ADDRESSES,
  type EmailIntegrationSettings,
  type FreeEmailSettings,
  type IntegrationChoice,
  integrationChoiceSchema,
  type StoredDossierIntegration,
} from "./schemas";
import type { IntegrationEvaluation } from "./status";

export type SavedDossierIntegration = {
  /** The option that is now current (`email_standard:yuki`, `none`…). */
  optionKey: string;
  evaluation: IntegrationEvaluation;
  /** What became of the dossier's waiting recognised documents (lib/dispatch/waiting.ts). */
  documents: IntegrationSavedOutcome;
  /** Hints that did not block the save, e.g. an address outside the package's usual domain. */
  warnings: AddressWarning[];
};

type Built = {
  row: StoredDossierIntegration;
  connection: IntegrationConnectionRow | null;
  warnings: AddressWarning[];
};

const guidSchema = z.guid();

function addressesOrThrow(validation: AddressValidation) {
  if (!validation.ok) throw new ValidationError(validation.fieldErrors);
  return validation.addresses;
}

/** A connection of this very portal that is not disabled and whose connector exists. */
async function buildConnectionRow(
  db: DbOrTx,
  portalId: string,
  choice: Extract<IntegrationChoice, { kind: "connection" }>,
): Promise<Built> {
  // Unknown, malformed or another portal's id: all "not found", so no id of another office leaks.
  if (!guidSchema.safeParse(choice.connectionId).success) throw new NotFoundError();
  const [connection] = await db
    .select({
      id: connections.id,
      packageId: connections.packageId,
      channel: connections.channel,
      label: connections.label,
      status: connections.status,
    })
    .from(connections)
    .where(and(eq(connections.id, choice.connectionId), eq(connections.portalId, portalId)))
    .limit(1);
  if (!connection || connection.channel === "email") throw new NotFoundError();
  if (connection.status === "disabled") {
    throw new ValidationError({ connectionId: ["integrations.errors.connectionDisabled"] });
  }
  const connector = isPackageId(connection.packageId)
    ? await loadConnector(connection.packageId, connection.channel)
    : null;
  if (!connector) throw new ValidationError({ connectionId: ["integrations.errors.connectorUnavailable"] });

  const fields = connectorDossierFields(connector);
  const parsed = connector.dossierSettingsSchema.safeParse(coerceConnectorSettings(fields, choice.settings));
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(
      Object.entries(fieldErrorsOf(parsed.error)).map(([field, keys]) => [`settings.${field}`, keys]),
    );
    throw new ValidationError(fieldErrors);
  }
  const settings = z.record(z.string(), z.unknown()).safeParse(parsed.data);
  if (!settings.success) throw new ValidationError({ settings: ["integrations.errors.settingsInvalid"] });
  return {
    row: { kind: "connection", connectionId: connection.id, packageId: null, settings: settings.data },
    connection,
    warnings: [],
  };
}

function buildEmailRow(
  choice: Extract<IntegrationChoice, { kind: "email_standard" | "email_individual" }>,
  dossier: { companyNumber: string; vatNumber: string | null },
): Built {
  const entry = findPackage(choice.packageId);
  const rule = entry?.email;
  if (!entry || !rule) throw new ValidationError({ packageId: ["integrations.errors.packageUnknown"] });

  if (choice.kind === "email_standard" && rule.kind === "template") {
    const result = standardAddresses(entry, dossier, choice.inputs);
    if (!result.ok) throw new ValidationError(standardInputFieldErrors(result));
    // Only the rule's own inputs are kept; the addresses are computed again when they are used.
    const inputs = Object.fromEntries(
      rule.inputs.map((input) => [input.name, (choice.inputs[input.name] ?? "").trim()]),
    );
    const settings: EmailIntegrationSettings = { addressMode: "standard", inputs, addresses: EMPTY_ADDRESSES };
    return {
      row: { kind: "email", connectionId: null, packageId: entry.id, settings },
      connection: null,
      warnings: [],
    };
  }

  // An ask rule's standard option, or individual addresses: typed in, checked against the rule.
  const validation = validatePackageAddresses(entry, choice.addresses);
  const settings: EmailIntegrationSettings = {
    addressMode: choice.kind === "email_standard" ? "standard" : "individual",
    inputs: {},
    addresses: addressesOrThrow(validation),
  };
  return {
    row: { kind: "email", connectionId: null, packageId: entry.id, settings },
    connection: null,
    warnings: validation.warnings,
  };
}

async function buildRow(
  db: DbOrTx,
  portalId: string,
  dossier: { companyNumber: string; vatNumber: string | null },
  choice: IntegrationChoice,
): Promise<Built> {
  switch (choice.kind) {
    case "connection":
      return buildConnectionRow(db, portalId, choice);
    case "email_standard":
    case "email_individual":
      return buildEmailRow(choice, dossier);
    case "free_email": {
      const validation = validateFreeAddresses(choice.addresses);
      const settings: FreeEmailSettings = {
        ...(choice.packageName ? { packageName: choice.packageName } : {}),
        addresses: addressesOrThrow(validation),
      };
      return {
        row: { kind: "free_email", connectionId: null, packageId: null, settings },
        connection: null,
        warnings: [],
      };
    }
    case "none":
      return {
        row: { kind: "none", connectionId: null, packageId: null, settings: {} },
        connection: null,
        warnings: [],
      };
  }
}

/**
 * Chooses how a dossier delivers (admins and accountants; an entrepreneur sees it but gets
 * ForbiddenError; another portal's dossier is NotFoundError). Everything is checked first —
 * addresses, the package rule's inputs, the connector's dossier settings, that the connection is
 * this portal's and not disabled — and only then the one row per dossier is written with an
 * upsert on its unique dossier_id, so switching replaces it and concurrent saves never make two.
 * Then the dossier's waiting documents catch up (afterIntegrationSaved): stale "no integration"
 * notes go, and with auto-send on what it left for want of an integration is sent at once.
 * `options.enqueue`: where the deliveries go (tests collect them).
 */
export async function saveDossierIntegration(
  db: Db,
  actor: Actor,
  dossierId: string,
  choice: unknown,
  options: RequestSendOptions = {},
): Promise<SavedDossierIntegration> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierIntegration.configure");
  const input = parseInput(integrationChoiceSchema, choice);
  const { dossier } = await loadDossierIntegration(db, scope);
  const { row, connection, warnings } = await buildRow(db, scope.portalId, dossier, input);

  const values = {
    kind: row.kind,
    connectionId: row.connectionId,
    packageId: row.packageId,
    settings: row.settings as Record<string, unknown>,
  };
  await db
    .insert(dossierIntegrations)
    .values({ portalId: scope.portalId, dossierId: scope.dossierId, ...values })
    .onConflictDoUpdate({
      target: dossierIntegrations.dossierId,
      set: { ...values, updatedAt: sql`now()` },
    });
  // The connector may act on the new mapping (Exact Online subscribes the division to its webhook);
  // bounded, and never failing the save (lib/connections/hooks.ts).
  if (row.kind === "connection" && row.connectionId) {
    await runAfterDossierMapped(db, {
      portalId: scope.portalId,
      connectionId: row.connectionId,
      dossierSettings: row.settings,
    });
  }

  // The waiting documents' notes about the old integration go; with auto-send on, what it left
  // for want of an integration is sent now.
  const documents = await afterIntegrationSaved(db, scope, options);

  const snapshot = { dossier, integration: row, connection };
  return {
    optionKey: optionKeyOfStored(row) ?? row.kind,
    evaluation: evaluateIntegration(snapshot, await loadConnectorLookup([snapshot])),
    documents,
    warnings,
  };
}
