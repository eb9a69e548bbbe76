/**
 * Case `exact-rate` — how much of Exact Online's per-division rate limit a bulk send uses, and
 * whether it ever draws a 429.
 *
 * 300 recognised documents of one dossier (one division) go through the app's dispatch:
 * requestSend, then the deliver jobs on the in-process job driver (concurrency 1 per connection,
 * the deliver job's throttle per division), the real Exact connector with its limiter, PGlite in
 * memory and the file store in a temp dir, into the fake Exact (tests/fakes/exact-online.ts) on
 * 127.0.0.1. Time is scaled down TIME_SCALE times: the fake allows 60 calls per 6 s window
 * instead of per minute, and the driver is built with the deliver job's throttle period scaled
 * the same way (so "30 starts a minute" becomes 30 per 6 s); the connector itself is not told
 * anything: it reads the limit and the resets from the fake's X-RateLimit-* headers. A first try
 * costs two calls (Document, DocumentAttachment), so 300 documents are 600 calls: ten full
 * windows at best.
 *
 * `utilisation` is per full window: the calls the fake counted in every window from the first
 * call up to (not including) the window of the last call, divided by 60 × the number of those
 * windows (empty ones included, so a stall counts against us). The last window is left out: it is
 * only as full as the work that was left. `all_windows` is calls ÷ (60 × every window from the
 * first call's to the last call's, the last counted whole). `429s` counts the fake's 429 answers.
 * Targets: utilisation ≥ 95%, 429s = 0.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { dossierIntegrations } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { storeConnectionSecrets } from "@/lib/connections/runtime";
import { createConnection } from "@/lib/connections/service";
import { resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { loadConnector } from "@/lib/connectors/registry";
import { requestSend } from "@/lib/dispatch/request-send";
import { JOB_HANDLERS } from "@/lib/jobs/handler-registry";
import { LocalJobDriver } from "@/lib/jobs/local-driver";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import { stopLocalJobDriver } from "@/lib/jobs/runtime";
import { type AnyJobDefinition, type JobPeriod, periodToMs } from "@/lib/jobs/types";
import { setFileStore } from "@/lib/storage";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";
import { startFakeExactOnline } from "../../tests/fakes/exact-online";
import {
  createBenchAccountant,
  createDossier,
  insertDocumentsWithFiles,
  prepareBenchEnvironment,
  type Rows,
} from "./setup";

const DOCUMENTS = 300;
/** One real minute is this many times shorter in the bench (60 s → 6 s). */
const TIME_SCALE = 10;
const WINDOW_MS = 60_000 / TIME_SCALE;
/** Exact's documented minutely limit per division. */
const LIMIT = 60;
const DIVISION = 424_242;

/** A period `TIME_SCALE` times shorter, in Inngest's notation. */
function scaledPeriod(period: JobPeriod): JobPeriod {
  return `${periodToMs(period) / TIME_SCALE / 1000}s`;
}

/**
 * The process's in-process driver, built from every job definition with throttle periods scaled
 * like the fake's window, installed where sendJobEvents finds it (lib/jobs/client.ts).
 */
function installScaledDriver(): LocalJobDriver {
  const definitions: AnyJobDefinition[] = JOB_DEFINITIONS.map((definition: AnyJobDefinition) =>
    definition.throttle
      ? { ...definition, throttle: { ...definition.throttle, period: scaledPeriod(definition.throttle.period) } }
      : definition,
  );
  const driver = new LocalJobDriver({ definitions, handlers: JOB_HANDLERS });
  globalThis.__koppelLocalJobDriver = Promise.resolve(driver);
  return driver;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export async function benchExactRate(db: Db, portalId: string): Promise<void> {
  prepareBenchEnvironment(db, async () => {});
  resetExactRateLimits();
  const storeDir = mkdtempSync(path.join(tmpdir(), "koppel-bench-exact-"));
  const store = new LocalDiskFileStore(storeDir);
  setFileStore(store);
  const fake = await startFakeExactOnline({
    rateLimit: { limit: LIMIT, windowMs: WINDOW_MS },
    divisions: [{ Code: DIVISION, Description: "Bench BV", VATNumber: "BE0401234574", Status: 1 }],
  });
  const driver = installScaledDriver();
  try {
    const accountant = await createBenchAccountant(db, portalId, "exact-rate");
    const connection = await createConnection(db, systemActor("bench"), portalId, {
      packageId: "exact-online",
      channel: "api",
      label: "Bench Exact Online",
      settings: { baseUrl: fake.url, clientId: fake.clientId },
      secrets: { clientSecret: fake.clientSecret },
    });
    // What the OAuth callback stores once an admin connected: a grant the fake knows.
    const connector = await loadConnector("exact-online", "api");
    if (!connector) throw new Error("the Exact Online connector is not registered");
    const grant = fake.issueGrant();
    await storeConnectionSecrets(
      db,
      connector,
      { id: connection.id, portalId },
      {
        clientSecret: fake.clientSecret,
        accessToken: grant.accessToken,
        accessTokenExpiresAt: new Date(Date.now() + grant.expiresIn * 1000).toISOString(),
        refreshToken: grant.refreshToken,
        refreshedAt: new Date().toISOString(),
      },
    );
    const scope = await createDossier(db, portalId, "Exact rate dossier", "0401234574");
    await db.insert(dossierIntegrations).values({
      portalId,
      dossierId: scope.dossierId,
      kind: "connection",
      connectionId: connection.id,
      settings: { division: DIVISION },
    });
    const inserted = await insertDocumentsWithFiles(db, store, scope, {
      count: DOCUMENTS,
      namePrefix: "exact-rate-",
      sizeBytes: 20_000,
    });

    const result = await requestSend(db, accountant, {
      dossierId: scope.dossierId,
      documentIds: inserted.map((row) => row.id),
      trigger: "bulk",
    });
    if (result.accepted.length !== DOCUMENTS) {
      throw new Error(`app accepted ${result.accepted.length}, refused ${JSON.stringify(result.refused.slice(0, 3))}`);
    }
    await driver.idle();
    const finishedAt = Date.now();

    const notSent = (await db.execute(sql`
      select count(*)::int as n from documents where dossier_id = ${scope.dossierId} and status <> 'sent'`)) as unknown as Rows<{
      n: number;
    }>;
    const retries = (await db.execute(sql`
      select count(*)::int as n from attempts a join dispatches d on d.id = a.dispatch_id
      where d.dossier_id = ${scope.dossierId} and a.number > 1`)) as unknown as Rows<{ n: number }>;
    const delivered = fake.documents(DIVISION);
    if ((notSent.rows[0]?.n ?? 1) !== 0 || delivered.length !== DOCUMENTS) {
      throw new Error(`${notSent.rows[0]?.n} documents not sent; the fake holds ${delivered.length}`);
    }
    if (delivered.some((document) => document.attachments.length !== 1)) {
      throw new Error("a Document in the fake has no attachment or more than one");
    }

    const usage = fake.usage(DIVISION);
    const first = usage[0];
    const last = usage[usage.length - 1];
    if (!first || !last) throw new Error("the fake counted no calls");
    const calls = usage.reduce((sum, window) => sum + window.calls, 0);
    const fullWindows = Math.round((last.windowStart - first.windowStart) / WINDOW_MS);
    const callsInFullWindows = calls - last.calls;
    const utilisation = fullWindows > 0 ? callsInFullWindows / (LIMIT * fullWindows) : Number.NaN;
    const allWindowsUtilisation = calls / (LIMIT * (fullWindows + 1));

    console.log(`exact-rate calls per ${WINDOW_MS / 1000} s window: ${usage.map((window) => window.calls).join(" ")}`);
    console.log(
      `bench exact-rate utilisation=${percent(utilisation)} 429s=${fake.counts.tooManyRequests} ${Object.entries({
        calls,
        documents: DOCUMENTS,
        windows: fullWindows + 1,
        full_windows: fullWindows,
        all_windows: percent(allWindowsUtilisation),
        elapsed_s: ((finishedAt - first.windowStart) / 1000).toFixed(1),
        limit: `${LIMIT}/${WINDOW_MS / 1000}s`,
        time_scale: TIME_SCALE,
        retried_tries: retries.rows[0]?.n ?? 0,
        token_refreshes: fake.counts.refreshes,
        db: "pglite-memory",
      })
        .map(([key, value]) => `${key}=${value}`)
        .join(" ")}`,
    );
  } finally {
    await stopLocalJobDriver();
    await fake.close();
    setFileStore(undefined);
    globalThis.__koppelDb = undefined;
    rmSync(storeDir, { recursive: true, force: true });
  }
}
