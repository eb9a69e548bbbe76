import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Actor } from "./actor";
import { type Action, PERMISSIONS, type PortalRole } from "./permissions";

/** What an action is about. Always carries the tenant; dossier-level actions carry the dossier. */
export type Resource = { portalId: string; dossierId?: string };

type Decision = "allow" | "forbidden" | "not_found";

function portalRoleOf(actor: Actor, portalId: string): PortalRole | undefined {
  if (actor.kind === "user") return actor.portalRoles[portalId];
  if (actor.kind === "token") return actor.portalId === portalId ? actor.role : undefined;
  return undefined;
}

/** Decides without throwing; `authorize` throws, `can` answers a boolean for the UI. */
export function decide(actor: Actor, action: Action, resource: Resource): Decision {
  if (actor.kind === "system") return "allow";
  const rule = PERMISSIONS[action];
  const role = portalRoleOf(actor, resource.portalId);
  if (role) return (rule.portalRoles as readonly PortalRole[]).includes(role) ? "allow" : "forbidden";

  // Not a portal member: only an entrepreneur of this very dossier gets anything.
  const isOwnDossier =
    actor.kind === "user" &&
    resource.dossierId !== undefined &&
    actor.dossiers[resource.dossierId] === resource.portalId;
  if (!isOwnDossier || rule.entrepreneur === "no") return "not_found";
  return rule.entrepreneur === "yes" ? "allow" : "forbidden";
}

/**
 * The one permission check. Throws NotFoundError when the actor may not even know the resource
 * exists (another portal, another dossier) so callers answer 404, and ForbiddenError when the
 * actor sees it but lacks the role.
 */
export function authorize(actor: Actor, action: Action, resource: Resource): void {
  const decision = decide(actor, action, resource);
  if (decision === "not_found") throw new NotFoundError();
  // One generic "errors.forbidden" message: i18n keys cannot contain the dots of action names.
  if (decision === "forbidden") throw new ForbiddenError();
}

export function can(actor: Actor, action: Action, resource: Resource): boolean {
  return decide(actor, action, resource) === "allow";
}
