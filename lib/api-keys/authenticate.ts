import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { apiKeys } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES, type ApiScope } from "@/lib/auth/scopes";
import { API_KEY_PATTERN, hashApiKey } from "./key";

/** A key's last use is written at most this often: a busy key would otherwise write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeyActor = Extract<Actor, { kind: "token" }>;

/**
 * The actor of an `Authorization: Bearer kop_…` header, or null when there is no such key, or it
 * is revoked or expired (the caller answers 401 and never says which). Read fresh on every
 * request, so a revocation takes effect on the next call.
 */
export async function authenticateApiKey(
  db: DbOrTx,
  authorization: string | null,
  now: Date = new Date(),
): Promise<ApiKeyActor | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const key = match?.[1];
  if (!key || !API_KEY_PATTERN.test(key)) return null;
  const [row] = await db
    .select({
      id: apiKeys.id,
      portalId: apiKeys.portalId,
      role: apiKeys.role,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hashApiKey(key)));
  if (!row || row.revokedAt !== null) return null;
  if (row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime()) return null;

  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
  }
  return {
    kind: "token",
    tokenId: row.id,
    portalId: row.portalId,
    role: row.role,
    // Scopes unknown to this version (a downgrade) are dropped rather than trusted.
    scopes: row.scopes.filter((scope): scope is ApiScope => (API_SCOPES as readonly string[]).includes(scope)),
  };
}
