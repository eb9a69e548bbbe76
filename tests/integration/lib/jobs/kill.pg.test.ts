import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { requestSend } from "@/lib/dispatch/request-send";
import { DISPATCH_REQUESTED } from "@/lib/jobs/definitions/deliver";
import { JOB_HANDLERS } from "@/lib/jobs/handler-registry";
import { PostgresJobDriver } from "@/lib/jobs/postgres/driver";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";
import type { JobHandlerLoader } from "@/lib/jobs/types";
import { enableTestOnlyPackages } from "@/lib/packages/catalog";
import { type FakeTestApi, startFakeTestApi } from "../../../fakes/test-api";
import { useTestEncryptionKey } from "../connections/helpers";
import { connectNewDossier, type World } from "../integrations/setup";
import {
  countSent,
  describeKillProof,
  expectDeliveredOnceDespiteKill,
  insertBulk,
  KILL_PROOF_COUNT,
  type KillProofSetting,
  measureKillProof,
  openKillProofSetting,
  waitUntil,
} from "./kill-proof";

/**
 * At most once across instances on the PostgreSQL job driver (issue 14): two worker processes
 * (fixtures/pg-worker.ts, the real deliver job on the production lease settings) share one
 * PostgreSQL; a bulk send of 500 documents goes to the Test API fake (which files a second upload
 * of the same reference again, so a double delivery would show); in the middle, the worker that has
 * a delivery in flight is killed with SIGKILL. Every document must end Sent, filed exactly once
 * (counted on the fake's side); the document that was in flight must be Sent within 60 s of the
 * kill, and no stretch after the kill may pass 60 s without a document Sent (./kill-proof.ts, shared
 * with kill-instances.pg.test.ts, the same proof on two production instances). The time until the
 * last of the bulk is Sent is printed, not asserted: the connection delivers one document at a
 * time, so it measures the machine's speed as much as the recovery.
 */

const url = process.env.TEST_DATABASE_URL as string;
const COUNT = KILL_PROOF_COUNT;
const KILL_AFTER_FILED = Math.round(COUNT / 2);
const WORKER = path.join(import.meta.dirname, "fixtures", "pg-worker.ts");

type Worker = { name: string; child: ChildProcess; inFlight: Set<string>; ready: Promise<void>; exited: boolean };

let setting: KillProofSetting;
let opened: OpenedDb;
let world: World;
let fake: FakeTestApi;
let dataDir: string;
let hideTestOnlyPackages: () => void;
const workers: Worker[] = [];
let sender: PostgresJobDriver | undefined;

function startWorker(name: string, encryptionKey: string): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", WORKER], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: url,
      JOB_DRIVER: "postgres",
      KOPPEL_DATA_DIR: dataDir,
      APP_ENCRYPTION_KEY: encryptionKey,
      KOPPEL_ALLOW_CUSTOM_API_HOSTS: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const inFlight = new Set<string>();
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const worker: Worker = { name, child, inFlight, ready, exited: false };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    const [word, id] = line.split(" ");
    if (process.env.KILL_PROOF_VERBOSE && (word === "START" || word === "END"))
      process.stderr.write(`[${name}] ${line}\n`);
    if (word === "READY") markReady();
    else if (word === "START" && id) inFlight.add(id);
    else if (word === "END" && id) inFlight.delete(id);
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
    if (process.env.KILL_PROOF_VERBOSE || /^error/.test(line)) process.stderr.write(`[${name}] ${line}\n`);
  });
  child.on("exit", () => {
    worker.exited = true;
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  fake = await startFakeTestApi();
  setting = await openKillProofSetting(url, useTestEncryptionKey());
  ({ opened, world, dataDir } = setting);
  hideTestOnlyPackages = enableTestOnlyPackages();
  startWorker("A", setting.encryptionKey);
  startWorker("B", setting.encryptionKey);
  await Promise.all(workers.map((worker) => worker.ready));
  sender = new PostgresJobDriver({
    connectionString: url,
    definitions: JOB_DEFINITIONS,
    handlers: JOB_HANDLERS as unknown as Record<string, JobHandlerLoader>,
    work: false,
  });
  await sender.start();
}, 120_000);

afterAll(async () => {
  for (const worker of workers) if (!worker.exited) worker.child.kill("SIGKILL");
  await sender?.stop();
  hideTestOnlyPackages?.();
  await fake?.close();
  await setting?.close();
});

describe("two instances on the PostgreSQL job driver", () => {
  it("deliver a bulk of 500 exactly once when one is killed mid-delivery, none later than 60 s after the kill", async () => {
    const { dossier } = await connectNewDossier(
      opened.db,
      world,
      { packageId: "test-api", label: "Test API", settings: { baseUrl: fake.url }, secrets: { apiKey: fake.apiKey } },
      { ledgerId: fake.ledgerId },
    );
    const ids = await insertBulk(opened.db, dossier, COUNT);

    const sentAt = Date.now();
    const { accepted } = await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: ids, trigger: "bulk" },
      {
        enqueue: async (events) => {
          await sender?.enqueueEvents(events.map((payload) => ({ name: DISPATCH_REQUESTED, payload })));
        },
      },
    );
    expect(accepted).toHaveLength(COUNT);

    const progress = setInterval(() => {
      if (process.env.KILL_PROOF_VERBOSE) {
        console.info(
          `t=${((Date.now() - sentAt) / 1000).toFixed(0)}s filed=${fake.documents.length} lookups=${fake.counts.lookups}`,
        );
      }
    }, 5_000);
    // The worker with a delivery in flight once 150 are filed: kill -9.
    let victim: Worker | undefined;
    await waitUntil(
      () => {
        if (fake.documents.length < KILL_AFTER_FILED) return false;
        victim = workers.find((worker) => worker.inFlight.size > 0);
        return Boolean(victim);
      },
      120_000,
      `${KILL_AFTER_FILED} filed and a delivery in flight`,
    );
    if (!victim) throw new Error("no worker to kill");
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    const filedAtKill = fake.documents.length;
    const inFlightAtKill = [...victim.inFlight];

    await waitUntil(
      async () => (await countSent(opened.db, dossier.id)) === COUNT,
      240_000,
      "every document Sent",
    ).finally(() => clearInterval(progress));

    const figures = await measureKillProof(opened.db, {
      dossierId: dossier.id,
      count: COUNT,
      killedAt,
      interruptedDispatchIds: inFlightAtKill,
      filedReferences: fake.documents.map((document) => document.reference),
    });
    console.info(
      `kill proof: ${COUNT} documents on one connection, worker ${victim.name} killed at ${filedAtKill} filed ` +
        `(${((killedAt - sentAt) / 1000).toFixed(1)} s after the send) with ${inFlightAtKill.length} delivery in flight; ` +
        `${describeKillProof(figures)}, ${fake.counts.lookups} lookups`,
    );
    expectDeliveredOnceDespiteKill(figures, inFlightAtKill);
  }, 480_000);
});
