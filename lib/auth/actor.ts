import type { PortalRole } from "./permissions";

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
  | { kind: "token"; tokenId: string; portalId: string; role: PortalRole }
  | { kind: "system"; reason: string };

export function systemActor(reason: string): Actor {
  return { kind: "system", reason };
}

/** The id recorded as "who" on history rows, null for tokens and the system. */
export function actorUserId(actor: Actor): string | null {
  return actor.kind === "user" ? actor.userId : null;
}
