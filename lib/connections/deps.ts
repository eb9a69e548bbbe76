import { loadConnector } from "@/lib/connectors/registry";
import type { Connector } from "@/lib/connectors/types";
import type { Channel, PackageId } from "@/lib/packages/catalog";

/**
 * What the connection services need from the outside world. Defaults to the real registry; tests
 * pass a fake connector (API and FTP connectors arrive in later issues).
 */
export type ConnectionDeps = {
  loadConnector: (packageId: PackageId, channel: Channel) => Promise<Connector | null>;
  /** How long "Test connection" and the health cron wait for a connector's check. */
  checkTimeoutMs?: number;
};

export const DEFAULT_CONNECTION_DEPS: ConnectionDeps = { loadConnector };

/** A bounded check: long enough for a login round trip, short enough for a button. */
export const CHECK_TIMEOUT_MS = 10_000;
