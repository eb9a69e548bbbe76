import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, inArray, sql } from "drizzle-orm";
import pg from "pg";
import { expect, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { dispatches, documents } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { setFileStore } from "@/lib/storage";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { createTestDb } from "../../../helpers/db";
import { insertSendableDocument } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";

/**
 * What the kill -9 proofs of at most once across instances share (issue 14): kill.pg.test.ts (two
 * bare worker processes) and kill-instances.pg.test.ts (two production `next start` instances).
 * Both send a bulk on one connection (deliveries one at a time), kill -9 the process that has a
 * delivery in flight, and then hold the same figures to the same bar: every document Sent, filed
 * once on the fake package's side, the interrupted one Sent within 60 s of the kill, and no stretch
 * after the kill longer than 60 s without a document Sent.
 */

export const KILL_PROOF_COUNT = Number(process.env.KILL_PROOF_COUNT ?? 500);
/** The longest a document may wait after the kill (the bar). */
export const MAX_WAIT_AFTER_KILL_MS = 60_000;

export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type KillProofSetting = {
  opened: OpenedDb;
  world: World;
  /** The data folder the instances share (its `files` is the file store); logs go there too. */
  dataDir: string;
  /** APP_ENCRYPTION_KEY of this process, for the instances to read the connection's secrets. */
  encryptionKey: string;
  close(): Promise<void>;
};

/**
 * What the instances share with this process: the database (TEST_DATABASE_URL, reset and migrated;
 * pg-boss's schema dropped), a file store in a fresh data folder, the encryption key (this
 * process's, from useTestEncryptionKey), custom API hosts allowed (the fake package is on
 * 127.0.0.1), and an office to send from.
 */
export async function openKillProofSetting(url: string, encryptionKey: string): Promise<KillProofSetting> {
  vi.stubEnv("KOPPEL_ALLOW_CUSTOM_API_HOSTS", "1");
  resetEnvCache();
  const opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-kill-proof-"));
  setFileStore(new LocalDiskFileStore(path.join(dataDir, "files")));
  const world = await createWorld(opened.db);
  // A fresh pg-boss schema: nothing an earlier run left behind.
  await dropJobSchema(url);
  return {
    opened,
    world,
    dataDir,
    encryptionKey,
    async close() {
      vi.unstubAllEnvs();
      resetEnvCache();
      setFileStore(undefined);
      globalThis.__koppelDb = undefined;
      await opened.close();
      await dropJobSchema(url).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drops pg-boss's schema: nothing an earlier run left behind is claimed. */
export async function dropJobSchema(url: string, schema = "pgboss"): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set client_min_messages = warning");
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

/** The bulk: `count` recognised inbox documents of the dossier, their files in the store. */
export async function insertBulk(db: Db, dossier: { id: string; portalId: string }, count = KILL_PROOF_COUNT) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await insertSendableDocument(db, dossier)).id);
  return ids;
}

export async function countSent(db: Db, dossierId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(documents)
    .where(sql`${documents.dossierId} = ${dossierId} and ${documents.status} = 'sent'`);
  return row?.count ?? 0;
}

export type KillProofFigures = {
  count: number;
  sentDocuments: number;
  /** ms from the kill until the interrupted delivery's document was Sent (the worst, if several). */
  interruptedSentAfterMs: number;
  interruptedFound: number;
  /** The longest stretch after the kill with no document of the bulk Sent. */
  longestStallMs: number;
  /** ms from the kill until the last document was Sent. */
  lastSentAfterKillMs: number;
  sentAfterKill: number;
  /** Uploads the fake package filed, references among them, and references filed more than once. */
  uploads: number;
  references: number;
  filedTwice: number;
};

/**
 * Reads how the bulk ended: `filedReferences` is what the fake package filed (one entry per upload,
 * its reference: our dispatch id), `interruptedDispatchIds` the deliveries in flight at the kill.
 */
export async function measureKillProof(
  db: Db,
  input: {
    dossierId: string;
    count: number;
    killedAt: number;
    interruptedDispatchIds: string[];
    filedReferences: string[];
  },
): Promise<KillProofFigures> {
  const rows = await db
    .select({ sentAt: documents.sentAt })
    .from(documents)
    .where(eq(documents.dossierId, input.dossierId));
  const sentTimes = rows.map((row) => row.sentAt?.getTime() ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  // What the kill cost: the longest stretch after it with no document Sent on the connection
  // (the connection delivers one at a time, so the rest of the bulk waits its turn anyway).
  let longestStallMs = 0;
  let previous = input.killedAt;
  const afterKill = sentTimes.filter((t) => t > input.killedAt);
  for (const at of afterKill) {
    longestStallMs = Math.max(longestStallMs, at - previous);
    previous = at;
  }
  const interrupted =
    input.interruptedDispatchIds.length === 0
      ? []
      : await db
          .select({ sentAt: documents.sentAt })
          .from(dispatches)
          .innerJoin(documents, eq(documents.id, dispatches.documentId))
          .where(inArray(dispatches.id, input.interruptedDispatchIds));
  const perReference = new Map<string, number>();
  for (const reference of input.filedReferences) perReference.set(reference, (perReference.get(reference) ?? 0) + 1);
  return {
    count: input.count,
    sentDocuments: rows.filter((row) => row.sentAt !== null).length,
    interruptedSentAfterMs: Math.max(
      ...interrupted.map((row) => (row.sentAt?.getTime() ?? Number.POSITIVE_INFINITY) - input.killedAt),
    ),
    interruptedFound: interrupted.length,
    longestStallMs,
    lastSentAfterKillMs: (sentTimes[sentTimes.length - 1] as number) - input.killedAt,
    sentAfterKill: afterKill.length,
    uploads: input.filedReferences.length,
    references: perReference.size,
    filedTwice: [...perReference.values()].filter((n) => n > 1).length,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line of figures for the log: printed, never asserted as timings. */
export function describeKillProof(figures: KillProofFigures): string {
  return (
    `the interrupted document Sent ${seconds(figures.interruptedSentAfterMs)} after the kill; longest stall ` +
    `${seconds(figures.longestStallMs)}; the last of the ${figures.sentAfterKill} left Sent ` +
    `${seconds(figures.lastSentAfterKillMs)} after the kill; fake: ${figures.uploads} uploads, ` +
    `${figures.references} references, ${figures.filedTwice} filed twice`
  );
}

/** The bar both proofs hold: Sent, filed exactly once, none waiting longer than 60 s after the kill. */
export function expectDeliveredOnceDespiteKill(figures: KillProofFigures, interruptedDispatchIds: string[]): void {
  expect(figures.sentDocuments).toBe(figures.count);
  expect(figures.references).toBe(figures.count);
  expect(figures.filedTwice).toBe(0);
  expect(figures.uploads).toBe(figures.count);
  expect(interruptedDispatchIds.length).toBeGreaterThan(0);
  expect(figures.interruptedFound).toBe(interruptedDispatchIds.length);
  expect(figures.interruptedSentAfterMs).toBeLessThanOrEqual(MAX_WAIT_AFTER_KILL_MS);
  expect(figures.longestStallMs).toBeLessThanOrEqual(MAX_WAIT_AFTER_KILL_MS);
}
