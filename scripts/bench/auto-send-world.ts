import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { dossierIntegrations, portals } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { createConnection } from "@/lib/connections/service";
import { resetKeyringCache } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { liveRecognitionSecrets, rotateRecognitionSecret } from "@/lib/recognition/secret";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { type FakeSyneton, startFakeSyneton } from "../../tests/fakes/syneton-dms";
import { createDossier, insertDocumentsWithFiles, type Rows } from "./setup";

/**
 * What `sustained` and `auto-send-latency` share: offices that each deliver through a connection of
 * their own to a fake Syneton Admin-DMS (tests/fakes/syneton-dms.ts, a REST API on 127.0.0.1 that
 * answers in about a millisecond; Syneton because the Test API exists only under test and `next
 * start` runs in production), one dossier per office with auto-send on, the office's recognition
 * secret, and uploads awaiting recognition seeded straight into the database and the shared file
 * store before the timed part.
 */

export const CONNECTOR = "syneton-dms";
const CUSTOMER_ID = 1001;

export type Office = {
  portalId: string;
  dossierId: string;
  secret: string;
  /** Documents seeded so far in its dossier (numbers the next ones). */
  seeded: number;
};

export type World = {
  db: Db;
  dataDir: string;
  store: LocalDiskFileStore;
  fake: FakeSyneton;
  offices: Office[];
  /** The environment every `next start` of the world gets (besides its DATABASE_URL and port). */
  serverEnv: Record<string, string>;
};

/** The fake package, the shared data dir, the keys, and `officeCount` offices with a connection each. */
export async function createWorld(
  db: Db,
  officeCount: number,
  options: { answerDelayMs?: number } = {},
): Promise<World> {
  const encryptionKey = `v1:${randomBytes(32).toString("base64")}`;
  // This process writes the connections' secrets and the recognition secrets with the servers' key.
  process.env.APP_ENCRYPTION_KEY = encryptionKey;
  process.env.KOPPEL_ALLOW_CUSTOM_API_HOSTS = "1";
  resetEnvCache();
  resetKeyringCache();
  const fake = await startFakeSyneton({
    rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
    answerDelayMs: options.answerDelayMs,
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-bench-auto-send-"));
  const store = new LocalDiskFileStore(path.join(dataDir, "files"));
  const actor = systemActor("bench");
  const offices: Office[] = [];
  for (let i = 0; i < officeCount; i++) {
    const [portal] = await db
      .insert(portals)
      .values({ name: `Kantoor ${i + 1}` })
      .returning({ id: portals.id });
    if (!portal) throw new Error("portal not created");
    const connection = await createConnection(db, actor, portal.id, {
      packageId: CONNECTOR,
      channel: "api",
      label: `Syneton ${i + 1}`,
      settings: { baseUrl: fake.url },
      secrets: { apiKey: fake.apiKey },
    });
    const scope = await createDossier(
      db,
      portal.id,
      `Bakkerij ${i + 1} BV`,
      String(400_000_000 + i * 7).padStart(10, "0"),
    );
    await db.insert(dossierIntegrations).values({
      portalId: portal.id,
      dossierId: scope.dossierId,
      kind: "connection",
      connectionId: connection.id,
      settings: { customerId: CUSTOMER_ID },
    });
    await rotateRecognitionSecret(db, actor, portal.id);
    const [secret] = await liveRecognitionSecrets(db, portal.id, new Date());
    if (!secret) throw new Error("no recognition secret");
    offices.push({ ...scope, secret, seeded: 0 });
  }
  return {
    db,
    dataDir,
    store,
    fake,
    offices,
    serverEnv: {
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      APP_ENCRYPTION_KEY: encryptionKey,
      KOPPEL_DATA_DIR: dataDir,
      KOPPEL_ALLOW_CUSTOM_API_HOSTS: "1",
    },
  };
}

/** `count` uploads awaiting recognition in the office's dossier, files in the shared store. */
export async function addAwaitingDocuments(world: World, office: Office, count: number): Promise<string[]> {
  const rows = await insertDocumentsWithFiles(world.db, world.store, office, {
    count,
    namePrefix: "scan-",
    sizeBytes: 4_000,
    isRecognised: false,
    firstNumber: office.seeded + 1,
  });
  office.seeded += count;
  return rows.map((row) => row.id);
}

/** When each document was Sent (epoch ms), null when it is not (yet). */
export async function sentTimes(db: Db, ids: readonly string[]): Promise<Map<string, number | null>> {
  const result = (await db.execute(sql`
    select id, (extract(epoch from sent_at) * 1000)::float8 as sent_ms from documents -- lint-documents-ignore: reads the bench's outcome
    where id = any(${`{${ids.join(",")}}`}::uuid[]) and status = 'sent'`)) as unknown as Rows<{
    id: string;
    sent_ms: number;
  }>;
  const sent = new Map(result.rows.map((row) => [row.id, Number(row.sent_ms)]));
  return new Map(ids.map((id) => [id, sent.get(id) ?? null]));
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** "load average 1.2 0.9 0.8 on 2 cores": other work on the machine moves every figure. */
export function loadLine(): string {
  return `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")} on ${availableParallelism()} cores`;
}

/** When each stage of a document's way from recognised to Sent happened (epoch ms). */
type StageTimes = {
  id: string;
  recognised: number;
  send_requested: number;
  deliver_created: number;
  deliver_started: number;
  attempt_started: number;
  attempt_finished: number;
  sent: number;
};

/**
 * When each document became recognised (epoch ms): its "recognised" event, stamped with the start
 * of the transaction that recognised it (the recognition webhook's), so nothing of the change
 * itself is left out of "recognised → Sent".
 */
export async function recognisedTimes(db: Db, ids: readonly string[]): Promise<Map<string, number>> {
  const result = (await db.execute(sql`
    select document_id as id, (extract(epoch from max(occurred_at)) * 1000)::float8 as ms from document_events
    where document_id = any(${`{${ids.join(",")}}`}::uuid[]) and kind = 'recognised'
    group by document_id`)) as unknown as Rows<{ id: string; ms: number }>;
  return new Map(result.rows.map((row) => [row.id, Number(row.ms)]));
}

/**
 * Where the time went, from the documents' events, pg-boss's job rows (postgres driver) and the
 * attempts: p50/p95 of each stage over the documents, e.g. "deliver queued→claimed 8/16 ms".
 */
export async function stageBreakdown(db: Db, ids: readonly string[]): Promise<string> {
  const ms = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);
  const result = (await db.execute(sql`
    select d.id, ${ms("e.occurred_at")} as recognised, ${ms("r.occurred_at")} as send_requested,
      ${ms("j.created_on")} as deliver_created,
      ${ms("j.started_on")} as deliver_started, ${ms("t.started_at")} as attempt_started,
      ${ms("t.finished_at")} as attempt_finished, ${ms("d.sent_at")} as sent
    from documents d -- lint-documents-ignore: reads the bench's outcome
    join document_events e on e.document_id = d.id and e.kind = 'recognised'
    join document_events r on r.document_id = d.id and r.kind = 'send_requested'
    join dispatches p on p.document_id = d.id
    join pgboss.job j on j.name = 'deliver' and j.data->>'dispatchId' = p.id::text
    join attempts t on t.dispatch_id = p.id and t.outcome = 'succeeded'
    where d.id = any(${`{${ids.join(",")}}`}::uuid[])`)) as unknown as Rows<StageTimes>;
  const stages: [string, (row: StageTimes) => number][] = [
    // Auto-send runs in the recognition's transaction (withAutoSend). "recognised" is stamped with
    // that transaction's start, "send requested" with the moment the send writes it (the app's
    // clock), so the first stage is the recognition and auto-send's reads. The postgres driver
    // stores the run in the same transaction, and pg-boss stamps it with the transaction's start:
    // the second stage is negative there, and the third holds the rest of the transaction, its
    // commit and the wake-up. On the other drivers the run is created after the commit.
    ["recognised→send requested", (row) => row.send_requested - row.recognised],
    ["send requested→deliver queued", (row) => row.deliver_created - row.send_requested],
    ["deliver queued→claimed", (row) => row.deliver_started - row.deliver_created],
    ["claimed→attempt", (row) => row.attempt_started - row.deliver_started],
    ["attempt", (row) => row.attempt_finished - row.attempt_started],
    ["attempt→sent", (row) => row.sent - row.attempt_finished],
  ];
  return stages
    .map(([name, of]) => {
      const values = result.rows.map((row) => of(row)).filter(Number.isFinite);
      return `${name} ${percentile(values, 50).toFixed(0)}/${percentile(values, 95).toFixed(0)}`;
    })
    .join(", ");
}
