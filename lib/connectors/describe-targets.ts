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

/** Descriptions a describer keeps at most; past it, it starts over (a long export stays bounded). */
const MAX_KEPT_DESCRIPTIONS = 5_000;

/**
 * A describer of stored targets that keeps, across calls, the connectors it loaded and the
 * descriptions it made: a long read such as the delivery log's export describes the same few
 * targets (a dossier's documents all go to the same place) hundreds of thousands of times. Equal
 * targets share one description object; callers must not change it. A target described before is
 * answered at once (no promise), so a loop over many rows awaits only the first of each target.
 */
export function targetDescriber(): (target: StoredTarget) => TargetDescription | Promise<TargetDescription> {
  const connectors = new Map<string, Promise<Connector | null>>();
  const descriptions = new Map<string, TargetDescription>();
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
  const describeNew = async (key: string, target: StoredTarget) => {
    const description = describeTarget(target, await connectorFor(target));
    if (descriptions.size >= MAX_KEPT_DESCRIPTIONS) descriptions.clear();
    descriptions.set(key, description);
    return description;
  };
  return (target) => {
    const key = JSON.stringify(target ?? null);
    return descriptions.get(key) ?? describeNew(key, target);
  };
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
  const descriptionOf = targetDescriber();
  return Promise.all(rows.map(async (row) => ({ ...row, targetDescription: await descriptionOf(row.target) })));
}
