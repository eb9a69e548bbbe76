import { CHANNELS, isPackageId } from "@/lib/packages/catalog";
import { loadChannelConnector, loadConnector } from "./registry";
import { describeTarget, type TargetDescription } from "./target";
import type { Connector } from "./types";

type StoredTarget = Readonly<Record<string, unknown>> | null | undefined;

/** The connector that delivered to a stored target (by its channel and package), or null. */
async function connectorOf(target: StoredTarget): Promise<Connector | null> {
  const channel = CHANNELS.find((candidate) => candidate === target?.channel);
  if (!channel) return null;
  if (channel !== "api") return loadChannelConnector(channel);
  const packageId = target?.packageId;
  return typeof packageId === "string" && isPackageId(packageId) ? loadConnector(packageId, channel) : null;
}

/**
 * Rows with stored targets (dispatches, attempts), each with its target described (describeTarget)
 * with the connector that delivered to it, each connector loaded once. A connector that cannot be
 * loaded leaves its targets described without it: a page that shows where documents went never
 * fails on that.
 */
export async function withTargetDescriptions<TRow extends { target: StoredTarget }>(
  rows: readonly TRow[],
): Promise<Array<TRow & { targetDescription: TargetDescription }>> {
  const connectors = new Map<string, Promise<Connector | null>>();
  const connectorFor = (target: StoredTarget) => {
    const key = `${String(target?.channel)}:${String(target?.packageId)}`;
    let connector = connectors.get(key);
    if (!connector) {
      connector = connectorOf(target).catch((error: unknown) => {
        console.warn(`[targets] no connector for ${key}; its targets are listed as stored`, error);
        return null;
      });
      connectors.set(key, connector);
    }
    return connector;
  };
  return Promise.all(
    rows.map(async (row) => ({
      ...row,
      targetDescription: describeTarget(row.target, await connectorFor(row.target)),
    })),
  );
}
