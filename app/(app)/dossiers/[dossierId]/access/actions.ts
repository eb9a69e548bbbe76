"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { clientAddressOf } from "@/lib/http/client-address";
import { inviteDossierClients, type SentInvitation, type SkippedInvitee } from "@/lib/invitations/create";
import { inviteDossierClientsSchema } from "@/lib/invitations/schemas";
import { dossierClientRefSchema, dossierInvitationRefSchema } from "@/lib/members/dossier-client-schemas";
import {
  removeDossierClient,
  resendDossierClientInvitation,
  revokeDossierClientInvitation,
} from "@/lib/members/dossier-clients";

// Parse → service → revalidate. Who may manage a dossier's entrepreneurs is decided in
// lib/members/dossier-clients.ts and lib/invitations/create.ts (dossierMember.manage), never here:
// every export below is a public endpoint.

/** What the form posted, handed back on failure so it can refill itself (React resets forms). */
export type InviteClientsValues = { emails: string; locale: string };

export type InviteClientsState =
  | (ActionResult<{ sent: SentInvitation[]; skipped: SkippedInvitee[] }> & { values?: InviteClientsValues })
  | null;

export type ResendInvitationResult = ActionResult<{ invitationId: string; email: string; isMailed: boolean }>;
export type RevokeInvitationResult = ActionResult<{ invitationId: string }>;
export type RemoveClientResult = ActionResult<{ userId: string }>;

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

function revalidateAccess(dossierId: string) {
  revalidatePath(`/dossiers/${dossierId}/access`);
  // The office overview's checklist ticks "invite a client" off from real state.
  revalidatePath("/portals/[portalId]", "page");
}

/** Invites one or more entrepreneurs; the answer names who was sent a mail and who was skipped. */
export async function inviteDossierClientsAction(
  _previous: InviteClientsState,
  formData: FormData,
): Promise<InviteClientsState> {
  const values: InviteClientsValues = { emails: text(formData.get("emails")), locale: text(formData.get("locale")) };
  const result = await runAction("inviteDossierClients", async (actor) => {
    const input = parseInput(inviteDossierClientsSchema, {
      dossierId: text(formData.get("dossierId")),
      emails: values.emails,
      locale: values.locale === "" ? undefined : values.locale,
    });
    const outcome = await inviteDossierClients(await getDb(), actor, input, {
      clientAddress: clientAddressOf(await headers()),
    });
    revalidateAccess(input.dossierId);
    return outcome;
  });
  return result.ok ? result : { ...result, values };
}

/** Sends an open invitation of the dossier again, with a new link and a new week. */
export async function resendDossierInvitationAction(input: {
  dossierId: string;
  invitationId: string;
}): Promise<ResendInvitationResult> {
  return runAction("resendDossierInvitation", async (actor) => {
    const ref = parseInput(dossierInvitationRefSchema, input);
    const sent = await resendDossierClientInvitation(await getDb(), actor, ref.dossierId, ref.invitationId, {
      clientAddress: clientAddressOf(await headers()),
    });
    revalidateAccess(ref.dossierId);
    return sent;
  });
}

export async function revokeDossierInvitationAction(input: {
  dossierId: string;
  invitationId: string;
}): Promise<RevokeInvitationResult> {
  return runAction("revokeDossierInvitation", async (actor) => {
    const ref = parseInput(dossierInvitationRefSchema, input);
    await revokeDossierClientInvitation(await getDb(), actor, ref.dossierId, ref.invitationId);
    revalidateAccess(ref.dossierId);
    return { invitationId: ref.invitationId };
  });
}

/** Takes an entrepreneur's access to the dossier away; it holds from their next request. */
export async function removeDossierClientAction(input: {
  dossierId: string;
  userId: string;
}): Promise<RemoveClientResult> {
  return runAction("removeDossierClient", async (actor) => {
    const ref = parseInput(dossierClientRefSchema, input);
    const removed = await removeDossierClient(await getDb(), actor, ref.dossierId, ref.userId);
    revalidateAccess(ref.dossierId);
    return { userId: removed.userId };
  });
}
