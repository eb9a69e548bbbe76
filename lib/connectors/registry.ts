import { type Channel, isPackageId, type PackageId } from "@/lib/packages/catalog";
import { exactDeliveryThrottle } from "./api/exact-online/config";
import type { Connector, DeliveryThrottle } from "./types";

/**
 * The connectors that have code. FTP and e-mail packages share one connector per channel (their
 * differences are catalog data); an API package has a connector only when it has a folder under
 * lib/connectors/api/, listed below by its package id. Any other package is not available on the
 * API channel yet (null): the UI shows it as "coming", nothing pretends. Imports are lazy so
 * SOAP/OAuth code loads only when used. Each answer is kept: every delivery asks, and a dynamic
 * import() is not free everywhere (under tsx or vitest each one is a round trip through the module
 * loader's hooks).
 */

type ImportConnector = () => Promise<Connector>;

// A connector is typed by its own schemas; the registry hands it out as the general contract.
const CHANNEL_CONNECTORS = {
  email: async () => (await import("./email")).emailConnector as unknown as Connector,
  ftp: async () => (await import("./ftp")).ftpConnector as unknown as Connector,
} satisfies Record<Exclude<Channel, "api">, ImportConnector>;

const API_CONNECTORS: Partial<Record<PackageId, ImportConnector>> = {
  yuki: async () => (await import("./api/yuki")).yukiConnector as unknown as Connector,
  "exact-online": async () => (await import("./api/exact-online")).exactOnlineConnector as unknown as Connector,
  "wolters-kluwer": async () => (await import("./api/wolters-kluwer")).woltersKluwerConnector as unknown as Connector,
  "syneton-dms": async () => (await import("./api/syneton-dms")).synetonDmsConnector as unknown as Connector,
  "test-api": async () => (await import("./api/test-api")).testApiConnector as unknown as Connector,
};

/** Which connector serves a package on a channel, or null while the package has none there. */
export function loadConnector(packageId: PackageId, channel: Channel): Promise<Connector | null> {
  const key = `${channel}:${packageId}`;
  let loading = loadedConnectors.get(key);
  if (!loading) {
    loading = importConnector(packageId, channel);
    loadedConnectors.set(key, loading);
    // A failed import is tried again by the next call.
    loading.catch(() => loadedConnectors.delete(key));
  }
  return loading;
}

const loadedConnectors = new Map<string, Promise<Connector | null>>();

async function importConnector(packageId: PackageId, channel: Channel): Promise<Connector | null> {
  if (channel !== "api") {
    const load = CHANNEL_CONNECTORS[channel] as ImportConnector | undefined;
    if (!load) throw new Error(`unknown channel ${String(channel)}`);
    return load();
  }
  // The type says it is a package id; a value from outside (a stored row) may still not be one.
  if (!isPackageId(packageId)) throw new Error(`unknown package ${String(packageId)}`);
  return (await API_CONNECTORS[packageId]?.()) ?? null;
}

/**
 * The one connector of a channel that is not per package (e-mail, FTP), whatever the package: free
 * mail has none, and a stored target may name a package the catalog no longer has.
 */
export function loadChannelConnector(channel: Exclude<Channel, "api">): Promise<Connector> {
  let loading = loadedChannelConnectors.get(channel);
  if (!loading) {
    loading = CHANNEL_CONNECTORS[channel]();
    loadedChannelConnectors.set(channel, loading);
    loading.catch(() => loadedChannelConnectors.delete(channel));
  }
  return loading;
}

const loadedChannelConnectors = new Map<Channel, Promise<Connector>>();

/** Whether a package can be connected on a channel today (its connector exists). */
export async function isConnectorAvailable(packageId: PackageId, channel: Channel): Promise<boolean> {
  return (await loadConnector(packageId, channel)) !== null;
}

/**
 * The delivery throttles the connectors declare, by connector id. They are needed before any
 * connector loads — the deliver job's throttle limit is fixed when the job is defined, see
 * DeliveryThrottle — so each comes from a small module of its connector's folder, and a test checks
 * that every connector's own `deliveryThrottle` is the one listed here.
 */
export const DECLARED_DELIVERY_THROTTLES: Readonly<Record<string, DeliveryThrottle>> = {
  "exact-online": exactDeliveryThrottle,
};

/**
 * With no throttled connector every deliver run has a key of its own (its dispatch id), which starts
 * once or twice: any limit holds, and this one never makes a run wait.
 */
const RATE_WITHOUT_THROTTLED_CONNECTORS = 60;

/**
 * The one rate the deliver job applies per throttle key: the rate every throttled connector
 * declares. Throws when two declare different rates — Inngest cannot apply both in one function
 * (DeliveryThrottle) — so a mismatch stops the process at start instead of throttling wrongly.
 */
export function deliveryThrottleRate(
  throttles: Readonly<Record<string, DeliveryThrottle>> = DECLARED_DELIVERY_THROTTLES,
): number {
  const rates = new Set(Object.values(throttles).map((throttle) => throttle.deliveriesPerMinute));
  if (rates.size > 1) {
    const declared = Object.entries(throttles).map(([id, throttle]) => `${id}: ${throttle.deliveriesPerMinute}`);
    throw new Error(
      `Connectors declare different delivery rates (${declared.join(", ")}); the deliver job has one throttle limit`,
    );
  }
  const [rate] = rates;
  if (rate !== undefined && !(Number.isInteger(rate) && rate > 0)) {
    throw new Error(`A delivery rate must be a whole number above 0, not ${rate}`);
  }
  return rate ?? RATE_WITHOUT_THROTTLED_CONNECTORS;
}
