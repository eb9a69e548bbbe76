import "server-only";
import { and, eq } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db";
import { connections } from "@/db/schema";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, ConnectorContext, DeliveryDossier } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import type { PackageEntry } from "@/lib/packages/catalog";
import { databaseCallLimitStore } from "./call-limits";
import { oauthAppFor } from "./oauth-app";

/** The stored connection a call runs against (null for channels without a portal step: e-mail). */
export type StoredConnection = {
  id: string;
  portalId: string;
  settings: unknown;
  secretsEncrypted: string | null;
};

export type ContextInput = {
  db: DbOrTx;
  connector: Connector;
  packageEntry: PackageEntry;
  connection: StoredConnection | null;
  dossier: DeliveryDossier | null;
  dossierSettings: unknown;
  idempotencyKey: string;
  /** The dispatch's first try (default true): see ConnectorContext.isFirstTry. */
  isFirstTry?: boolean;
  timeoutMs: number;
};

/**
 * Stores a connection's credentials in one update: re-parsed with the connector's schema,
 * encrypted bound to the connection, and for an OAuth connector the grant's expiry beside them
 * (`credentials_expire_at`, public: the page shows it and the keep-alive cron selects by it), so
 * the two never disagree. `extra` columns (an authorization's health) go in the same statement.
 * Resolves with the parsed secrets.
 */
export async function storeConnectionSecrets(
  db: DbOrTx,
  connector: Connector,
  connection: { id: string; portalId: string },
  secrets: unknown,
  extra: PgUpdateSetSource<typeof connections> = {},
): Promise<unknown> {
  const parsed = connector.secretsSchema.parse(secrets);
  const set: PgUpdateSetSource<typeof connections> = {
    ...extra,
    secretsEncrypted: encryptSecrets(parsed, connectionSecretsContext(connection.id)),
    updatedAt: new Date(),
  };
  if (connector.oauth) set.credentialsExpireAt = connector.oauth.grantExpiresAt(parsed);
  await db
    .update(connections)
    .set(set)
    .where(and(eq(connections.id, connection.id), eq(connections.portalId, connection.portalId)));
  return parsed;
}

/**
 * A connection's stored credentials, decrypted but not yet parsed ({} when none are stored).
 * A blob that no longer decrypts is an `auth` error: the credentials must be entered again.
 */
export function decryptConnectionSecrets(connection: Pick<StoredConnection, "id" | "secretsEncrypted">): unknown {
  if (!connection.secretsEncrypted) return {};
  try {
    return decryptSecrets(connection.secretsEncrypted, connectionSecretsContext(connection.id));
  } catch (error) {
    // A key that no longer matches is an operator problem: the user must re-enter the credentials.
    throw new ConnectorError("auth", "auth_failed", { vendorDetail: "secrets could not be decrypted", cause: error });
  }
}

/**
 * Builds the context of one connector call: settings, secrets and dossier settings re-parsed with
 * the connector's schemas (a mismatch is a permanent `invalid_settings` error, never a crash
 * inside the connector), secrets decrypted only here, an abort signal that fires at the timeout,
 * the callback that stores rotated credentials, and the package's call limits in the database.
 */
export function createConnectorContext(input: ContextInput): ConnectorContext<unknown, unknown, unknown> {
  const { connector, connection } = input;
  const settings = connector.settingsSchema.safeParse(connection?.settings ?? {});
  if (!settings.success) throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "settings" });

  const secrets = connector.secretsSchema.safeParse(connection ? decryptConnectionSecrets(connection) : {});
  if (!secrets.success) throw new ConnectorError("auth", "auth_failed", { vendorDetail: "secrets incomplete" });

  let dossierSettings: unknown = null;
  if (input.dossier) {
    const parsed = connector.dossierSettingsSchema.safeParse(input.dossierSettings ?? {});
    if (!parsed.success)
      throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "dossier settings" });
    dossierSettings = parsed.data;
  }

  return {
    settings: settings.data,
    secrets: secrets.data,
    oauthApp: connector.oauth ? oauthAppFor(input.packageEntry.id, settings.data, secrets.data) : null,
    dossierSettings,
    dossier: input.dossier,
    package: input.packageEntry,
    signal: AbortSignal.timeout(input.timeoutMs),
    idempotencyKey: input.idempotencyKey,
    isFirstTry: input.isFirstTry ?? true,
    callLimits: databaseCallLimitStore(input.db),
    async persistSecrets(next) {
      if (!connection) throw new Error("this channel has no stored credentials");
      await storeConnectionSecrets(input.db, connector, connection, next);
    },
    async rotateSecrets(rotate) {
      if (!connection) throw new Error("this channel has no stored credentials");
      // The row lock serialises rotations of one connection across jobs and processes; reading
      // the secrets again under it hands `rotate` whatever another job stored meanwhile.
      return input.db.transaction(async (tx) => {
        const [row] = await tx
          .select({ secretsEncrypted: connections.secretsEncrypted })
          .from(connections)
          .where(and(eq(connections.id, connection.id), eq(connections.portalId, connection.portalId)))
          .for("update");
        if (!row?.secretsEncrypted) throw new ConnectorError("auth", "auth_failed", { vendorDetail: "no secrets" });
        let latest: unknown;
        try {
          latest = connector.secretsSchema.parse(
            decryptSecrets(row.secretsEncrypted, connectionSecretsContext(connection.id)),
          );
        } catch (error) {
          throw new ConnectorError("auth", "auth_failed", { vendorDetail: "stored secrets unreadable", cause: error });
        }
        const next = await rotate(latest);
        if (next === null) return latest;
        return storeConnectionSecrets(tx, connector, connection, next);
      });
    },
  };
}
