import type { Actor } from "@/lib/auth/actor";

/** Where a user lands after sign-in: accountants and admins on their portal, entrepreneurs on their dossier. */
export function landingPath(actor: Extract<Actor, { kind: "user" }>): string {
  const portalId = Object.keys(actor.portalRoles)[0];
  if (portalId) return `/portals/${portalId}`;
  const dossierId = Object.keys(actor.dossiers)[0];
  if (dossierId) return `/dossiers/${dossierId}`;
  return "/no-access";
}
