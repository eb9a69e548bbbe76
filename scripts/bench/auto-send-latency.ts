/**
 * Case `auto-send-latency` — only by name (`npm run bench -- auto-send-latency [--smoke]
 * [--package-ms=<n>]`): how long one document waits from its recognition to Sent, against the
 * time its delivery itself took (issue 14).
 *
 * One office with a Syneton Admin-DMS connection to the fake package on 127.0.0.1
 * (scripts/bench/auto-send-world.ts; `--package-ms` makes every answer of the fake wait that long,
 * as a real package's would; default 0, it answers in about a millisecond), one `next start` on
 * the production build and a PostgreSQL database of its own, once per job driver: `postgres`
 * (pg-boss, the multi-instance driver) and `local` (the in-process driver, the embedded default;
 * here on PostgreSQL too, so only the driver differs). One document at a time: its signed
 * recognition webhook, then wait until it is Sent. Per document:
 * - total: its sent_at minus the moment it became recognised (its "recognised" event, stamped
 *   with the start of the webhook's transaction; auto-send runs in the webhook's request, so the
 *   webhook's 200 comes after the delivery was queued and is no start to count from);
 * - connector: its successful attempt's finished_at minus started_at, the dispatch's own timing of
 *   the delivery (claim, file, the package's calls, the record).
 * Prints per driver `bench auto-send-latency ratio=<p95 total / p95 connector> p95_ms=<n>
 * connector_p95_ms=<n> driver=<name> …` (goal: ratio ≤ 1.5) and the load average; besides, the
 * p95 from the moment the webhook was posted to Sent (`from_post_p95_ms`, its HTTP and signature
 * check included) and the webhook's own answer time.
 */

import { rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { openDb } from "@/db";
import * as autoSendWorld from "./auto-send-world";
import { createBenchDatabase, ensureBuild, type NextServer, startNextServer } from "./production";
import type { Rows } from "./setup";
import { runLoad } from "./webhook-loadgen";

const PORT = 35120;
const DRIVERS = ["postgres", "local"] as const;

const log = (message: string) => console.log(`[auto-send-latency] ${message}`);

export async function benchAutoSendLatency(args: readonly string[]): Promise<void> {
  const smoke = args.includes("--smoke");
  const packageMs = Number(args.find((arg) => arg.startsWith("--package-ms="))?.slice("--package-ms=".length) ?? 0);
  const runs = smoke ? 10 : 100;
  const warmUp = smoke ? 2 : 5;
  const startedAt = performance.now();
  ensureBuild(log);
  const database = await createBenchDatabase("koppel_latency_bench");
  const opened = await openDb({ url: database.url });
  const world = await autoSendWorld.createWorld(opened.db, 1, { answerDelayMs: packageMs });
  const [office] = world.offices;
  let server: NextServer | undefined;
  try {
    if (!office) throw new Error("no office");
    for (const driver of DRIVERS) {
      server = await startNextServer({
        port: PORT,
        label: driver,
        env: { ...world.serverEnv, DATABASE_URL: database.url, JOB_DRIVER: driver },
      });
      const ids = await autoSendWorld.addAwaitingDocuments(world, office, warmUp + runs);
      const totals: number[] = [];
      const fromPost: number[] = [];
      const connectors: number[] = [];
      const webhooks: number[] = [];
      const measured: string[] = [];
      for (const [index, documentId] of ids.entries()) {
        const { answers } = await runLoad({
          ratePerSecond: 1,
          instances: [server.baseUrl],
          deliveries: [
            { portalId: office.portalId, secret: office.secret, documentId, invoiceNumber: `L-${driver}-${index}` },
          ],
        });
        const answer = answers[0];
        if (answer?.status !== 200) throw new Error(`the webhook answered ${answer?.status}`);
        const deadline = Date.now() + 30_000;
        let sentAt: number | null = null;
        while (sentAt === null) {
          if (Date.now() > deadline) throw new Error(`document ${documentId} not Sent within 30 s`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          sentAt = (await autoSendWorld.sentTimes(opened.db, [documentId])).get(documentId) ?? null;
        }
        const attempt = (await opened.db.execute(sql`
          select (extract(epoch from finished_at - started_at) * 1000)::float8 as ms from attempts
          where document_id = ${documentId} and outcome = 'succeeded'`)) as unknown as Rows<{ ms: number }>;
        if (index < warmUp) continue;
        const recognisedAt = (await autoSendWorld.recognisedTimes(opened.db, [documentId])).get(documentId);
        totals.push(sentAt - (recognisedAt ?? Number.NaN));
        fromPost.push(sentAt - (answer.answeredAtMs - answer.tookMs));
        measured.push(documentId);
        connectors.push(Number(attempt.rows[0]?.ms ?? Number.NaN));
        webhooks.push(answer.tookMs);
      }
      await server.stop();
      server = undefined;
      const p95 = autoSendWorld.percentile(totals, 95);
      const connectorP95 = autoSendWorld.percentile(connectors, 95);
      console.log(
        `bench auto-send-latency ratio=${(p95 / connectorP95).toFixed(2)} p95_ms=${p95.toFixed(0)} connector_p95_ms=${connectorP95.toFixed(0)} ` +
          `driver=${driver} p50_ms=${autoSendWorld.percentile(totals, 50).toFixed(0)} connector_p50_ms=${autoSendWorld.percentile(connectors, 50).toFixed(0)} ` +
          `overhead_p95_ms=${(p95 - connectorP95).toFixed(0)} from_post_p95_ms=${autoSendWorld.percentile(fromPost, 95).toFixed(0)} ` +
          `webhook_p95_ms=${autoSendWorld.percentile(webhooks, 95).toFixed(0)} ` +
          `package_ms=${packageMs} documents=${runs} db=postgres connector=${autoSendWorld.CONNECTOR}`,
      );
      // pg-boss's job rows say where the rest went (the in-process driver keeps none).
      if (driver === "postgres")
        log(`postgres driver stages p50/p95 ms: ${await autoSendWorld.stageBreakdown(opened.db, measured)}`);
    }
    log(
      `${runs} documents per driver after ${warmUp} warm-ups${smoke ? " (smoke)" : ""}; done in ${((performance.now() - startedAt) / 1000).toFixed(0)} s; ${autoSendWorld.loadLine()}`,
    );
  } finally {
    await server?.stop();
    await world.fake.close();
    await opened.close();
    await database.drop();
    rmSync(world.dataDir, { recursive: true, force: true });
  }
}
