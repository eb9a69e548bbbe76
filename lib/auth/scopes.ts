import type { Action } from "./permissions";

/**
 * What an API key may touch, beside its role: an action is allowed to a key when the permission
 * table allows the key's role AND the key holds the scope the action needs (ACTION_SCOPES).
 */
export const API_SCOPES = [
  "documents:read",
  "documents:write",
  "dossiers:read",
  "dossiers:write",
  "webhooks:manage",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * The scope each action needs from an API key; null: no key may, whatever its role and scopes
 * (keys and members are managed by people; so are connections, which hold a package's
 * credentials, and the settings of a person's own membership).
 */
export const ACTION_SCOPES = {
  "portal.view": "dossiers:read",
  "connection.view": "dossiers:read",
  "connection.manage": null,
  "connection.authorize": null,
  "token.manage": null,
  "member.manage": null,
  "webhook.manage": "webhooks:manage",
  "dossier.create": "dossiers:write",
  "failure.view": "documents:read",
  "failure.retry": "documents:write",
  "deliveryLog.export": "documents:read",
  "failureDigest.manage": null,
  "dossier.view": "dossiers:read",
  "dossier.update": "dossiers:write",
  "dossierMember.manage": null,
  "dossierIntegration.view": "dossiers:read",
  "dossierIntegration.configure": null,
  "dossier.autoSend": "dossiers:write",
  "document.view": "documents:read",
  "document.upload": "documents:write",
  "document.type": "documents:write",
  "document.send": "documents:write",
  "document.retry": "documents:write",
  "document.archive": "documents:write",
  "document.delete": "documents:write",
} as const satisfies Record<Action, ApiScope | null>;

/** The scope an API key needs for an action, or null when no key may do it. */
export function scopeFor(action: Action): ApiScope | null {
  return ACTION_SCOPES[action];
}
