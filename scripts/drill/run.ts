/**
 * The fault drill (issue 20, "Proof"): `npm run drill`, or `npm run drill -- pg-stop-30s kill-9`
 * for some cases. Not part of CI. About 14 minutes for all cases.
 *
 * Runs the production build (`next start`; built first if there is none) against a PostgreSQL
 * server of its own (initdb into a temporary folder, a free port: scripts/drill/postgres.ts), two
 * FTP servers of its own (ftp-srv, tests/fakes/ftp-server.ts) and a fake mail service
 * (scripts/drill/mail.ts). Each case sends a bulk of 200 documents through the REST API, makes its
 * fault, and prints one line:
 *
 *   drill <case> sent=<n> failed=<n> stuck=<n> duplicates=<n> recovered_s=<s> people=<n>
 *
 * - sent / failed: documents Sent / Failed when the case ends (all 200 finished, or 90 s after the
 *   fault ended); stuck: documents still sending then;
 * - duplicates, counted on the fake servers' side: a final FTP file written (renamed onto) more
 *   than once, or more than one mail accepted for one document (the fake, like Resend, replays a
 *   repeated Idempotency-Key: that is no second mail);
 * - recovered_s: seconds from the fault's end to the last Sent (0 when nothing was left to send);
 * - people: the documents a person must act on (press Retry): failed + stuck.
 *
 * Cases: ftp-down-60s, ftp-down-10min (time compressed: KOPPEL_RETRY_TIME_SCALE, default 0.2, is
 * given to the app and the server is down 600 s × that scale), mail-503-5min,
 * pg-restart, pg-stop-30s, pg-stop-5min, kill-9 (the app killed -9 mid-bulk and started again),
 * disk-full (a multi-file upload into a 1 MB tmpfs mounted over the dossier's file folder; needs
 * root for the mount, else the case says it was skipped). The first three run side by side (each
 * its own server and dossier); the others one after the other.
 */

import { execFileSync, execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type Db, openDb } from "@/db";
import { dossierIntegrations, portals, users } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/service";
import { type Actor, systemActor } from "@/lib/auth/actor";
import { createConnection } from "@/lib/connections/service";
import { resetKeyringCache } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { type FakeFtpServer, startFakeFtpServer } from "../../tests/fakes/ftp-server";
import { createDossier, insertDocumentsWithFiles, type Rows } from "../bench/setup";
import { freePort, NextInstance, productionEnv } from "../lib/next-instance";
import { startDrillMail } from "./mail";
import { createDrillPostgres, type DrillPostgres } from "./postgres";

const BULK = 200;
const SETTLE_AFTER_FAULT_MS = 90_000;
const FTP_USER = "kantoor";
/**
 * The app's KOPPEL_RETRY_TIME_SCALE (outage-retry's setting: backoff, the retry horizon and breaker
 * probes compressed by this factor), 0.2 unless set: the 10-minute FTP outage then lasts 120 s.
 * Every case runs in the same app, so all of them run with it; the output says so.
 */
const TIME_SCALE = process.env.KOPPEL_RETRY_TIME_SCALE ?? "0.2";
const FTP_LONG_DOWN_S = Number(process.env.DRILL_FTP_LONG_DOWN_S ?? Math.round(600 * Number(TIME_SCALE)));

type Line = {
  name: string;
  sent: number;
  failed: number;
  stuck: number;
  duplicates: number;
  recoveredS: number;
  note?: string;
};

function print(line: Line): void {
  const people = line.failed + line.stuck;
  console.log(
    `drill ${line.name} sent=${line.sent} failed=${line.failed} stuck=${line.stuck} duplicates=${line.duplicates} recovered_s=${line.recoveredS} people=${people}${line.note ? `  # ${line.note}` : ""}`,
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An FTP server that can be taken down and brought back on the same port and folder. */
class Ftp {
  server: FakeFtpServer | undefined;
  readonly renames: string[] = [];
  constructor(
    readonly port: number,
    readonly root: string,
    readonly password: string,
  ) {}
  async up(): Promise<void> {
    this.server = await startFakeFtpServer({
      port: this.port,
      root: this.root,
      users: { [FTP_USER]: this.password },
      // As ftp-srv is (Nagle on): about 80 ms an upload, so a bulk of 200 takes some seconds and
      // a fault lands in its middle.
    });
  }
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.collect();
    server.dropConnections();
    await server.close();
    this.server = undefined;
  }
  /** Renames onto final names seen so far (kept across restarts of the server). */
  collect(): void {
    const server = this.server;
    if (!server) return;
    for (const { command } of server.commands.splice(0)) {
      if (command.startsWith("RNTO ")) this.renames.push(command.slice(5));
    }
  }
}

type World = {
  db: Db;
  portalId: string;
  actor: Actor;
  dataDir: string;
  app: NextInstance;
  pg: DrillPostgres;
  ftpA: Ftp;
  ftpB: Ftp;
  mail: Awaited<ReturnType<typeof startDrillMail>>;
  connections: { a: string; b: string };
  companyCounter: number;
};

async function apiKeyFor(world: World, name: string): Promise<string> {
  const created = await createApiKey(world.db, world.actor, world.portalId, {
    name: `drill ${name}`,
    role: "admin",
    scopes: ["documents:read", "documents:write", "dossiers:read"],
  });
  return created.key;
}

/** A dossier with its integration and 200 recognised inbox documents with files in the app's store. */
async function bulkDossier(world: World, name: string, route: { connectionId: string } | "mail") {
  world.companyCounter++;
  const scope = await createDossier(
    world.db,
    world.portalId,
    `Drill ${name}`,
    `04012345${String(world.companyCounter).padStart(2, "0")}`,
  );
  await world.db.insert(dossierIntegrations).values(
    route === "mail"
      ? {
          portalId: world.portalId,
          dossierId: scope.dossierId,
          kind: "free_email",
          settings: {
            addresses: { purchase: "in@kantoor.example", sales: "uit@kantoor.example", other: "in@kantoor.example" },
          },
        }
      : {
          portalId: world.portalId,
          dossierId: scope.dossierId,
          kind: "connection",
          connectionId: route.connectionId,
          settings: {},
        },
  );
  const store = new LocalDiskFileStore(path.join(world.dataDir, "files"));
  const documents = await insertDocumentsWithFiles(world.db, store, scope, {
    count: BULK,
    namePrefix: `drill-${name}-`,
    sizeBytes: 20_000,
  });
  return { scope, ids: documents.map((row) => row.id) };
}

/**
 * Sends every document through the REST API (as an office's script would), 8 at a time. A send the
 * app could not take (503 while its database is away, no answer while it restarts) is sent again
 * after a second, as such a script does; 409 means it was taken already (at most once).
 */
async function sendAll(world: World, key: string, ids: string[]): Promise<void> {
  let next = 0;
  const refused: string[] = [];
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      for (;;) {
        const status = await fetch(`${world.app.url}/api/v1/documents/${id}/send`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
        })
          .then(async (response) => {
            await response.body?.cancel();
            return response.status;
          })
          .catch(() => 0);
        if (status === 202 || status === 409) break;
        if (status !== 0 && status !== 503) {
          refused.push(String(status));
          break;
        }
        await sleep(1_000);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (refused.length > 0) throw new Error(`sends refused: ${refused.slice(0, 5).join(", ")} (${refused.length})`);
}

/** Resolves once `count` documents of the dossier are Sent: the bulk is under way. */
async function underWay(world: World, dossierId: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await countsOf(world, dossierId)).sent >= count) return;
    await sleep(100);
  }
}

type Counts = { sent: number; failed: number; sending: number; lastSentAt: Date | null };

async function countsOf(world: World, dossierId: string): Promise<Counts> {
  const rows = (await world.db.execute(sql`
    select
      count(*) filter (where status = 'sent')::int as sent,
      count(*) filter (where status = 'failed')::int as failed,
      count(*) filter (where status = 'sending')::int as sending,
      (select max(finished_at) from dispatches where dossier_id = ${dossierId}::uuid and status = 'succeeded') as last_sent_at
    from documents where dossier_id = ${dossierId}::uuid`)) as unknown as Rows<{
    sent: number;
    failed: number;
    sending: number;
    last_sent_at: string | Date | null;
  }>;
  const row = rows.rows[0];
  if (!row) throw new Error("no counts");
  return {
    sent: Number(row.sent),
    failed: Number(row.failed),
    sending: Number(row.sending),
    lastSentAt: row.last_sent_at ? new Date(row.last_sent_at) : null,
  };
}

/** Waits until every document of the dossier finished (or the deadline), reading through outages. */
async function settle(world: World, dossierId: string, deadline: number): Promise<Counts> {
  let counts: Counts | undefined;
  while (Date.now() < deadline) {
    try {
      counts = await countsOf(world, dossierId);
      if (counts.sending === 0) return counts;
    } catch {
      // The drill's own reads during a database fault: try again.
    }
    await sleep(1_000);
  }
  return counts ?? countsOf(world, dossierId);
}

function lineOf(name: string, counts: Counts, faultEndedAt: number, duplicates: number, note?: string): Line {
  const recovered = counts.lastSentAt ? Math.max(0, (counts.lastSentAt.getTime() - faultEndedAt) / 1000) : 0;
  return {
    name,
    sent: counts.sent,
    failed: counts.failed,
    stuck: counts.sending,
    duplicates,
    recoveredS: Math.round(recovered),
    ...(note ? { note } : {}),
  };
}

/** Final FTP files of the case written more than once (renamed onto again: delivered twice). */
function ftpDuplicates(ftp: Ftp, name: string): number {
  ftp.collect();
  const byPath = new Map<string, number>();
  for (const target of ftp.renames) {
    if (target.includes(`drill-${name}-`)) byPath.set(target, (byPath.get(target) ?? 0) + 1);
  }
  return [...byPath.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
}

/** Documents of the dossier for which the mail service sent more than one mail. */
async function mailDuplicates(world: World, dossierId: string): Promise<number> {
  const keys = [...world.mail.accepted.keys()];
  if (keys.length === 0) return 0;
  const rows = (await world.db.execute(sql`
    select document_id, count(*)::int as mails from dispatches
    where dossier_id = ${dossierId}::uuid and id::text = any(${`{${keys.join(",")}}`}::text[])
    group by document_id having count(*) > 1`)) as unknown as Rows<{ mails: number }>;
  return rows.rows.reduce((sum, row) => sum + Number(row.mails) - 1, 0);
}

/**
 * What a person and a script see while the database is away: the REST API's answer (503 problem
 * JSON expected) and then a page's (the 503 page, "Koppel kan zijn databank niet bereiken").
 */
async function answersDuringOutage(world: World, key: string): Promise<string> {
  const api = await fetch(`${world.app.url}/api/v1/dossiers`, { headers: { authorization: `Bearer ${key}` } });
  await api.body?.cancel();
  const page = await fetch(`${world.app.url}/sign-in`, { headers: { "accept-language": "nl" }, redirect: "manual" });
  const html = await page.text();
  const isDatabasePage = html.includes("Koppel kan zijn databank niet bereiken");
  return `during the outage the API answered ${api.status} (Retry-After ${api.headers.get("retry-after") ?? "none"}), a page ${page.status}${isDatabasePage ? " with the database page" : ""}`;
}

/** A bulk over FTP with a fault in the middle: `fault` returns (a note, if any) when the fault is over. */
async function ftpCase(
  world: World,
  name: string,
  ftp: Ftp,
  connectionId: string,
  fault: (key: string) => Promise<unknown>,
  note?: string,
) {
  const { scope, ids } = await bulkDossier(world, name, { connectionId });
  const key = await apiKeyFor(world, name);
  const sending = sendAll(world, key, ids);
  await underWay(world, scope.dossierId, 20);
  const sentBeforeFault = (await countsOf(world, scope.dossierId)).sent;
  const faultNote = await fault(key);
  const faultEndedAt = Date.now();
  await sending;
  const counts = await settle(world, scope.dossierId, faultEndedAt + SETTLE_AFTER_FAULT_MS);
  const seen = typeof faultNote === "string" ? faultNote : undefined;
  const context = [note, `${sentBeforeFault} sent when the fault began`, seen].filter(Boolean).join("; ");
  return lineOf(name, counts, faultEndedAt, ftpDuplicates(ftp, name), context);
}

const CASES: { name: string; group: "side-by-side" | "alone"; run: (world: World) => Promise<Line> }[] = [
  {
    name: "ftp-down-60s",
    group: "side-by-side",
    run: (world) =>
      ftpCase(world, "ftp-down-60s", world.ftpA, world.connections.a, async () => {
        await world.ftpA.down();
        await sleep(60_000);
        await world.ftpA.up();
      }),
  },
  {
    name: "ftp-down-10min",
    group: "side-by-side",
    run: (world) =>
      ftpCase(
        world,
        "ftp-down-10min",
        world.ftpB,
        world.connections.b,
        async () => {
          await world.ftpB.down();
          await sleep(FTP_LONG_DOWN_S * 1000);
          await world.ftpB.up();
        },
        `time compressed: down ${FTP_LONG_DOWN_S} s for 10 min`,
      ),
  },
  {
    name: "mail-503-5min",
    group: "side-by-side",
    run: async (world) => {
      const { scope, ids } = await bulkDossier(world, "mail-503-5min", "mail");
      const key = await apiKeyFor(world, "mail-503-5min");
      world.mail.state.failing = true;
      await sendAll(world, key, ids);
      await sleep(5 * 60_000);
      world.mail.state.failing = false;
      const faultEndedAt = Date.now();
      const counts = await settle(world, scope.dossierId, faultEndedAt + SETTLE_AFTER_FAULT_MS);
      return lineOf("mail-503-5min", counts, faultEndedAt, await mailDuplicates(world, scope.dossierId));
    },
  },
  {
    name: "pg-restart",
    group: "alone",
    run: (world) => ftpCase(world, "pg-restart", world.ftpA, world.connections.a, async () => world.pg.restart()),
  },
  {
    name: "pg-stop-30s",
    group: "alone",
    run: (world) =>
      ftpCase(world, "pg-stop-30s", world.ftpA, world.connections.a, async (key) => {
        world.pg.stop();
        await sleep(3_000);
        const seen = await answersDuringOutage(world, key);
        await sleep(27_000);
        world.pg.start();
        return seen;
      }),
  },
  {
    name: "pg-stop-5min",
    group: "alone",
    run: (world) =>
      ftpCase(world, "pg-stop-5min", world.ftpA, world.connections.a, async () => {
        world.pg.stop();
        await sleep(5 * 60_000);
        world.pg.start();
      }),
  },
  {
    name: "kill-9",
    group: "alone",
    run: (world) =>
      ftpCase(world, "kill-9", world.ftpA, world.connections.a, async () => {
        world.app.killHard();
        await world.app.start();
      }),
  },
  { name: "disk-full", group: "alone", run: diskFullCase },
];

/**
 * A multi-file upload into a disk that fills up: the dossier's file folder is a 1 MB tmpfs, the
 * request carries 5 files of 300 KB. sent = files stored (and answered as stored), failed = files
 * answered wrongly (stored but refused, or "stored" but not there), stuck = half-written temp files
 * left behind, duplicates = copies after the same request is sent again.
 */
async function diskFullCase(world: World): Promise<Line> {
  const name = "disk-full";
  if (process.getuid?.() !== 0) {
    return {
      name,
      sent: 0,
      failed: 0,
      stuck: 0,
      duplicates: 0,
      recoveredS: 0,
      note: "skipped: a tmpfs mount needs root",
    };
  }
  world.companyCounter++;
  const scope = await createDossier(
    world.db,
    world.portalId,
    "Drill disk-full",
    `04012345${String(world.companyCounter).padStart(2, "0")}`,
  );
  const folder = path.join(world.dataDir, "files", scope.portalId, scope.dossierId);
  mkdirSync(folder, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", folder]);
  try {
    const key = await apiKeyFor(world, name);
    const files = Array.from({ length: 5 }, (_, i) => {
      const bytes = new Uint8Array(300_000);
      bytes.set(new TextEncoder().encode(`%PDF-1.4\n% drill disk-full ${i}\n`));
      for (let j = 64; j < bytes.length; j++) bytes[j] = (j * 7 + i * 13) % 251;
      return new File([bytes], `disk-full-${i}.pdf`, { type: "application/pdf" });
    });
    let lastStatus = 0;
    const upload = async () => {
      const form = new FormData();
      for (const file of files) form.append("file", file);
      const response = await fetch(`${world.app.url}/api/v1/dossiers/${scope.dossierId}/documents`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: form,
      });
      lastStatus = response.status;
      const body = (await response.json()) as { documents?: { id: string }[]; refused?: { code?: string }[] };
      if (process.env.DRILL_DEBUG) console.log("[drill] upload", response.status, JSON.stringify(body).slice(0, 600));
      return body;
    };
    const first = await upload();
    const firstStatus = lastStatus;
    const stored = readdirSync(folder).filter((entry) => !entry.endsWith(".tmp"));
    const temps = readdirSync(folder).filter((entry) => entry.endsWith(".tmp"));
    const answeredStored = first.documents?.length ?? 0;
    const refusedFull = (first.refused ?? []).filter((r) => r.code === "storage_full").length;
    const wrong = Math.abs(answeredStored - stored.length) + (files.length - answeredStored - refusedFull);
    await upload();
    const rows = (await world.db.execute(
      sql`select count(*)::int as documents, count(distinct sha256)::int as distinct_files from documents where dossier_id = ${scope.dossierId}::uuid`,
    )) as unknown as Rows<{ documents: number; distinct_files: number }>;
    const duplicates = Number(rows.rows[0]?.documents ?? 0) - Number(rows.rows[0]?.distinct_files ?? 0);
    return {
      name,
      sent: stored.length,
      failed: wrong,
      stuck: temps.length,
      duplicates,
      recoveredS: 0,
      note: `tmpfs 1 MB, 5 files of 300 KB in one request: answered ${firstStatus}, ${answeredStored} stored, ${refusedFull} refused as storage_full; the same request again: ${lastStatus}, no copy`,
    };
  } finally {
    execFileSync("umount", ["-l", folder]);
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
  if (selected.length === 0) throw new Error(`no such case; cases: ${CASES.map((c) => c.name).join(", ")}`);
  const startedAt = Date.now();

  if (!existsSync(".next/BUILD_ID")) {
    console.log("[drill] no production build: running next build");
    execSync("npx next build", { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  }
  const workDir = mkdtempSync(path.join(tmpdir(), "koppel-drill-"));
  const dataDir = path.join(workDir, "data");
  mkdirSync(dataDir, { recursive: true });
  const encryptionKey = `v1:${randomBytes(32).toString("base64")}`;
  process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS = "1";
  process.env.APP_ENCRYPTION_KEY = encryptionKey;
  process.env.KOPPEL_DATA_DIR = dataDir;
  for (const name of ["INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL", "DATABASE_URL"]) delete process.env[name];
  resetEnvCache();
  resetKeyringCache();

  const pg = createDrillPostgres(await freePort());
  const mail = await startDrillMail();
  const ftpA = new Ftp(await freePort(), path.join(workDir, "ftp-a"), randomBytes(12).toString("base64url"));
  const ftpB = new Ftp(await freePort(), path.join(workDir, "ftp-b"), randomBytes(12).toString("base64url"));
  let app: NextInstance | undefined;
  let close: (() => Promise<void>) | undefined;
  try {
    pg.start();
    await ftpA.up();
    await ftpB.up();
    const opened = await openDb({ url: pg.url });
    close = opened.close;
    const db = opened.db;
    const [portal] = await db.insert(portals).values({ name: "Drill office" }).returning({ id: portals.id });
    const [user] = await db
      .insert(users)
      .values({ email: "drill@koppel.example", name: "Drill admin" })
      .returning({ id: users.id });
    if (!portal || !user) throw new Error("seed failed");
    const actor: Actor = { kind: "user", userId: user.id, portalRoles: { [portal.id]: "admin" }, dossiers: {} };
    const connectionOf = async (ftp: Ftp, label: string) =>
      (
        await createConnection(db, systemActor("drill"), portal.id, {
          packageId: "expert-m",
          channel: "ftp",
          label,
          settings: { host: "127.0.0.1", port: String(ftp.port), username: FTP_USER, security: "plain" },
          secrets: { password: ftp.password },
        })
      ).id;
    const connections = { a: await connectionOf(ftpA, "Drill FTP A"), b: await connectionOf(ftpB, "Drill FTP B") };

    const appPort = Number(process.env.DRILL_APP_PORT ?? (await freePort()));
    app = new NextInstance(
      appPort,
      {
        ...productionEnv(appPort),
        DATABASE_URL: pg.url,
        KOPPEL_DATA_DIR: dataDir,
        AUTH_SECRET: randomBytes(32).toString("base64url"),
        APP_ENCRYPTION_KEY: encryptionKey,
        RESEND_API_KEY: "re_drill",
        RESEND_BASE_URL: mail.url,
        KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: "1",
        KOPPEL_RETRY_TIME_SCALE: TIME_SCALE,
      },
      { logFile: path.join(workDir, "app.log") },
    );
    await app.start();
    console.log(`[drill] app on ${app.url}, PostgreSQL on ${pg.port}, logs in ${workDir}`);
    console.log(
      `[drill] KOPPEL_RETRY_TIME_SCALE=${TIME_SCALE} (retry backoff, horizon and breaker probes compressed, where the build has that setting); the 10-minute FTP outage lasts ${FTP_LONG_DOWN_S} s`,
    );
    const world: World = {
      db,
      portalId: portal.id,
      actor,
      dataDir,
      app,
      pg,
      ftpA,
      ftpB,
      mail,
      connections,
      companyCounter: 0,
    };

    const together = selected.filter((c) => c.group === "side-by-side");
    const lines = await Promise.all(together.map((c) => c.run(world)));
    for (const line of lines) print(line);
    for (const c of selected.filter((c) => c.group === "alone")) print(await c.run(world));
    console.log(`[drill] done in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  } finally {
    await app?.stop();
    await close?.().catch(() => {});
    await ftpA.down().catch(() => {});
    await ftpB.down().catch(() => {});
    await mail.close();
    pg.destroy();
    if (!process.env.DRILL_KEEP) rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
