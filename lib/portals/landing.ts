import type { Actor } from "@/lib/auth/actor";
import { can } from "@/lib/auth/authorize";

/**
 * Where a user lands after sign-in: accountants and admins on their (first) portal, entrepreneurs
 * on their (first) dossier; the permission table says which of their memberships opens.
 */
export function landingPath(actor: Extract<Actor, { kind: "user" }>): string {
  const portalId = Object.keys(actor.portalRoles).find((id) => can(actor, "portal.view", { portalId: id }));
  if (portalId) return `/portals/${portalId}`;
  const dossierId = Object.entries(actor.dossiers).find(([id, dossierPortalId]) =>
    can(actor, "dossier.view", { portalId: dossierPortalId, dossierId: id }),
  )?.[0];
  if (dossierId) return `/dossiers/${dossierId}`;
  return "/no-access";
}
