import { CHANNELS, type Channel, findPackage } from "@/lib/packages/catalog";

/** Where a delivery went, as the failure queue and the delivery log show it. */
export type TargetSummary = {
  channel: Channel | null;
  /** The catalogue's package name; null for free mail or an unknown id. */
  packageName: string | null;
  /** Connection, address, folder, administration, division…: key and value, never a secret. */
  details: { key: string; value: string }[];
};

/** Keys that only identify or classify; the summary says them otherwise (channel, package) or not at all. */
const HIDDEN_KEYS = new Set(["channel", "packageId", "connectionId", "category"]);
/** The keys people look for first, in this order; any other key follows. */
const LEADING_KEYS = ["connection", "to", "folder", "administrationId", "administration", "division"];
/**
 * Dispatch targets hold the dossier's public settings and what a receipt added, never secrets;
 * this is a second guard, because the delivery log leaves the building (an auditor's Excel).
 */
const SECRET_LIKE_KEY = /pass|secret|token|api.?key|authori[sz]ation|credential|private|cookie|session/i;

/**
 * The readable part of a dispatch or attempt target (lib/dispatch/plan.ts, targetFor, plus the
 * connector's receipt): scalar values only, secret-looking keys dropped.
 */
export function summarizeTarget(target: Record<string, unknown> | null | undefined): TargetSummary {
  const source = target ?? {};
  const channel = CHANNELS.find((candidate) => candidate === source.channel) ?? null;
  const packageId = typeof source.packageId === "string" ? source.packageId : null;
  const keys = Object.keys(source).filter((key) => !HIDDEN_KEYS.has(key) && !SECRET_LIKE_KEY.test(key));
  const ordered = [
    ...LEADING_KEYS.filter((key) => keys.includes(key)),
    ...keys.filter((key) => !LEADING_KEYS.includes(key)).sort(),
  ];
  const details = ordered.flatMap((key) => {
    const value = source[key];
    if (typeof value === "string" && value.trim() !== "") return [{ key, value }];
    if (typeof value === "number" || typeof value === "boolean") return [{ key, value: String(value) }];
    return [];
  });
  return { channel, packageName: findPackage(packageId)?.name ?? null, details };
}
