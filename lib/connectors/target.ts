import {
  CHANNELS,
  type Channel,
  DOCUMENT_CATEGORIES,
  type DocumentCategory,
  findPackage,
} from "@/lib/packages/catalog";
import type { Connector, TargetDetail } from "./types";

/**
 * Where a delivery went, as people read it — the same on the document page's history, in the
 * failure queue and in the delivery log. Read from a stored dispatch or attempt target
 * (lib/dispatch/plan.ts targetFor, plus the connector's receipt on an attempt): the platform's
 * own facts first (the connection's name, the address), then what the connector says about the
 * place (its describeTarget hook), or without one the target's remaining keys.
 */
export type TargetDescription = {
  channel: Channel | null;
  /** The catalogue's package name; null for free mail or an unknown id. */
  packageName: string | null;
  /** Connection, address, then folder, administration, division…: key and value, never a secret. */
  details: TargetDetail[];
};

/** What the platform writes into every target (targetFor), in the order people look for them. */
const PLATFORM_KEYS = ["connection", "to"];
/**
 * Keys that only identify or classify (the description says them otherwise, or not at all), and
 * a receipt's note that a retry found the document already there: how it went, not where.
 */
const HIDDEN_KEYS = new Set(["channel", "packageId", "connectionId", "category", "isAlreadyThere"]);
/** Without a connector's describer: these first, any other key after them in name order. */
const LEADING_KEYS = ["folder", "administrationId", "administration", "division"];
/**
 * Targets hold the dossier's public settings and what a receipt added, never secrets; this is a
 * second guard, because the delivery log leaves the building (an auditor's Excel).
 */
const SECRET_LIKE_KEY = /pass|secret|token|api.?key|authori[sz]ation|credential|private|cookie|session/i;

/** A scalar value as text; null for anything else or nothing. */
function textOf(value: unknown): string | null {
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

function detailsOf(source: Readonly<Record<string, unknown>>, keys: readonly string[]): TargetDetail[] {
  return keys.flatMap((key) => {
    const value = SECRET_LIKE_KEY.test(key) ? null : textOf(source[key]);
    return value === null ? [] : [{ key, value }];
  });
}

/** The connector's part without a describer: every other readable key, the usual ones first. */
function remainingDetails(source: Readonly<Record<string, unknown>>): TargetDetail[] {
  const keys = Object.keys(source).filter((key) => !HIDDEN_KEYS.has(key) && !PLATFORM_KEYS.includes(key));
  return detailsOf(source, [
    ...LEADING_KEYS.filter((key) => keys.includes(key)),
    ...keys.filter((key) => !LEADING_KEYS.includes(key)).sort(),
  ]);
}

/** The connector's own description, guarded like any stored value; null when it has none or fails. */
function connectorDetails(
  source: Readonly<Record<string, unknown>>,
  connector: Pick<Connector, "id" | "describeTarget"> | null | undefined,
): TargetDetail[] | null {
  if (!connector?.describeTarget) return null;
  try {
    const described = connector.describeTarget(source);
    return described.filter(({ key, value }) => !SECRET_LIKE_KEY.test(key) && textOf(value) !== null);
  } catch (error) {
    // A target written by an older version may surprise a describer: show the generic listing.
    console.warn(`[targets] ${connector.id}: describeTarget failed; the target is listed as stored`, error);
    return null;
  }
}

/**
 * Describes a stored target, with the connector that delivered it when known (its describeTarget
 * hook names the package-specific fields). Scalar values only; secret-looking keys are dropped.
 */
export function describeTarget(
  target: Readonly<Record<string, unknown>> | null | undefined,
  connector?: Pick<Connector, "id" | "describeTarget"> | null,
): TargetDescription {
  const source = target ?? {};
  const channel = CHANNELS.find((candidate) => candidate === source.channel) ?? null;
  const packageId = typeof source.packageId === "string" ? source.packageId : null;
  return {
    channel,
    packageName: findPackage(packageId)?.name ?? null,
    details: [
      ...detailsOf(source, PLATFORM_KEYS),
      ...(connectorDetails(source, connector) ?? remainingDetails(source)),
    ],
  };
}

/** The details as one line ("Exact Online België · 12345"); null when there are none. */
export function targetDetailsText(description: TargetDescription): string | null {
  return description.details.length > 0 ? description.details.map(({ value }) => value).join(" · ") : null;
}

/** For connectors' describers: a stored target's value as text, or null when absent or not a scalar. */
export function targetValue(target: Readonly<Record<string, unknown>>, key: string): string | null {
  return textOf(target[key]);
}

/** For connectors' describers: the document category a stored target names (targetFor writes it), or null. */
export function targetCategory(target: Readonly<Record<string, unknown>>): DocumentCategory | null {
  return DOCUMENT_CATEGORIES.find((category) => category === target.category) ?? null;
}

/** For connectors' describers: details from named values, in their order, the missing ones left out. */
export function targetDetails(values: Record<string, string | number | null | undefined>): TargetDetail[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const text = textOf(value);
    return text === null ? [] : [{ key, value: text }];
  });
}
