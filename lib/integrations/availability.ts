import "server-only";
import { loadConnector } from "@/lib/connectors/registry";
import { isPackageId } from "@/lib/packages/catalog";

type ConnectionKey = { packageId: string; channel: "api" | "ftp" | "email" };

/**
 * Whether deliveries through these connections can happen today (their package's connector is
 * built), keyed `packageId:channel`. A connection whose connector comes in a later issue is
 * shown as needing attention rather than as ready.
 */
export async function connectorAvailability(connections: readonly ConnectionKey[]): Promise<Map<string, boolean>> {
  const keys = [...new Set(connections.map((connection) => `${connection.packageId}:${connection.channel}`))];
  const entries = await Promise.all(
    keys.map(async (key): Promise<[string, boolean]> => {
      const [packageId = "", channel = ""] = key.split(":");
      const isAvailable =
        isPackageId(packageId) && (channel === "api" || channel === "ftp")
          ? (await loadConnector(packageId, channel)) !== null
          : false;
      return [key, isAvailable];
    }),
  );
  return new Map(entries);
}

export function availabilityKey(connection: ConnectionKey): string {
  return `${connection.packageId}:${connection.channel}`;
}
