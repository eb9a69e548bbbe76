import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, gt, isNull, lte, max, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import { recognitionSecrets } from "@/db/schema";
import { type Actor, actorUserId } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import { type ReencryptionResult, reencryptBlobs } from "@/lib/crypto/reencrypt";
import { decryptSecrets, encryptSecrets, type Keyring } from "@/lib/crypto/secrets";
import { env } from "@/lib/env";

/*
 * The secrets that sign recognition deliveries.
 *
 * Each office has its own (table recognition_secrets), shown to its admins only and verified only
 * on its own address, POST /api/webhooks/recognition/{portalId}, for its own documents: one office's
 * secret can never sign for another's documents. Rotating keeps the previous secret verifying for
 * 24 hours, so the recognition step can switch without losing deliveries.
 *
 * RECOGNITION_WEBHOOK_SECRET is the operator's own key for their own recognition service, on
 * POST /api/webhooks/recognition, for any office's documents. It is never shown in the app.
 */

/** The installation-wide address (the operator's key). */
export const RECOGNITION_WEBHOOK_PATH = "/api/webhooks/recognition";

/** An office's own address, relative to the app's base URL. */
export function officeRecognitionWebhookPath(portalId: string): string {
  return `${RECOGNITION_WEBHOOK_PATH}/${portalId}`;
}

/** How long a rotated secret keeps verifying. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** RECOGNITION_WEBHOOK_SECRET, the operator's installation-wide key; null when it is not set. */
export function installationRecognitionSecret(): string | null {
  return env().RECOGNITION_WEBHOOK_SECRET ?? null;
}

/** The associated-data context of one stored secret: a blob copied onto another row does not decrypt. */
export function recognitionSecretContext(secretId: string): string {
  return `recognition-secret:${secretId}`;
}

const storedSecretSchema = z.object({ secret: z.string().min(32) });

/** Our ids are uuids; anything else names no office (the webhook answers it like a bad signature). */
const portalIdSchema = z.guid();

type CurrentSecret = { id: string; secretEncrypted: string; createdAt: Date };

const currentColumns = {
  id: recognitionSecrets.id,
  secretEncrypted: recognitionSecrets.secretEncrypted,
  createdAt: recognitionSecrets.createdAt,
};

function decryptSecret(row: { id: string; secretEncrypted: string }): string {
  return storedSecretSchema.parse(decryptSecrets(row.secretEncrypted, recognitionSecretContext(row.id))).secret;
}

async function selectCurrentSecret(db: DbOrTx, portalId: string): Promise<CurrentSecret | undefined> {
  const [row] = await db
    .select(currentColumns)
    .from(recognitionSecrets)
    .where(and(eq(recognitionSecrets.portalId, portalId), isNull(recognitionSecrets.retiresAt)))
    .limit(1);
  return row;
}

/**
 * Serialises the writers of one office's secrets until the transaction ends: two first views or
 * two rotations run one after the other, so the second sees what the first made. (The partial
 * unique index recognition_secrets_current_uq would refuse a second current secret anyway.)
 */
async function lockOfficeSecrets(tx: DbOrTx, portalId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`recognition-secrets:${portalId}`}, 0))`);
}

async function insertCurrentSecret(
  tx: DbOrTx,
  portalId: string,
  createdByUserId: string | null,
  now: Date,
): Promise<CurrentSecret> {
  // The id is chosen here: it is part of the encryption context.
  const id = randomUUID();
  const secret = randomBytes(32).toString("base64url");
  const [row] = await tx
    .insert(recognitionSecrets)
    .values({
      id,
      portalId,
      secretEncrypted: encryptSecrets({ secret }, recognitionSecretContext(id)),
      createdByUserId,
      createdAt: now,
    })
    .returning(currentColumns);
  if (!row) throw new Error("recognition secret not inserted");
  return row;
}

/** The office's current secret, made on first need; two concurrent first needs make one. */
async function ensureCurrentSecret(
  db: Db,
  portalId: string,
  createdByUserId: string | null,
  now: Date,
): Promise<CurrentSecret> {
  const existing = await selectCurrentSecret(db, portalId);
  if (existing) return existing;
  return db.transaction(async (tx) => {
    await lockOfficeSecrets(tx, portalId);
    // A concurrent first view may have made it while we waited for the lock.
    return (await selectCurrentSecret(tx, portalId)) ?? insertCurrentSecret(tx, portalId, createdByUserId, now);
  });
}

/** Until when a rotated secret still verifies (the latest of them), or null when none does. */
async function previousSecretValidUntil(db: DbOrTx, portalId: string, now: Date): Promise<Date | null> {
  const [row] = await db
    .select({ until: max(recognitionSecrets.retiresAt) })
    .from(recognitionSecrets)
    .where(and(eq(recognitionSecrets.portalId, portalId), gt(recognitionSecrets.retiresAt, now)));
  return row?.until ?? null;
}

/** What the office's admins see on the webhook page; never the secret itself. */
export type RecognitionWebhookSettings = {
  /** The office's own address, relative to the app's base URL. */
  path: string;
  current: { id: string; createdAt: Date };
  /** While a rotated secret still verifies: until when (the latest, after several rotations). */
  previousValidUntil: Date | null;
};

/**
 * The office's recognition webhook, for its admins (connection.manage; API keys may not). Makes the
 * office's first secret when there is none yet.
 */
export async function getRecognitionWebhookSettings(
  db: Db,
  actor: Actor,
  portalId: string,
  options: { now?: Date } = {},
): Promise<RecognitionWebhookSettings> {
  authorize(actor, "connection.manage", { portalId });
  const now = options.now ?? new Date();
  const current = await ensureCurrentSecret(db, portalId, actorUserId(actor), now);
  return {
    path: officeRecognitionWebhookPath(portalId),
    current: { id: current.id, createdAt: current.createdAt },
    previousValidUntil: await previousSecretValidUntil(db, portalId, now),
  };
}

/** The office's current secret in clear, for an admin who pressed "Show" (connection.manage). */
export async function revealRecognitionSecret(
  db: Db,
  actor: Actor,
  portalId: string,
  options: { now?: Date } = {},
): Promise<{ secret: string }> {
  authorize(actor, "connection.manage", { portalId });
  const current = await ensureCurrentSecret(db, portalId, actorUserId(actor), options.now ?? new Date());
  return { secret: decryptSecret(current) };
}

/**
 * Makes a new current secret; the one it replaces keeps verifying for 24 hours (ROTATION_OVERLAP_MS)
 * so the recognition step can switch without losing deliveries. Secrets whose overlap has ended are
 * deleted. Admins only (connection.manage). One transaction: never zero or two current secrets.
 */
export async function rotateRecognitionSecret(
  db: Db,
  actor: Actor,
  portalId: string,
  options: { now?: Date } = {},
): Promise<RecognitionWebhookSettings> {
  authorize(actor, "connection.manage", { portalId });
  const now = options.now ?? new Date();
  const retiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  return db.transaction(async (tx) => {
    await lockOfficeSecrets(tx, portalId);
    await tx
      .delete(recognitionSecrets)
      .where(and(eq(recognitionSecrets.portalId, portalId), lte(recognitionSecrets.retiresAt, now)));
    await tx
      .update(recognitionSecrets)
      .set({ retiresAt })
      .where(and(eq(recognitionSecrets.portalId, portalId), isNull(recognitionSecrets.retiresAt)));
    const current = await insertCurrentSecret(tx, portalId, actorUserId(actor), now);
    return {
      path: officeRecognitionWebhookPath(portalId),
      current: { id: current.id, createdAt: current.createdAt },
      previousValidUntil: await previousSecretValidUntil(tx, portalId, now),
    };
  });
}

/**
 * The secrets that verify a delivery on the office's address at `now`: its current one and those
 * rotated less than 24 hours ago. None for an id that names no office. For the webhook only: these
 * never leave the server.
 */
export async function liveRecognitionSecrets(db: DbOrTx, portalId: string, now: Date): Promise<string[]> {
  if (!portalIdSchema.safeParse(portalId).success) return [];
  const rows = await db
    .select({ id: recognitionSecrets.id, secretEncrypted: recognitionSecrets.secretEncrypted })
    .from(recognitionSecrets)
    .where(
      and(
        eq(recognitionSecrets.portalId, portalId),
        or(isNull(recognitionSecrets.retiresAt), gt(recognitionSecrets.retiresAt, now)),
      ),
    );
  const secrets: string[] = [];
  for (const row of rows) {
    try {
      secrets.push(decryptSecret(row));
    } catch (error) {
      // A blob no configured key opens (a dropped APP_ENCRYPTION_KEY): it verifies nothing, and
      // the office's other secrets still do. The id only, never the blob.
      console.error(`[recognition webhook] secret ${row.id} cannot be decrypted`, error);
    }
  }
  return secrets;
}

/**
 * Re-encrypts every office's recognition secrets that an older APP_ENCRYPTION_KEY made under the
 * ring's current key (`npm run secrets:rotate`, across all offices: an operator's task). The
 * secrets themselves do not change, so the offices' recognition steps notice nothing.
 */
export async function reencryptRecognitionSecrets(db: DbOrTx, ring: Keyring): Promise<ReencryptionResult> {
  const rows = await db
    .select({ id: recognitionSecrets.id, blob: recognitionSecrets.secretEncrypted })
    .from(recognitionSecrets)
    .orderBy(asc(recognitionSecrets.id));
  return reencryptBlobs(rows, ring, {
    context: recognitionSecretContext,
    swap: async (id, from, to) => {
      const updated = await db
        .update(recognitionSecrets)
        .set({ secretEncrypted: to })
        .where(and(eq(recognitionSecrets.id, id), eq(recognitionSecrets.secretEncrypted, from)))
        .returning({ id: recognitionSecrets.id });
      return updated.length > 0;
    },
  });
}
