import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { connections, dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { createConnectorContext } from "@/lib/connections/runtime";
import { runConnectorCall } from "@/lib/connectors/call";
import { ConnectorError, type ConnectorErrorCode, toConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import type { ConnectorContext, DeliveryDossier, DossierChoices } from "@/lib/connectors/types";
import { resolveDossierScope } from "@/lib/dossiers/get";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { findPackage, isPackageId } from "@/lib/packages/catalog";

/** The person is waiting on the dossier's tab: long enough for a login and a list or two. */
export const DOSSIER_CHOICES_TIMEOUT_MS = 15_000;

export type DossierChoicesResult =
  | {
      ok: true;
      /** Per dossier-settings field, what the package offers (empty when the connector lists nothing). */
      choices: DossierChoices;
      /** Per field, the value of the one choice whose VAT number is the dossier's. */
      suggested: Record<string, string>;
    }
  | { ok: false; errorCode: ConnectorErrorCode; messageKey: `connectors.errors.${ConnectorErrorCode}` };

// The connector's answer is checked like any vendor data before the page gets it.
const dossierChoicesSchema = z.record(
  z.string(),
  z.array(
    z.object({
      value: z.string().min(1),
      label: z.string(),
      detail: z.string().nullish(),
      vatNumber: z.string().nullish(),
    }),
  ),
);

const guidSchema = z.guid();

/** What the dossier's tab asks for; the service checks both ids against the actor and the portal. */
export const dossierChoicesInputSchema = z.object({
  dossierId: z.string().max(100),
  connectionId: z.string().max(100),
});

/**
 * A VAT number in one spelling: no spaces, dots, dashes or slashes, upper case, so
 * "BE0123.456.749", "be 0123 456 749" and "BE0123456749" are equal. Ten bare digits are a Belgian
 * enterprise number (dossiers are Belgian; some packages drop the prefix). Null when empty.
 */
export function normaliseVatNumber(raw: string | null | undefined): string | null {
  const compact = (raw ?? "").replace(/[\s.\-/]/g, "").toUpperCase();
  if (compact === "") return null;
  return /^\d{10}$/.test(compact) ? `BE${compact}` : compact;
}

/**
 * Per field whose choices carry VAT numbers, the one choice with the dossier's VAT number (a
 * dossier without one has "BE" + its enterprise number, as a Belgian VAT number is). No suggestion
 * when none matches, or when several do: then the person has to tell them apart.
 */
export function suggestChoices(
  choices: DossierChoices,
  dossier: { vatNumber: string | null; companyNumber: string },
): Record<string, string> {
  const dossierVat = normaliseVatNumber(dossier.vatNumber) ?? normaliseVatNumber(dossier.companyNumber);
  if (!dossierVat) return {};
  const suggested: Record<string, string> = {};
  for (const [field, list] of Object.entries(choices)) {
    const matches = list.filter((choice) => normaliseVatNumber(choice.vatNumber) === dossierVat);
    if (matches.length === 1 && matches[0]) suggested[field] = matches[0].value;
  }
  return suggested;
}

function failure(error: ConnectorError): DossierChoicesResult {
  return { ok: false, errorCode: error.code, messageKey: error.messageKey };
}

/**
 * What a dossier can pick from for a portal connection's dossier settings (Exact divisions, Yuki
 * administrations and archive folders), read from the package, with a suggestion by VAT number.
 * Allowed to whoever may configure the dossier's integration (admins and accountants; an
 * entrepreneur gets ForbiddenError); another portal's dossier or connection, or an e-mail
 * "connection", is NotFoundError. The package's own failures are a result with the error's
 * `connectors.errors.*` key, so the form can say why and fall back to typing the value.
 */
export async function loadDossierChoices(
  db: DbOrTx,
  actor: Actor,
  dossierId: string,
  connectionId: string,
  options: { timeoutMs?: number } = {},
): Promise<DossierChoicesResult> {
  const scope = await resolveDossierScope(db, actor, dossierId, "dossierIntegration.configure");
  // Unknown, malformed or another portal's id: all "not found", so no id of another office leaks.
  if (!guidSchema.safeParse(connectionId).success) throw new NotFoundError();
  const [connection] = await db
    .select({
      id: connections.id,
      packageId: connections.packageId,
      channel: connections.channel,
      status: connections.status,
      settings: connections.settings,
      secretsEncrypted: connections.secretsEncrypted,
    })
    .from(connections)
    .where(and(eq(connections.id, connectionId), eq(connections.portalId, scope.portalId)))
    .limit(1);
  if (!connection || connection.channel === "email") throw new NotFoundError();
  if (connection.status === "disabled") {
    throw new ValidationError({ connectionId: ["integrations.errors.connectionDisabled"] });
  }
  const [dossier] = await db
    .select({
      id: dossiers.id,
      name: dossiers.name,
      companyNumber: dossiers.companyNumber,
      vatNumber: dossiers.vatNumber,
      locale: dossiers.locale,
    })
    .from(dossiers)
    .where(and(eq(dossiers.id, scope.dossierId), eq(dossiers.portalId, scope.portalId)))
    .limit(1);
  if (!dossier) throw new NotFoundError();

  const packageEntry = findPackage(connection.packageId);
  const connector =
    packageEntry && isPackageId(connection.packageId)
      ? await loadConnector(connection.packageId, connection.channel)
      : null;
  if (!connector || !packageEntry) return failure(new ConnectorError("permanent", "connector_unavailable"));
  const listDossierChoices = connector.listDossierChoices?.bind(connector);
  if (!listDossierChoices) return { ok: true, choices: {}, suggested: {} };

  let choices: DossierChoices;
  try {
    const deliveryDossier: DeliveryDossier = dossier;
    // The runtime parses dossier settings whenever it is given a dossier, and a dossier that is
    // choosing its settings has none yet. So the context is built without one and gets it after:
    // what the contract promises listDossierChoices (dossier set, dossierSettings null), while
    // deliveries keep the runtime's check untouched.
    const ctx: ConnectorContext<unknown, unknown, unknown> = {
      ...createConnectorContext({
        db,
        connector,
        packageEntry,
        connection: {
          id: connection.id,
          portalId: scope.portalId,
          settings: connection.settings,
          secretsEncrypted: connection.secretsEncrypted,
        },
        dossier: null,
        dossierSettings: null,
        // Not a delivery; a stable key per dossier and connection for the connector's logs.
        idempotencyKey: `choices:${connection.id}:${dossier.id}`,
        timeoutMs: options.timeoutMs ?? DOSSIER_CHOICES_TIMEOUT_MS,
      }),
      dossier: deliveryDossier,
    };
    const listed = await runConnectorCall(ctx, () => listDossierChoices(ctx));
    const parsed = dossierChoicesSchema.safeParse(listed);
    if (!parsed.success) throw new ConnectorError("retryable", "unknown", { vendorDetail: "choices malformed" });
    choices = parsed.data;
  } catch (caught) {
    const error = toConnectorError(caught);
    // A read: even refused credentials leave the connection's status alone here. Deliveries, the
    // health check and "Test connection" decide about needs_reauth; a list that could not load
    // only says why, and the form falls back to typing the value.
    console.warn(
      `[loadDossierChoices] connection ${connection.id}: ${error.kind} ${error.code}`,
      error.vendorDetail ? { vendorDetail: error.vendorDetail } : {},
    );
    return failure(error);
  }
  return { ok: true, choices, suggested: suggestChoices(choices, dossier) };
}
