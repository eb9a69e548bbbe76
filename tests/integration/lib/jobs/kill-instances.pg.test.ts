import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { createApiKey } from "@/lib/api-keys/service";
import { freePort, NextInstance, productionEnv } from "../../../../scripts/lib/next-instance";
import { type FakeSyneton, startFakeSyneton } from "../../../fakes/syneton-dms";
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
 * At most once across instances, proven on the app itself (issue 14): two production instances
 * (`next start` of the build in .next, JOB_DRIVER=postgres) share this PostgreSQL and one local file
 * store. A bulk of 500 documents on one Syneton DMS connection (the shipped connector, over HTTP to
 * tests/fakes/syneton-dms.ts on 127.0.0.1, which files a second upload of a reference again, so a
 * double delivery would show; the Test API package of kill.pg.test.ts exists only under NODE_ENV
 * test, which a production build cannot be) is sent through the REST API's send endpoint, half to
 * each instance. Half-way, the fake files an upload and withholds its answer; the instance that sent
 * it (found by the connection's port in /proc) is killed with SIGKILL, its delivery in flight and
 * its document filed. The bar is kill.pg.test.ts's (./kill-proof.ts): every document Sent, filed
 * once, the interrupted one Sent within 60 s of the kill, no stretch after the kill over 60 s
 * without a document Sent. Times are printed, not asserted beyond that bar.
 *
 * Needs the production build (CI builds before these tests: .ci/run) and PostgreSQL
 * (TEST_DATABASE_URL). Without a build the suite is skipped and says so; a stale build tests stale
 * code, so build after changing lib/.
 */

const url = process.env.TEST_DATABASE_URL as string;
const HAS_BUILD = existsSync(path.join(".next", "BUILD_ID"));
const SKIPPED_BECAUSE = "no production build in .next: run `npx next build` first (.ci/run does)";
if (!HAS_BUILD) console.warn(`kill-instances.pg.test.ts skipped: ${SKIPPED_BECAUSE}`);
const COUNT = KILL_PROOF_COUNT;
const KILL_AFTER_FILED = Math.round(COUNT / 2);

let setting: KillProofSetting;
let opened: OpenedDb;
let world: World;
let fake: FakeSyneton;
let dataDir: string;
const instances: NextInstance[] = [];

async function startInstance(name: string, encryptionKey: string): Promise<NextInstance> {
  const port = await freePort();
  const instance = new NextInstance(
    port,
    {
      ...productionEnv(port),
      DATABASE_URL: url,
      JOB_DRIVER: "postgres",
      KOPPEL_DATA_DIR: dataDir,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      APP_ENCRYPTION_KEY: encryptionKey,
      KOPPEL_ALLOW_CUSTOM_API_HOSTS: "1",
    },
    { logFile: path.join(dataDir, `instance-${name}.log`) },
  );
  instances.push(instance);
  await instance.start();
  return instance;
}

/**
 * Sends every document through POST /api/v1/documents/{id}/send, alternating between the
 * instances, 8 at a time, as an office's script would; each must answer 202.
 */
async function sendThroughApi(key: string, ids: string[]): Promise<void> {
  let next = 0;
  const statuses = new Map<number, number>();
  const worker = async () => {
    while (next < ids.length) {
      const index = next++;
      const instance = instances[index % instances.length] as NextInstance;
      const response = await fetch(`${instance.url}/api/v1/documents/${ids[index]}/send`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
      });
      await response.body?.cancel();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(Object.fromEntries(statuses)).toEqual({ 202: ids.length });
}

describe.skipIf(!HAS_BUILD)(
  `two production instances on the PostgreSQL job driver${HAS_BUILD ? "" : ` (skipped: ${SKIPPED_BECAUSE})`}`,
  () => {
    beforeAll(async () => {
      // No rate limit in the way: the proof is about the kill.
      fake = await startFakeSyneton({ rateLimit: { limit: 1_000_000, windowMs: 60_000 } });
      setting = await openKillProofSetting(url, useTestEncryptionKey());
      ({ opened, world, dataDir } = setting);
      await Promise.all([startInstance("A", setting.encryptionKey), startInstance("B", setting.encryptionKey)]);
    }, 240_000);

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await fake?.close();
      await setting?.close();
    }, 60_000);

    it("deliver a bulk of 500 sent through the API exactly once when the one with a delivery in flight is killed -9", async () => {
      const { dossier } = await connectNewDossier(
        opened.db,
        world,
        {
          packageId: "syneton-dms",
          label: "Syneton DMS",
          settings: { baseUrl: fake.url },
          secrets: { apiKey: fake.apiKey },
        },
        { customerId: fake.customers[0]?.CustomerId },
      );
      const ids = await insertBulk(opened.db, dossier, COUNT);
      const { key } = await createApiKey(opened.db, world.actors.admin, world.portal.id, {
        name: "kill proof",
        role: "accountant",
        scopes: ["documents:read", "documents:write"],
      });

      const sentAt = Date.now();
      await sendThroughApi(key, ids);
      const sendsDoneAt = Date.now();
      // Half-way (or the next upload, if the instances are past it already): filed, answer withheld.
      const held = await fake.holdAnswerOfUpload(Math.max(1, KILL_AFTER_FILED - fake.documents().length));
      const victim = instances.find((instance) => instance.holdsConnectionFrom(held.clientPort));
      if (!victim) throw new Error(`no instance holds the connection from port ${held.clientPort}`);
      victim.killHard();
      const killedAt = Date.now();
      const filedAtKill = fake.documents().length;

      await waitUntil(async () => (await countSent(opened.db, dossier.id)) === COUNT, 300_000, "every document Sent");

      const figures = await measureKillProof(opened.db, {
        dossierId: dossier.id,
        count: COUNT,
        killedAt,
        interruptedDispatchIds: [held.reference],
        filedReferences: fake.documents().map((document) => document.reference),
      });
      const load = (await import("node:os")).loadavg().map((n) => n.toFixed(2));
      console.info(
        `kill proof (two next start instances): ${COUNT} documents on one connection, sent through the API in ` +
          `${((sendsDoneAt - sentAt) / 1000).toFixed(1)} s; instance ${instances.indexOf(victim) === 0 ? "A" : "B"} ` +
          `killed at ${filedAtKill} filed (${((killedAt - sentAt) / 1000).toFixed(1)} s after the first send) with ` +
          `its upload filed and unanswered; ${describeKillProof(figures)}; the last Sent ` +
          `${((killedAt + figures.lastSentAfterKillMs - sentAt) / 1000).toFixed(1)} s after the first send; ` +
          `${fake.counts.lookups} lookups; load ${load.join(" ")}`,
      );
      expectDeliveredOnceDespiteKill(figures, [held.reference]);
    }, 600_000);
  },
);
