import { z } from "zod";
import type { connections, dossierIntegrations } from "@/db/schema";
import { findPackage } from "@/lib/packages/catalog";

type ConnectionStatus = (typeof connections.$inferSelect)["status"];
type IntegrationKind = (typeof dossierIntegrations.$inferSelect)["kind"];

/**
 * How a dossier delivers, as the UI shows it (one colour each): a portal connection over API or
 * FTP (green), e-mail to a package's standard addresses (yellow) or to individual addresses
 * (orange), free mail (blue), deliberately nothing (red), or not chosen yet (grey).
 */
export type IntegrationState =
  | { kind: "not_configured" }
  | {
      kind: "connection";
      channel: "api" | "ftp";
      packageName: string;
      connectionLabel: string;
      connectionStatus: ConnectionStatus;
    }
  | { kind: "email"; packageName: string; addressMode: "standard" | "individual" }
  | { kind: "free_email" }
  | { kind: "none" };

export type IntegrationTone = "green" | "yellow" | "orange" | "blue" | "red" | "grey";

/**
 * Which addresses an e-mail integration uses, from its stored `addressMode` (lib/integrations/
 * schemas.ts). Rows from before that setting: own addresses stored = individual.
 */
const emailSettingsSchema = z
  .object({
    addressMode: z.enum(["standard", "individual"]).optional(),
    addresses: z.record(z.string(), z.string().nullish()).optional(),
  })
  .catch({});

function addressModeOf(settings: unknown): "standard" | "individual" {
  const { addressMode, addresses } = emailSettingsSchema.parse(settings);
  if (addressMode) return addressMode;
  return Object.values(addresses ?? {}).some((address) => Boolean(address)) ? "individual" : "standard";
}

export type IntegrationRow = {
  kind: IntegrationKind | null;
  packageId: string | null;
  settings: unknown;
  connection: { packageId: string; channel: "api" | "ftp" | "email"; label: string; status: ConnectionStatus } | null;
};

/** Derives the display state from a dossier's integration row (null = none chosen yet). */
export function integrationStateOf(row: IntegrationRow): IntegrationState {
  switch (row.kind) {
    case null:
      return { kind: "not_configured" };
    case "connection": {
      const connection = row.connection;
      // The check constraint guarantees a connection; a dangling row reads as "not configured".
      if (!connection) return { kind: "not_configured" };
      return {
        kind: "connection",
        channel: connection.channel === "ftp" ? "ftp" : "api",
        packageName: findPackage(connection.packageId)?.name ?? connection.packageId,
        connectionLabel: connection.label,
        connectionStatus: connection.status,
      };
    }
    case "email": {
      return {
        kind: "email",
        packageName: findPackage(row.packageId)?.name ?? row.packageId ?? "",
        addressMode: addressModeOf(row.settings),
      };
    }
    case "free_email":
      return { kind: "free_email" };
    case "none":
      return { kind: "none" };
  }
}

export function integrationTone(state: IntegrationState): IntegrationTone {
  switch (state.kind) {
    case "connection":
      return "green";
    case "email":
      return state.addressMode === "individual" ? "orange" : "yellow";
    case "free_email":
      return "blue";
    case "none":
      return "red";
    case "not_configured":
      return "grey";
  }
}
