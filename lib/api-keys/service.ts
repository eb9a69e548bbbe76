import "server-only";
import { aliasedTable, and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { apiKeys, users } from "@/db/schema";
import { parseInput } from "@/lib/actions/parse";
import { type Actor, actorUserId } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { PortalRole } from "@/lib/auth/permissions";
import { API_SCOPES, type ApiScope } from "@/lib/auth/scopes";
import { NotFoundError } from "@/lib/errors";
import { displayPrefixOf, generateApiKey, hashApiKey } from "./key";
import { createApiKeySchema } from "./schemas";

/**
 * An office's API keys, managed by its admins (token.manage): no key may manage keys, whatever
 * its role and scopes, and another office's keys are "not found". Every function authorizes
 * before it parses or reads anything.
 *
 * The plain key exists only in createApiKey's answer: the table keeps its SHA-256 and its first
 * characters, and nothing here logs it.
 */

export type ApiKeyStatus = "active" | "expired" | "revoked";

/** A person named on a key (who made or revoked it); null once that account is gone. */
export type ApiKeyPerson = { name: string | null; email: string } | null;

/** What the settings page and any API may see of a key: never the key, never its hash. */
export type ApiKeySummary = {
  id: string;
  name: string;
  /** "kop_" and 8 more characters, to tell keys apart. */
  prefix: string;
  role: PortalRole;
  scopes: ApiScope[];
  createdAt: Date;
  createdBy: ApiKeyPerson;
  /** Null: never used (written at most once a minute, lib/api-keys/authenticate.ts). */
  lastUsedAt: Date | null;
  /** The instant it stops working; null: never expires. */
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: ApiKeyPerson;
  /** Revoked wins over expired: a revoked key stays revoked whatever its date. */
  status: ApiKeyStatus;
};

export type CreatedApiKey = {
  /** The plain key: shown once, then only its hash exists. */
  key: string;
  summary: ApiKeySummary;
};

// Malformed ids are "not found": a 404, never a database error.
const idSchema = z.uuid();

function parseId(value: string): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

const creators = aliasedTable(users, "api_key_creators");
const revokers = aliasedTable(users, "api_key_revokers");

const summaryColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
  creatorName: creators.name,
  creatorEmail: creators.email,
  revokerName: revokers.name,
  revokerEmail: revokers.email,
};

function selectSummaries(db: DbOrTx) {
  return db
    .select(summaryColumns)
    .from(apiKeys)
    .leftJoin(creators, eq(creators.id, apiKeys.createdByUserId))
    .leftJoin(revokers, eq(revokers.id, apiKeys.revokedByUserId));
}

type SummaryRow = Awaited<ReturnType<typeof selectSummaries>>[number];

function personOf(name: string | null, email: string | null): ApiKeyPerson {
  return email === null ? null : { name, email };
}

export function apiKeyStatusOf(
  key: { revokedAt: Date | null; expiresAt: Date | null },
  now: Date = new Date(),
): ApiKeyStatus {
  if (key.revokedAt !== null) return "revoked";
  // The same rule as authenticateApiKey: from its expiresAt on, a key no longer works.
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

function toSummary(row: SummaryRow, now: Date): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    // Scopes unknown to this version (a downgrade) are not shown as if they worked.
    scopes: API_SCOPES.filter((scope) => row.scopes.includes(scope)),
    createdAt: row.createdAt,
    createdBy: personOf(row.creatorName, row.creatorEmail),
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    revokedBy: personOf(row.revokerName, row.revokerEmail),
    status: apiKeyStatusOf(row, now),
  };
}

async function loadSummary(db: DbOrTx, portalId: string, keyId: string, now: Date): Promise<ApiKeySummary> {
  const [row] = await selectSummaries(db).where(and(eq(apiKeys.id, keyId), eq(apiKeys.portalId, portalId)));
  if (!row) throw new NotFoundError();
  return toSummary(row, now);
}

/**
 * Makes a key for the office. `input` is parsed here with createApiKeySchema (CreateApiKeyInput),
 * once the actor is known to be allowed: a refusal is a ValidationError with field errors. The
 * answer holds the plain key, which the caller shows once: only its hash and display prefix are
 * stored.
 */
export async function createApiKey(db: DbOrTx, actor: Actor, portalId: string, input: unknown): Promise<CreatedApiKey> {
  authorize(actor, "token.manage", { portalId });
  const portal = parseId(portalId);
  const values = parseInput(createApiKeySchema, input);
  const key = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({
      portalId: portal,
      name: values.name,
      prefix: displayPrefixOf(key),
      keyHash: hashApiKey(key),
      role: values.role,
      scopes: values.scopes,
      expiresAt: values.expiresAt,
      createdByUserId: actorUserId(actor),
    })
    .returning({ id: apiKeys.id });
  if (!row) throw new Error("API key not inserted");
  return { key, summary: await loadSummary(db, portal, row.id, new Date()) };
}

/** The office's keys, newest first, revoked and expired ones included (their history stays visible). */
export async function listApiKeys(
  db: DbOrTx,
  actor: Actor,
  portalId: string,
  now: Date = new Date(),
): Promise<ApiKeySummary[]> {
  authorize(actor, "token.manage", { portalId });
  const portal = parseId(portalId);
  const rows = await selectSummaries(db)
    .where(eq(apiKeys.portalId, portal))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((row) => toSummary(row, now));
}

/**
 * Revokes a key of the office: from now on authenticateApiKey refuses it. Revoking a revoked key
 * changes nothing (its first revocation, time and person, stays); a key of another office is not
 * found.
 */
export async function revokeApiKey(db: DbOrTx, actor: Actor, portalId: string, keyId: string): Promise<ApiKeySummary> {
  authorize(actor, "token.manage", { portalId });
  const portal = parseId(portalId);
  const id = parseId(keyId);
  const now = new Date();
  // Conditional, so two admins revoking at once record one revocation.
  await db
    .update(apiKeys)
    .set({ revokedAt: now, revokedByUserId: actorUserId(actor) })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.portalId, portal), isNull(apiKeys.revokedAt)));
  return loadSummary(db, portal, id, now);
}
