import "server-only";
import type { DbOrTx } from "@/db";
import type { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";
import type { Connector } from "@/lib/connectors/types";
import { evaluateIntegration, loadConnectorLookup } from "@/lib/dispatch/plan";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { type DocumentCategory, findPackage } from "@/lib/packages/catalog";
import { acceptedCategories } from "@/lib/packages/email-addresses";
import { connectorDossierFields, dossierFieldLabelKey } from "./connector-fields";
import { loadDossierIntegration } from "./load";
import type { CategoryAddresses, IntegrationMarking } from "./schemas";
import { type IntegrationEvaluation, parseStoredIntegration, resolveEmailTarget } from "./status";

type ConnectionStatus = (typeof connections.$inferSelect)["status"];

/** The dossier's current integration, as its tab shows it (no secrets: connections show their label). */
export type CurrentIntegration =
  | {
      kind: "connection";
      marking: "green";
      packageId: string;
      packageName: string;
      initials: string;
      connectionLabel: string;
      channel: "api" | "ftp";
      connectionStatus: ConnectionStatus;
      /** The dossier-level settings (division, folder…), as text. */
      settings: Record<string, string>;
      /** Each setting's label (i18n key), from the connector's fields; a setting without one shows its name. */
      settingLabelKeys: Record<string, string>;
    }
  | {
      kind: "email";
      marking: Extract<IntegrationMarking, "yellow" | "orange">;
      addressMode: "standard" | "individual";
      packageId: string;
      packageName: string;
      initials: string;
      /** Where each category goes now (standard addresses computed); null = not by mail. */
      addresses: CategoryAddresses;
      /** The categories the package takes by mail. */
      acceptedCategories: DocumentCategory[];
    }
  | { kind: "free_email"; marking: "blue"; packageName: string | null; addresses: CategoryAddresses }
  | { kind: "none"; marking: "red" }
  /** Stored settings that no longer parse; the evaluation says so. */
  | { kind: "unreadable"; marking: null };

export type DossierIntegrationView = {
  dossier: { id: string; portalId: string; name: string; companyNumber: string; vatNumber: string | null };
  current: CurrentIntegration | null;
  evaluation: IntegrationEvaluation;
  /** When the current choice was saved; null when there is none. */
  updatedAt: Date | null;
  /** Admins and accountants may change it (and send a test document); entrepreneurs only see it. */
  canConfigure: boolean;
};

function textOf(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/** The label keys of a connector's dossier fields by name (the same ones its form shows). */
function settingLabelKeysOf(connector: Connector | null, packageId: string): Record<string, string> {
  if (!connector) return {};
  return Object.fromEntries(
    connectorDossierFields(connector).flatMap((field) => {
      const key = dossierFieldLabelKey(field, packageId);
      return key ? [[field.name, key]] : [];
    }),
  );
}

/** The "Integraties" tab of a dossier: what is chosen, and whether it is set up correctly. */
export async function getDossierIntegration(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
): Promise<DossierIntegrationView> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierIntegration.view");
  const context = await loadDossierIntegration(db, scope);
  const connectorOf = await loadConnectorLookup([context]);
  const evaluation = evaluateIntegration(context, connectorOf);
  const stored = context.integration ? parseStoredIntegration(context.integration) : null;

  let current: CurrentIntegration | null = null;
  if (context.integration && !stored) current = { kind: "unreadable", marking: null };
  else if (stored?.kind === "connection") {
    const connection = context.connection;
    const entry = findPackage(connection?.packageId);
    current = connection
      ? {
          kind: "connection",
          marking: "green",
          packageId: connection.packageId,
          packageName: entry?.name ?? connection.packageId,
          initials: entry?.initials ?? connection.packageId.slice(0, 2).toUpperCase(),
          connectionLabel: connection.label,
          channel: connection.channel === "ftp" ? "ftp" : "api",
          connectionStatus: connection.status,
          settings: Object.fromEntries(Object.entries(stored.settings).map(([name, value]) => [name, textOf(value)])),
          settingLabelKeys: settingLabelKeysOf(
            connectorOf(connection.packageId, connection.channel),
            connection.packageId,
          ),
        }
      : { kind: "unreadable", marking: null };
  } else if (stored?.kind === "email") {
    const entry = findPackage(stored.packageId);
    const target = resolveEmailTarget(stored, context.dossier);
    current = {
      kind: "email",
      marking: stored.settings.addressMode === "individual" ? "orange" : "yellow",
      addressMode: stored.settings.addressMode,
      packageId: stored.packageId,
      packageName: entry?.name ?? stored.packageId,
      initials: entry?.initials ?? stored.packageId.slice(0, 2).toUpperCase(),
      addresses: target?.addresses ?? stored.settings.addresses,
      acceptedCategories: entry?.email ? acceptedCategories(entry.email) : [],
    };
  } else if (stored?.kind === "free_email") {
    current = {
      kind: "free_email",
      marking: "blue",
      packageName: stored.settings.packageName ?? null,
      addresses: stored.settings.addresses,
    };
  } else if (stored?.kind === "none") {
    current = { kind: "none", marking: "red" };
  }

  return {
    dossier: context.dossier,
    current,
    evaluation,
    updatedAt: context.integration?.updatedAt ?? null,
    canConfigure: can(actor, "dossierIntegration.configure", scope),
  };
}
