import type { PortalRole } from "./permissions";
import type { ApiScope } from "./scopes";

/**
 * Who is acting. Built fresh from the database for every request (never from JWT claims),
 * so a removed membership takes effect at once.
 */
export type Actor =
  | {
      kind: "user";
      userId: string;
      /** portalId → role, for portal members. */
      portalRoles: Readonly<Record<string, PortalRole>>;
      /** dossierId → portalId, for entrepreneurs. */
      dossiers: Readonly<Record<string, string>>;
    }
  | {
      /** An office's API key (lib/api-keys): its role, and the scopes that narrow it. */
      kind: "token";
      tokenId: string;
      portalId: string;
      role: PortalRole;
      scopes: readonly ApiScope[];
    }
  | { kind: "system"; reason: string };

export function systemActor(reason: string): Actor {
  return { kind: "system", reason };
}

/** The id recorded as "who" on history rows, null for tokens and the system. */
export function actorUserId(actor: Actor): string | null {
  return actor.kind === "user" ? actor.userId : null;
}
