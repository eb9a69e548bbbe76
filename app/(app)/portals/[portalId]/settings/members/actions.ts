"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { parseInput } from "@/lib/actions/parse";
import type { ActionResult } from "@/lib/actions/result";
import { runAction } from "@/lib/actions/run-action";
import { clientAddressOf } from "@/lib/http/client-address";
import { invitePortalMember, resendInvitation, revokeInvitation } from "@/lib/invitations/create";
import { invitePortalMemberSchema } from "@/lib/invitations/schemas";
import { changeMemberRole } from "@/lib/members/change-role";
import { removeMember } from "@/lib/members/remove";
import { changeMemberRoleSchema, memberInvitationRefSchema, memberRefSchema } from "@/lib/members/schemas";

// The members page's actions: parse → one service with the signed-in actor → revalidate. Who may
// (the office's admins) and the last-admin rule are decided in lib/invitations and lib/members,
// never here: every export below is a public endpoint.

function membersPage(portalId: string): string {
  return `/portals/${portalId}/settings/members`;
}

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value : "");

/** What the invitation form posted, handed back on failure so it can refill itself. */
export type InviteMemberValues = { email: string; role: string; locale: string };

/** `isMailed` false: the invitation exists but its mail could not be sent (the page offers "send again"). */
export type InviteMemberState =
  | (ActionResult<{ invitationId: string; email: string; isMailed: boolean }> & { values?: InviteMemberValues })
  | null;

export async function inviteMemberAction(_previous: InviteMemberState, formData: FormData): Promise<InviteMemberState> {
  const values: InviteMemberValues = {
    email: text(formData.get("email")),
    role: text(formData.get("role")),
    locale: text(formData.get("locale")),
  };
  const result = await runAction("inviteMember", async (actor) => {
    const input = parseInput(invitePortalMemberSchema, { portalId: text(formData.get("portalId")), ...values });
    const sent = await invitePortalMember(await getDb(), actor, input, {
      clientAddress: clientAddressOf(await headers()),
    });
    revalidatePath(membersPage(input.portalId));
    return { invitationId: sent.invitationId, email: sent.email, isMailed: sent.isMailed };
  });
  return result.ok ? result : { ...result, values };
}

/** A new link and a new week for an open (or expired) invitation; the old link stops working. */
export async function resendMemberInvitationAction(input: {
  portalId: string;
  invitationId: string;
}): Promise<ActionResult<{ email: string; isMailed: boolean }>> {
  return runAction("resendMemberInvitation", async (actor) => {
    const ref = parseInput(memberInvitationRefSchema, input);
    const sent = await resendInvitation(await getDb(), actor, ref.invitationId, {
      clientAddress: clientAddressOf(await headers()),
    });
    revalidatePath(membersPage(ref.portalId));
    return { email: sent.email, isMailed: sent.isMailed };
  });
}

export async function revokeMemberInvitationAction(input: {
  portalId: string;
  invitationId: string;
}): Promise<ActionResult> {
  return runAction("revokeMemberInvitation", async (actor) => {
    const ref = parseInput(memberInvitationRefSchema, input);
    await revokeInvitation(await getDb(), actor, ref.invitationId);
    revalidatePath(membersPage(ref.portalId));
    return {};
  });
}

/**
 * Only admins change roles, so an admin who changes their own role has lowered it: they can no
 * longer open this page, and go to the office's overview instead of a "not found".
 */
export async function changeMemberRoleAction(input: {
  portalId: string;
  userId: string;
  role: string;
}): Promise<ActionResult<{ role: string; isChanged: boolean }>> {
  const result = await runAction("changeMemberRole", async (actor) => {
    const parsed = parseInput(changeMemberRoleSchema, input);
    const change = await changeMemberRole(await getDb(), actor, parsed);
    revalidatePath(membersPage(parsed.portalId));
    return {
      portalId: parsed.portalId,
      role: change.role,
      isChanged: change.isChanged,
      leavesPage: change.isYou && change.isChanged,
    };
  });
  if (result.ok && result.leavesPage) redirect(`/portals/${result.portalId}`);
  return result.ok ? { ok: true, role: result.role, isChanged: result.isChanged } : result;
}

/** Someone who removes themselves has no access to the office any more: they go home. */
export async function removeMemberAction(input: { portalId: string; userId: string }): Promise<ActionResult> {
  const result = await runAction("removeMember", async (actor) => {
    const ref = parseInput(memberRefSchema, input);
    const removed = await removeMember(await getDb(), actor, ref);
    revalidatePath(membersPage(ref.portalId));
    return { isYou: removed.isYou };
  });
  if (result.ok && result.isYou) redirect("/");
  return result.ok ? { ok: true } : result;
}
