"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { requestSend } from "@/lib/dispatch/request-send";
import { requestSendInputSchema, sendAllInTabInputSchema } from "@/lib/dispatch/schemas";
import { type SendAllInTabResult, sendAllInTab } from "@/lib/dispatch/send-all";
import { removeDocument } from "@/lib/documents/delete";
import { archiveDocument, unarchiveDocument } from "@/lib/documents/life";
import type { DocumentType } from "@/lib/documents/list";
import { setDocumentTypeSchema } from "@/lib/documents/schemas";
import { setDocumentType } from "@/lib/documents/set-type";
import { setAutoSend, setAutoSendSchema } from "@/lib/dossiers/auto-send";
import { updateDossierSchema } from "@/lib/dossiers/schemas";
import { updateDossier } from "@/lib/dossiers/update";

/** Per document: accepted (now sending) or refused with a reason code of lib/documents/refusals.ts. */
export type SendDocumentsResult = ActionResult<{
  accepted: string[];
  refused: { documentId: string; reason: string }[];
}>;

/** "Send all N in this tab": counts, never ids (the server found the documents itself). */
export type SendAllInTabActionResult = ActionResult<SendAllInTabResult>;

export type DocumentChangeResult = ActionResult<{ documentId: string }>;

export type AutoSendResult = ActionResult<{ isAutoSendEnabled: boolean }>;

/** What the dossier's edit form sends, as typed (React resets a form after a submit). */
export type DossierDetailsValues = { name: string; companyNumber: string; vatNumber: string; locale: string };

/** The edit form's state: the result, plus on failure what the person typed. */
export type UpdateDossierDetailsState =
  | (ActionResult<{ dossierId: string }> & { values?: DossierDetailsValues })
  | null;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

// The dossier id only says which page to refresh; every service finds the document's own dossier.
const pageSchema = z.object({ dossierId: z.string().max(100) });
const documentRefSchema = pageSchema.extend({ documentId: z.string().max(100) });

function revalidateDossier(dossierId: string) {
  revalidatePath(`/dossiers/${dossierId}`, "layout");
  // The portal overview counts documents per status.
  revalidatePath("/portals/[portalId]", "page");
}

/** Send one document ("manual"), the selection ("bulk"), or a failed one again ("retry"). */
export async function sendDocumentsAction(input: {
  dossierId: string;
  documentIds: string[];
  trigger: "manual" | "bulk" | "retry";
}): Promise<SendDocumentsResult> {
  return runAction("sendDocuments", async (actor) => {
    const parsed = parseInput(requestSendInputSchema, input);
    // Auto-send is the system's; a person's request is one of these three.
    const trigger = parsed.trigger === "auto" ? "manual" : parsed.trigger;
    const result = await requestSend(await getDb(), actor, { ...parsed, trigger });
    revalidateDossier(parsed.dossierId);
    return {
      accepted: result.accepted.map((entry) => entry.documentId),
      refused: result.refused.map((entry) => ({ documentId: entry.documentId, reason: entry.reason })),
    };
  });
}

/**
 * Sends every document of a tab of the dossier (Inbox, Failed, Rejected): the page says which tab,
 * never which documents; lib/dispatch/send-all.ts finds them in the actor's scope, in batches.
 */
export async function sendAllInTabAction(input: {
  dossierId: string;
  tab: "inbox" | "failed" | "rejected";
  after?: string;
}): Promise<SendAllInTabActionResult> {
  return runAction("sendAllInTab", async (actor) => {
    const parsed = parseInput(sendAllInTabInputSchema, input);
    const result = await sendAllInTab(await getDb(), actor, parsed);
    revalidateDossier(parsed.dossierId);
    return result;
  });
}

export async function setDocumentTypeAction(input: {
  dossierId: string;
  documentId: string;
  documentType: DocumentType;
}): Promise<DocumentChangeResult> {
  return runAction("setDocumentType", async (actor) => {
    const { dossierId } = parseInput(pageSchema, input);
    const { documentId, documentType } = parseInput(setDocumentTypeSchema, input);
    await setDocumentType(await getDb(), actor, documentId, documentType);
    revalidateDossier(dossierId);
    return { documentId };
  });
}

export async function deleteDocumentAction(input: {
  dossierId: string;
  documentId: string;
}): Promise<DocumentChangeResult> {
  return runAction("deleteDocument", async (actor) => {
    const { dossierId, documentId } = parseInput(documentRefSchema, input);
    await removeDocument(await getDb(), actor, documentId);
    revalidateDossier(dossierId);
    return { documentId };
  });
}

export async function archiveDocumentAction(input: {
  dossierId: string;
  documentId: string;
}): Promise<DocumentChangeResult> {
  return runAction("archiveDocument", async (actor) => {
    const { dossierId, documentId } = parseInput(documentRefSchema, input);
    await archiveDocument(await getDb(), actor, documentId);
    revalidateDossier(dossierId);
    return { documentId };
  });
}

export async function unarchiveDocumentAction(input: {
  dossierId: string;
  documentId: string;
}): Promise<DocumentChangeResult> {
  return runAction("unarchiveDocument", async (actor) => {
    const { dossierId, documentId } = parseInput(documentRefSchema, input);
    await unarchiveDocument(await getDb(), actor, documentId);
    revalidateDossier(dossierId);
    return { documentId };
  });
}

export async function setAutoSendAction(input: { dossierId: string; enabled: boolean }): Promise<AutoSendResult> {
  return runAction("setAutoSend", async (actor) => {
    const { dossierId, enabled } = parseInput(setAutoSendSchema, input);
    const result = await setAutoSend(await getDb(), actor, dossierId, enabled);
    revalidateDossier(dossierId);
    return { isAutoSendEnabled: result.isAutoSendEnabled };
  });
}

/**
 * Saves the dossier's name, numbers and language (its edit form; admins and accountants). An empty
 * VAT number puts back the Belgian default, "BE" + the company number.
 */
export async function updateDossierDetailsAction(
  _previous: UpdateDossierDetailsState,
  formData: FormData,
): Promise<UpdateDossierDetailsState> {
  const values: DossierDetailsValues = {
    name: text(formData.get("name")),
    companyNumber: text(formData.get("companyNumber")),
    vatNumber: text(formData.get("vatNumber")),
    locale: text(formData.get("locale")),
  };
  const result = await runAction("updateDossierDetails", async (actor) => {
    const { dossierId } = parseInput(pageSchema, { dossierId: text(formData.get("dossierId")) });
    const change = parseInput(updateDossierSchema, values);
    const dossier = await updateDossier(await getDb(), actor, dossierId, change);
    revalidateDossier(dossier.id);
    return { dossierId: dossier.id };
  });
  return result.ok ? result : { ...result, values };
}
