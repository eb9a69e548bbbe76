import "server-only";
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import { connections, dossierIntegrations, portals } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { Connector } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import { afterConnectionRestored } from "@/lib/dispatch/waiting";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { type Channel, findPackage, isPackageId, listPackages, type PackageId } from "@/lib/packages/catalog";
import { type ConnectionCheckResult, type ConnectionStatus, runConnectionCheck } from "./check";
import { type ConnectionDeps, DEFAULT_CONNECTION_DEPS } from "./deps";
import { ConnectorUnavailableError } from "./errors";
import {
  type ConnectionForm,
  coerceFormValues,
  connectionFormOf,
  connectorFieldErrorsOf,
  formFieldsOf,
  managedFieldNamesOf,
  secretFieldNamesOf,
} from "./form";
import {
  CONNECTION_CHANNELS,
  type ConnectionChannel,
  type CreateConnectionInput,
  connectionIdSchema,
  createConnectionSchema,
  type UpdateConnectionInput,
  updateConnectionSchema,
} from "./schemas";
import { type ServerKeyView, serverKeyOf } from "./server-key";

/**
 * Portal connections (the "portal step" of integration setup): API or FTP credentials and settings
 * of an accounting office. Accountants and admins see them (connection.view); only admins change
 * them (connection.manage), whoever calls: page action, /api/v1 or job. Every write authorizes
 * before it reads or parses anything; ids of another portal are "not found".
 *
 * Secrets are encrypted as one blob bound to the connection's id and never leave this module:
 * callers get the public view, with a set / not set flag per secret field.
 */

/** What the UI and API may see of a connection: no secret value, no encrypted blob. */
export type ConnectionView = {
  id: string;
  packageId: string;
  packageName: string;
  packageInitials: string;
  channel: Channel;
  label: string;
  /** Public settings (host, region, base URL…), as stored. */
  settings: Record<string, unknown>;
  status: ConnectionStatus;
  lastCheckedAt: Date | null;
  lastSuccessAt: Date | null;
  lastErrorCode: string | null;
  lastErrorAt: Date | null;
  /** Per typed secret field: whether a value is stored (managed ones, such as tokens, are not listed). */
  secretsSet: Record<string, boolean>;
  /**
   * For packages connected by OAuth: whether a grant is stored (an admin went through the
   * package's consent screen), and when it dies unless used. Null for other connections.
   */
  oauth: { isAuthorised: boolean; expiresAt: Date | null } | null;
  /**
   * For SFTP connections: the SSH host key they trust (typed or pinned on first use), only its
   * fingerprint, so the card can show it for comparison with the provider's. Null for others.
   */
  serverKey: ServerKeyView;
  /** Dossiers that deliver through this connection. */
  dossierCount: number;
  /** Whether the package's connector exists yet (else it can be neither edited nor checked). */
  isConnectorAvailable: boolean;
  /** Whether the connector can tell what became of sent documents ("Check status now"). */
  hasReadBack: boolean;
  createdAt: Date;
};

/** A package and channel an admin can pick when adding a connection. */
export type ConnectionOption = {
  packageId: PackageId;
  packageName: string;
  packageInitials: string;
  channel: ConnectionChannel;
  /** False while the connector is not built ("coming soon"). */
  isAvailable: boolean;
  /** The generated form, for available connectors. */
  form: ConnectionForm | null;
};

const portalIdSchema = z.uuid();

function parseId(schema: z.ZodType<string>, value: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

async function loadConnectorFor(deps: ConnectionDeps, packageId: string, channel: Channel): Promise<Connector | null> {
  if (!isPackageId(packageId)) return null;
  return deps.loadConnector(packageId, channel);
}

const storedColumns = {
  id: connections.id,
  portalId: connections.portalId,
  packageId: connections.packageId,
  channel: connections.channel,
  label: connections.label,
  settings: connections.settings,
  secretsEncrypted: connections.secretsEncrypted,
  status: connections.status,
  lastCheckedAt: connections.lastCheckedAt,
  lastSuccessAt: connections.lastSuccessAt,
  lastErrorCode: connections.lastErrorCode,
  lastErrorAt: connections.lastErrorAt,
  credentialsExpireAt: connections.credentialsExpireAt,
  createdAt: connections.createdAt,
};
type StoredRow = {
  [K in keyof typeof storedColumns]: (typeof connections.$inferSelect)[K];
};

/** The stored secrets, or {} when there are none or they no longer decrypt (a lost key). */
function storedSecretsOf(row: { id: string; secretsEncrypted: string | null }): Record<string, unknown> {
  if (!row.secretsEncrypted) return {};
  try {
    const value = decryptSecrets(row.secretsEncrypted, connectionSecretsContext(row.id));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

function toView(row: StoredRow, connector: Connector | null, dossierCount: number): ConnectionView {
  const entry = findPackage(row.packageId);
  const stored = storedSecretsOf(row);
  // The connector's schema names the fields; without it, whatever is stored.
  const names = connector ? secretFieldNamesOf(connector.secretsSchema) : Object.keys(stored);
  const secretsSet = Object.fromEntries(names.map((name) => [name, isSet(stored[name])]));
  const oauth = connector?.oauth
    ? {
        isAuthorised: managedFieldNamesOf(connector.secretsSchema).some((name) => isSet(stored[name])),
        expiresAt: row.credentialsExpireAt,
      }
    : null;
  return {
    id: row.id,
    packageId: row.packageId,
    packageName: entry?.name ?? row.packageId,
    packageInitials: entry?.initials ?? row.packageId.slice(0, 2).toUpperCase(),
    channel: row.channel,
    label: row.label,
    settings: { ...row.settings },
    status: row.status,
    lastCheckedAt: row.lastCheckedAt,
    lastSuccessAt: row.lastSuccessAt,
    lastErrorCode: row.lastErrorCode,
    lastErrorAt: row.lastErrorAt,
    secretsSet,
    oauth,
    serverKey: serverKeyOf(row.channel, row.settings, stored),
    dossierCount,
    isConnectorAvailable: connector !== null,
    hasReadBack: Boolean(connector?.pollStatus) && (row.channel === "api" || row.channel === "ftp"),
    createdAt: row.createdAt,
  };
}

async function dossierCountsOf(db: DbOrTx, portalId: string, connectionIds: string[]): Promise<Map<string, number>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await db
    .select({ connectionId: dossierIntegrations.connectionId, dossierCount: count() })
    .from(dossierIntegrations)
    .where(and(eq(dossierIntegrations.portalId, portalId), inArray(dossierIntegrations.connectionId, connectionIds)))
    .groupBy(dossierIntegrations.connectionId);
  return new Map(rows.map((row) => [row.connectionId ?? "", row.dossierCount]));
}

async function loadStored(db: DbOrTx, portalId: string, connectionId: string): Promise<StoredRow> {
  const id = parseId(connectionIdSchema, connectionId);
  const [row] = await db
    .select(storedColumns)
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.portalId, portalId)));
  if (!row) throw new NotFoundError();
  return row;
}

async function viewOf(db: DbOrTx, row: StoredRow, deps: ConnectionDeps): Promise<ConnectionView> {
  const [connector, counts] = await Promise.all([
    loadConnectorFor(deps, row.packageId, row.channel),
    dossierCountsOf(db, row.portalId, [row.id]),
  ]);
  return toView(row, connector, counts.get(row.id) ?? 0);
}

/** The portal's connections, oldest first, as the public view. Admins and accountants. */
export async function listConnections(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionView[]> {
  authorize(actor, "connection.view", { portalId });
  const portal = parseId(portalIdSchema, portalId);
  const rows = await db
    .select(storedColumns)
    .from(connections)
    .where(eq(connections.portalId, portal))
    .orderBy(asc(connections.createdAt), asc(connections.id));
  const counts = await dossierCountsOf(
    db,
    portal,
    rows.map((row) => row.id),
  );
  const connectors = await Promise.all(rows.map((row) => loadConnectorFor(deps, row.packageId, row.channel)));
  return rows.map((row, index) => toView(row, connectors[index] ?? null, counts.get(row.id) ?? 0));
}

/** One connection of the portal (public view); NotFoundError for another portal's id. */
export async function getConnection(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  connectionId: string,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionView> {
  authorize(actor, "connection.view", { portalId });
  const row = await loadStored(db, parseId(portalIdSchema, portalId), connectionId);
  return viewOf(db, row, deps);
}

/**
 * What an admin can add: every API and FTP channel of the catalog, with its generated form when
 * the connector exists. Packages whose connector is not built yet are listed as unavailable.
 */
export async function listConnectionOptions(
  actor: Actor,
  portalId: string,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionOption[]> {
  authorize(actor, "connection.view", { portalId });
  const pairs = CONNECTION_CHANNELS.flatMap((channel) =>
    listPackages()
      .filter((entry) => entry.channels.includes(channel))
      .map((entry) => ({
        entry,
        channel,
      })),
  );
  return Promise.all(
    pairs.map(async ({ entry, channel }) => {
      const connector = await deps.loadConnector(entry.id, channel);
      return {
        packageId: entry.id,
        packageName: entry.name,
        packageInitials: entry.initials,
        channel,
        isAvailable: connector !== null,
        form: connector ? connectionFormOf(connector, entry.id) : null,
      };
    }),
  );
}

/** Validates settings with the connector's schema; field errors under "settings.<name>". */
function parseSettings(connector: Connector, raw: Record<string, unknown>): Record<string, unknown> {
  const given = coerceFormValues(formFieldsOf(connector.settingsSchema, false), raw);
  const parsed = connector.settingsSchema.safeParse(given);
  if (!parsed.success) throw new ValidationError(connectorFieldErrorsOf("settings", parsed.error, given));
  const refusals = Object.entries(connector.settingsRefusals?.(parsed.data) ?? {});
  if (refusals.length > 0) {
    throw new ValidationError(
      Object.fromEntries(refusals.map(([name, key]) => [`settings.${name}`, [key ?? "invalid"]])),
    );
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * Whether new settings mean the same as the stored ones once both are parsed (defaults filled in,
 * values trimmed and converted). Settings that do not parse count as different.
 */
function isSameSettings(connector: Connector, stored: unknown, raw: Record<string, unknown>): boolean {
  const before = connector.settingsSchema.safeParse(stored);
  const after = connector.settingsSchema.safeParse(
    coerceFormValues(formFieldsOf(connector.settingsSchema, false), raw),
  );
  return before.success && after.success && isDeepStrictEqual(before.data, after.data);
}

function withoutFields(values: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !names.includes(name)));
}

/**
 * Validates secrets with the connector's schema. `stored` are the current values: a field left
 * blank keeps its stored value, and managed fields (tokens), which no form carries, are kept as
 * stored. Field errors under "secrets.<name>" never echo a value.
 */
function parseSecrets(
  connector: Connector,
  raw: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const fields = formFieldsOf(connector.secretsSchema, true);
  const given = { ...stored, ...coerceFormValues(fields, raw) };
  const parsed = connector.secretsSchema.safeParse(given);
  if (!parsed.success) throw new ValidationError(connectorFieldErrorsOf("secrets", parsed.error, given));
  return parsed.data as Record<string, unknown>;
}

/** Field errors of both groups at once, so a form shows everything that is wrong in one go. */
function parseSettingsAndSecrets(
  connector: Connector,
  settings: Record<string, unknown>,
  secrets: Record<string, unknown>,
  storedSecrets: Record<string, unknown>,
): { settings: Record<string, unknown>; secrets: Record<string, unknown> } {
  const fieldErrors: Record<string, string[]> = {};
  let parsedSettings: Record<string, unknown> = {};
  let parsedSecrets: Record<string, unknown> = {};
  try {
    parsedSettings = parseSettings(connector, settings);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(fieldErrors, error.fieldErrors);
  }
  try {
    parsedSecrets = parseSecrets(connector, secrets, storedSecrets);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(fieldErrors, error.fieldErrors);
  }
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors);
  return { settings: parsedSettings, secrets: parsedSecrets };
}

/**
 * Adds a connection to the portal (admins). The package must offer the channel, and its connector
 * must exist; settings and secrets are validated with the connector's schemas. The new connection
 * starts "not checked". Several connections of one package are fine; the label tells them apart.
 */
export async function createConnection(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  input: CreateConnectionInput,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionView> {
  authorize(actor, "connection.manage", { portalId });
  const portal = parseId(portalIdSchema, portalId);
  const values = parseInput(createConnectionSchema, input);
  const entry = findPackage(values.packageId);
  if (!entry || !(entry.channels as readonly Channel[]).includes(values.channel) || !isPackageId(entry.id)) {
    throw new ValidationError({ channel: ["channelUnsupported"] });
  }
  const connector = await deps.loadConnector(entry.id, values.channel);
  if (!connector) throw new ConnectorUnavailableError();
  const parsed = parseSettingsAndSecrets(connector, values.settings, values.secrets, {});

  // A system actor may name any portal; members' portals exist by construction.
  const [exists] = await db.select({ id: portals.id }).from(portals).where(eq(portals.id, portal));
  if (!exists) throw new NotFoundError();

  // The id is made here so the ciphertext can be bound to it (associated data).
  const id = randomUUID();
  const [row] = await db
    .insert(connections)
    .values({
      id,
      portalId: portal,
      packageId: entry.id,
      channel: values.channel,
      label: values.label,
      settings: parsed.settings,
      secretsEncrypted: encryptSecrets(parsed.secrets, connectionSecretsContext(id)),
      status: "not_checked",
    })
    .returning(storedColumns);
  if (!row) throw new Error("insert into connections returned no row");
  return toView(row, connector, 0);
}

/**
 * Changes a connection's label, settings and/or secrets (admins). Blank secret fields keep the
 * stored value, and so do managed ones (OAuth tokens). New settings or credentials make the health
 * unknown again ("not checked"), except for a disabled connection, which stays disabled.
 */
export async function updateConnection(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  connectionId: string,
  input: UpdateConnectionInput,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionView> {
  authorize(actor, "connection.manage", { portalId });
  const portal = parseId(portalIdSchema, portalId);
  const stored = await loadStored(db, portal, connectionId);
  const values = parseInput(updateConnectionSchema, input);

  const hasNewSecrets = Object.values(values.secrets ?? {}).some(isSet);
  const changesConfig = values.settings !== undefined || hasNewSecrets;
  const connector = await loadConnectorFor(deps, stored.packageId, stored.channel);
  // Without a connector nothing can be validated: only the label may change.
  if (changesConfig && !connector) throw new ConnectorUnavailableError();

  const set: PgUpdateSetSource<typeof connections> = { updatedAt: new Date() };
  if (values.label !== undefined) set.label = values.label;
  if (connector && changesConfig) {
    // An OAuth grant belongs to the settings it was given under: the package's host (region, base
    // URL) and the app (client id) that asked for it. Tokens of one Exact country or app are
    // refused by another, and keeping them would only turn into "credentials refused" later; so
    // changed settings drop the grant and the admin connects again. A new client secret alone
    // keeps it: the app is the same.
    const keepsGrant =
      !connector.oauth || values.settings === undefined || isSameSettings(connector, stored.settings, values.settings);
    const storedSecrets = storedSecretsOf(stored);
    const parsed = parseSettingsAndSecrets(
      connector,
      values.settings ?? stored.settings,
      values.secrets ?? {},
      keepsGrant ? storedSecrets : withoutFields(storedSecrets, managedFieldNamesOf(connector.secretsSchema)),
    );
    set.settings = parsed.settings;
    set.secretsEncrypted = encryptSecrets(parsed.secrets, connectionSecretsContext(stored.id));
    if (!keepsGrant) set.credentialsExpireAt = null;
    // Decided in SQL, so a concurrent "disable" is never undone by this save.
    set.status = sql`case when ${connections.status} = 'disabled' then 'disabled'::connection_status else 'not_checked'::connection_status end`;
  }

  const [row] = await db
    .update(connections)
    .set(set)
    .where(and(eq(connections.id, stored.id), eq(connections.portalId, portal)))
    .returning(storedColumns);
  if (!row) throw new NotFoundError();
  return viewOf(db, row, deps);
}

/**
 * Disables or re-enables a connection (admins). Disabling keeps the connection, its secrets and
 * its history; dossiers that use it then read as "needs attention" and nothing is delivered
 * through it. Re-enabling makes its health unknown ("not checked") until the next check.
 */
export async function setConnectionDisabled(
  db: Db,
  actor: Actor,
  portalId: string,
  connectionId: string,
  disabled: boolean,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionView> {
  authorize(actor, "connection.manage", { portalId });
  const portal = parseId(portalIdSchema, portalId);
  const stored = await loadStored(db, portal, connectionId);
  const where = and(eq(connections.id, stored.id), eq(connections.portalId, portal));
  if (disabled) {
    await db.update(connections).set({ status: "disabled", updatedAt: new Date() }).where(where);
  } else {
    // Only a disabled connection is re-enabled: enabling an active one must not erase its health.
    const enabled = await db
      .update(connections)
      .set({ status: "not_checked", updatedAt: new Date() })
      .where(and(where, eq(connections.status, "disabled")))
      .returning({ id: connections.id });
    // Documents auto-send left because this connection was disabled go now.
    if (enabled.length > 0) await afterConnectionRestored(db, { portalId: portal, connectionId: stored.id });
  }
  return viewOf(db, await loadStored(db, portal, stored.id), deps);
}

/** "Test connection" (admins): the connector's real check with a short timeout, recorded as health. */
export async function testConnection(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  connectionId: string,
  deps: ConnectionDeps = DEFAULT_CONNECTION_DEPS,
): Promise<ConnectionCheckResult> {
  authorize(actor, "connection.manage", { portalId });
  const stored = await loadStored(db, parseId(portalIdSchema, portalId), connectionId);
  return runConnectionCheck(db, actor, stored.id, deps);
}
