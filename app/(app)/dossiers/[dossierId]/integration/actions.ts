"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import type { ConnectorErrorCode } from "@/lib/connectors/errors";
import type { IntegrationSavedOutcome } from "@/lib/dispatch/waiting";
import { type DossierChoicesResult, dossierChoicesInputSchema, loadDossierChoices } from "@/lib/integrations/choices";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { integrationChoiceSchema } from "@/lib/integrations/schemas";
import type { IntegrationEvaluation } from "@/lib/integrations/status";
import { sendTestDocument } from "@/lib/integrations/test-send";
import type { AddressWarning } from "@/lib/packages/email-addresses";

/** The form's state: the result, plus on failure what was typed (React resets the form). */
export type SaveIntegrationState =
  | (ActionResult<{
      optionKey: string;
      state: IntegrationEvaluation["state"];
      warnings: AddressWarning[];
      /** What became of the waiting documents: sent at once by auto-send, and still waiting. */
      documents: IntegrationSavedOutcome;
    }> & {
      values?: Record<string, string>;
    })
  | null;

export type TestSendState = ActionResult<
  | { sent: true; to: string | null; connection: string | null; packageReference: string | null }
  | { sent: false; errorCode: ConnectorErrorCode; messageKey: string }
> | null;

/** The package's lists for a connection's dossier fields; `result` says why not when they failed. */
export type DossierChoicesAnswer = ActionResult<{ result: DossierChoicesResult }>;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

/** Every text field of the form, as typed. */
function valuesOf(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value === "string" && !name.startsWith("$")) values[name] = value;
  }
  return values;
}

/**
 * Form fields → the choice: `kind`, `packageId`, `connectionId`, `packageName`, and the nested
 * groups `inputs.<name>`, `addresses.<category>` and `settings.<name>`.
 */
function choiceOf(values: Record<string, string>): Record<string, unknown> {
  const choice: Record<string, unknown> = {};
  const groups: Record<string, Record<string, string>> = {};
  for (const [name, value] of Object.entries(values)) {
    const [group, field] = name.split(".", 2);
    if (field && (group === "inputs" || group === "addresses" || group === "settings")) {
      groups[group] = { ...groups[group], [field]: value };
    } else if (["kind", "packageId", "connectionId", "packageName"].includes(name)) {
      choice[name] = value;
    }
  }
  return { ...choice, ...groups };
}

function revalidateDossier(dossierId: string) {
  revalidatePath(`/dossiers/${dossierId}`, "layout");
  // The portal overview shows every dossier's integration and health.
  revalidatePath("/portals/[portalId]", "page");
}

export async function saveIntegrationAction(
  _previous: SaveIntegrationState,
  formData: FormData,
): Promise<SaveIntegrationState> {
  const values = valuesOf(formData);
  const result = await runAction("saveDossierIntegration", async (actor) => {
    const dossierId = text(formData.get("dossierId"));
    const choice = parseInput(integrationChoiceSchema, choiceOf(values));
    const saved = await saveDossierIntegration(await getDb(), actor, dossierId, choice);
    revalidateDossier(dossierId);
    return {
      optionKey: saved.optionKey,
      state: saved.evaluation.state,
      warnings: saved.warnings,
      documents: saved.documents,
    };
  });
  return result.ok ? result : { ...result, values };
}

export async function sendTestDocumentAction(_previous: TestSendState, formData: FormData): Promise<TestSendState> {
  return runAction("sendTestDocument", async (actor) => {
    const dossierId = text(formData.get("dossierId"));
    const outcome = await sendTestDocument(await getDb(), actor, dossierId);
    // A refused credential marks the connection; the pages show its status.
    revalidateDossier(dossierId);
    if (outcome.ok) {
      const { to, connection } = outcome.target;
      return {
        sent: true as const,
        to: typeof to === "string" ? to : null,
        connection: typeof connection === "string" ? connection : null,
        packageReference: outcome.packageReference,
      };
    }
    return { sent: false as const, errorCode: outcome.errorCode, messageKey: outcome.messageKey };
  });
}

/**
 * Reads the divisions, administrations or folders a dossier can pick for a connection. Called by
 * the form when it opens (and on "reload list"), never with the page: it asks the package.
 */
export async function loadDossierChoicesAction(dossierId: string, connectionId: string): Promise<DossierChoicesAnswer> {
  return runAction("loadDossierChoices", async (actor) => {
    const input = parseInput(dossierChoicesInputSchema, { dossierId, connectionId });
    return { result: await loadDossierChoices(await getDb(), actor, input.dossierId, input.connectionId) };
  });
}
