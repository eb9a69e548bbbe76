/**
 * The design map's permission table, encoded once. Pure data: lib/auth/authorize.ts applies it
 * and tests/unit/lib/auth/authorize.test.ts checks every cell.
 */
export const PORTAL_ROLES = ["admin", "accountant"] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

/**
 * Who may do something: the portal roles, and whether an entrepreneur may on their own dossier.
 * `actor` narrows who acts at all (by default people by their role, API tokens by theirs, and the
 * system actor always):
 * - "person": only a signed-in person (a consent screen needs a browser); API tokens and the
 *   system actor get 403 with `personOnlyKey`, once their role would allow it;
 * - "ownMembership": a setting of the signed-in person's own membership, which exists only for
 *   people holding one of `portalRoles`; for everyone else (another role, tokens, the system
 *   actor) there is nothing to see (404, never 403).
 */
type Rule = {
  portalRoles: readonly PortalRole[];
  entrepreneur: "yes" | "see" | "no";
  actor?: "person" | "ownMembership";
  /** The message key (under "errors") of the 403 that API tokens and the system get on a "person" action. */
  personOnlyKey?: string;
};

const EVERYONE: Rule = { portalRoles: ["admin", "accountant"], entrepreneur: "yes" };

export const PERMISSIONS = {
  // Portal-level: never visible to entrepreneurs.
  "portal.view": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "connection.view": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "connection.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  // Connecting a package by OAuth: the package's consent screen needs an admin in a browser.
  "connection.authorize": {
    portalRoles: ["admin"],
    entrepreneur: "no",
    actor: "person",
    personOnlyKey: "oauthNeedsPerson",
  },
  "token.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  "member.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  // The office's outgoing webhook endpoints: admins, and keys with the webhooks:manage scope.
  "webhook.manage": { portalRoles: ["admin"], entrepreneur: "no" },
  "dossier.create": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  // The portal's failure queue, "retry all in this group" and the delivery log for auditors.
  "failure.view": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "failure.retry": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  "deliveryLog.export": { portalRoles: ["admin", "accountant"], entrepreneur: "no" },
  // The daily failure digest: each admin reads and switches their own; its roles are also its recipients.
  "failureDigest.manage": { portalRoles: ["admin"], entrepreneur: "no", actor: "ownMembership" },
  // Dossier-level.
  "dossier.view": EVERYONE,
  "dossier.update": { portalRoles: ["admin", "accountant"], entrepreneur: "see" },
  // Who may use the dossier: its entrepreneurs, invited by the office's admins and accountants.
  "dossierMember.manage": { portalRoles: ["admin", "accountant"], entrepreneur: "see" },
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

/** The rule of an action, widened so the optional fields can be read on every action. */
export function ruleOf(action: Action): Rule {
  return PERMISSIONS[action];
}

/** Actions that need a dossier in the resource. */
export function isDossierAction(action: Action): boolean {
  return PERMISSIONS[action].entrepreneur !== "no";
}

/**
 * The portal roles that hold an action, for queries that pick members by role rather than check
 * one actor (the failure digest's recipients).
 */
export function portalRolesWith(action: Action): readonly PortalRole[] {
  return PERMISSIONS[action].portalRoles;
}
