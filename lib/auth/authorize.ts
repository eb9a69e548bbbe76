import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Actor } from "./actor";
import { type Action, type PortalRole, ruleOf } from "./permissions";
import { scopeFor } from "./scopes";

/** What an action is about. Always carries the tenant; dossier-level actions carry the dossier. */
export type Resource = { portalId: string; dossierId?: string };

type Decision = "allow" | "forbidden" | "not_found";

/** A decision with the message key of its 403, when the rule names one. */
type Verdict = { decision: Decision; forbiddenKey?: string; forbiddenValues?: Record<string, string> };

function portalRoleOf(actor: Actor, portalId: string): PortalRole | undefined {
  if (actor.kind === "user") return actor.portalRoles[portalId];
  if (actor.kind === "token") return actor.portalId === portalId ? actor.role : undefined;
  return undefined;
}

function judge(actor: Actor, action: Action, resource: Resource): Verdict {
  const rule = ruleOf(action);
  if (actor.kind === "system") {
    if (rule.actor === "ownMembership") return { decision: "not_found" };
    if (rule.actor === "person") return { decision: "forbidden", forbiddenKey: rule.personOnlyKey };
    return { decision: "allow" };
  }
  const role = portalRoleOf(actor, resource.portalId);
  if (role) {
    const hasRole = rule.portalRoles.includes(role);
    if (rule.actor === "ownMembership") return { decision: hasRole && actor.kind === "user" ? "allow" : "not_found" };
    if (!hasRole) return { decision: "forbidden" };
    if (rule.actor === "person" && actor.kind !== "user") {
      return { decision: "forbidden", forbiddenKey: rule.personOnlyKey };
    }
    if (actor.kind === "token") {
      const scope = scopeFor(action);
      if (scope === null) return { decision: "forbidden", forbiddenKey: "apiKeyNotAllowed" };
      // The 403 names the scope, so whoever holds the key knows which one to ask their admin for.
      if (!actor.scopes.includes(scope)) {
        return { decision: "forbidden", forbiddenKey: "apiKeyMissingScope", forbiddenValues: { scope } };
      }
    }
    return { decision: "allow" };
  }

  // Not a portal member: only an entrepreneur of this very dossier gets anything.
  const isOwnDossier =
    actor.kind === "user" &&
    resource.dossierId !== undefined &&
    actor.dossiers[resource.dossierId] === resource.portalId;
  if (!isOwnDossier || rule.entrepreneur === "no") return { decision: "not_found" };
  return { decision: rule.entrepreneur === "yes" ? "allow" : "forbidden" };
}

/** Decides without throwing; `authorize` throws, `can` answers a boolean for the UI. */
export function decide(actor: Actor, action: Action, resource: Resource): Decision {
  return judge(actor, action, resource).decision;
}

/**
 * The one permission check. Throws NotFoundError when the actor may not even know the resource
 * exists (another portal, another dossier) so callers answer 404, and ForbiddenError when the
 * actor sees it but lacks the role.
 */
export function authorize(actor: Actor, action: Action, resource: Resource): void {
  const { decision, forbiddenKey, forbiddenValues } = judge(actor, action, resource);
  if (decision === "not_found") throw new NotFoundError();
  // One generic "errors.forbidden" message (i18n keys cannot contain the dots of action names),
  // unless the rule says why in its own words.
  if (decision === "forbidden") throw new ForbiddenError(forbiddenKey, forbiddenValues);
}

export function can(actor: Actor, action: Action, resource: Resource): boolean {
  return decide(actor, action, resource) === "allow";
}
