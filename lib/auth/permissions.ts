/**
 * The design map's permission table, encoded once. Pure data: lib/auth/authorize.ts applies it
 * and tests/unit/lib/auth/authorize.test.ts checks every cell.
 */
export const PORTAL_ROLES = ["admin", "accountant"] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

/** Who may do something: the portal roles, and whether an entrepreneur may on their own dossier. */
type Rule = { portalRoles: readonly PortalRole[]; entrepreneur: "yes" | "see" | "no" };

const EVERYONE: Rule = { portalRoles: ["admin", "accountant"], entrepreneur: "yes" };

export const PERMISSIONS = {
  // Portal-level: never visible to entrepreneurs.
  "portal.view": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "connection.view": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "connection.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  "token.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  "member.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  "dossier.create": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  // The portal's failure queue, "retry all in this group" and the delivery log for auditors.
  "failure.view": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "failure.retry": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "deliveryLog.export": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  // Dossier-level.
  "dossier.view": EVERYONE,
  "dossier.update": { portalRoles: ["admin", "accountant"], entrepreneur: "see" },
  "dossierIntegration.view": EVERYONE,
  "dossierIntegration.configure": { portalRoles: ["admin", "accountant"], entrepreneur: "see" },
  "dossier.autoSend": EVERYONE,
  "document.view": EVERYONE,
  "document.upload": EVERYONE,
  "document.type": EVERYONE,
  "document.send": EVERYONE,
  "document.retry": EVERYONE,
  "document.archive": EVERYONE,
  "document.delete": EVERYONE,
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** Actions that need a dossier in the resource. */
export function isDossierAction(action: Action): boolean {
  return PERMISSIONS[action].entrepreneur !== "no";
}
