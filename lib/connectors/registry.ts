import type { Channel, PackageId } from "@/lib/packages/catalog";
import type { Connector } from "./types";

/**
 * Which connector serves a package on a channel. FTP and e-mail packages share one connector per
 * channel (their differences are catalog data); each API package gets its own folder under
 * lib/connectors/api/. Imports are lazy so SOAP/OAuth code loads only when used. Returns null
 * while a package's connector is not built yet: the UI shows it as "coming", nothing pretends.
 * Each answer is kept: every delivery asks, and a dynamic import() is not free everywhere (under
 * tsx or vitest each one is a round trip through the module loader's hooks).
 */
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
  switch (channel) {
    case "email":
      return (await import("./email")).emailConnector as unknown as Connector;
    case "ftp":
      return (await import("./ftp")).ftpConnector as unknown as Connector;
    case "api":
      return loadApiConnector(packageId);
    default: {
      const unreachable: never = channel;
      throw new Error(`unknown channel ${String(unreachable)}`);
    }
  }
}

async function loadApiConnector(packageId: PackageId): Promise<Connector | null> {
  switch (packageId) {
    case "yuki":
      return (await import("./api/yuki")).yukiConnector as unknown as Connector;
    case "exact-online":
      return (await import("./api/exact-online")).exactOnlineConnector as unknown as Connector;
    case "wolters-kluwer":
      return (await import("./api/wolters-kluwer")).woltersKluwerConnector as unknown as Connector;
    case "syneton-dms":
      return (await import("./api/syneton-dms")).synetonDmsConnector as unknown as Connector;
    case "expert-m":
    case "vero-online":
    case "sage-bob":
    case "account-2000":
    case "adsolut":
    case "generic-ftp":
    case "clearfacts":
    case "lyanthe":
    case "octopus":
    case "winbooks":
    case "zenvoices":
    case "scan-sys":
    case "admisol":
    case "wings":
      return null;
    default: {
      const unreachable: never = packageId;
      throw new Error(`unknown package ${String(unreachable)}`);
    }
  }
}

/** Whether a package can be connected on a channel today (its connector exists). */
export async function isConnectorAvailable(packageId: PackageId, channel: Channel): Promise<boolean> {
  return (await loadConnector(packageId, channel)) !== null;
}
