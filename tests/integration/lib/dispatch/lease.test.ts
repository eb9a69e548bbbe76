import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches } from "@/db/schema";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { holdLease, LEASE_MS, renewLease, SWEEP_INTERVAL_MS } from "@/lib/dispatch/lease";
import { requestSend } from "@/lib/dispatch/request-send";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { resetEnvCache } from "@/lib/env";
import { dispatchSweep } from "@/lib/jobs/definitions/dispatch-sweep";
import { handler as deliverJob } from "@/lib/jobs/handlers/deliver";
import type { JobStep } from "@/lib/jobs/types";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { flakyDb } from "../../../helpers/flaky-db";
import { createWorld, type World } from "../integrations/setup";
import {
  attemptsOf,
  collectingEnqueue,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "./setup";

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let flaky: ReturnType<typeof flakyDb>;
let world: World;
let cleanupFiles: () => void;
let resend: Awaited<ReturnType<typeof startFakeResend>>;

beforeAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  opened = await createTestDb();
  flaky = flakyDb(opened);
  // The jobs' getDb() is the switchable one.
  globalThis.__koppelDb = Promise.resolve(flaky.opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  resend = await startFakeResend();
  // Mail goes to the fake Resend: what it received is counted there, not in our database.
  process.env.RESEND_API_KEY = "re_test";
  process.env.RESEND_BASE_URL = resend.url;
  resetEnvCache();
});
beforeEach(async () => {
  flaky.setDown(false);
  resend.requests.length = 0;
  await opened.db.delete(dispatches);
});
afterAll(async () => {
  await resend?.close();
  cleanupFiles?.();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

async function requestOne() {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, {
    kind: "free_email",
    addresses: { purchase: "boekhouding@kantoor.example" },
  });
  const document = await insertSendableDocument(opened.db, dossier);
  const queue = collectingEnqueue();
  await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: [document.id], trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  const [event] = queue.events;
  if (!event) throw new Error("not accepted");
  return { document, event };
}

/** Mails the fake Resend accepted, by Idempotency-Key (Resend replays a repeated key). */
function acceptedKeys(): string[] {
  return [...new Set(resend.requests.map((request) => String(request.headers["idempotency-key"])))];
}

async function leaseOf(dispatchId: string) {
  const [row] = await opened.db
    .select({ status: dispatches.status, leaseExpiresAt: dispatches.leaseExpiresAt })
    .from(dispatches)
    .where(eq(dispatches.id, dispatchId));
  return row;
}

/** The sweep at `now`, as the dispatch-sweep cron runs it; returns the dispatch ids it enqueued. */
async function sweepAt(now: Date): Promise<string[]> {
  const queue = collectingEnqueue();
  await resumeUnfinishedDispatches(opened.db, {
    enqueue: queue.enqueue,
    sweep: { now, queuedStaleBefore: new Date(now.getTime() - 30 * 60_000) },
  });
  return queue.events.map((event) => event.dispatchId);
}

/** A run that dies after the package took the document, before anything was recorded (kill -9). */
async function dieAfterDelivery(dispatchId: string) {
  await expect(
    deliverDispatch(opened.db, dispatchId, {
      afterConnectorCall: () => {
        throw new Error("process killed");
      },
    }),
  ).rejects.toThrow("process killed");
}

describe("the lease on a running dispatch", () => {
  it("is taken by the claim, cleared when the dispatch finishes, and the sweep runs every minute", async () => {
    expect(dispatchSweep.trigger).toEqual({ cron: "* * * * *" });
    expect(LEASE_MS + SWEEP_INTERVAL_MS).toBeLessThanOrEqual(90_000);
    const { event } = await requestOne();
    let during: Awaited<ReturnType<typeof leaseOf>>;
    const before = Date.now();
    await deliverDispatch(opened.db, event.dispatchId, {
      afterConnectorCall: async () => {
        during = await leaseOf(event.dispatchId);
      },
    });
    expect(during?.status).toBe("running");
    expect(during?.leaseExpiresAt?.getTime()).toBeGreaterThanOrEqual(before + LEASE_MS - 1_000);
    expect(await leaseOf(event.dispatchId)).toEqual({ status: "succeeded", leaseExpiresAt: null });
  });

  it("an expired lease is swept at the first sweep after it ran out; a live one never", async () => {
    const { event } = await requestOne();
    await dieAfterDelivery(event.dispatchId);
    const lease = await leaseOf(event.dispatchId);
    if (!lease?.leaseExpiresAt) throw new Error("no lease");
    const expiresAt = lease.leaseExpiresAt.getTime();

    // Every sweep while the lease lives leaves it alone.
    for (const at of [Date.now(), expiresAt - 5_000, expiresAt - 1]) expect(await sweepAt(new Date(at))).toEqual([]);
    // The first sweep after it ran out (at most a minute later) hands it to a new run.
    expect(await sweepAt(new Date(expiresAt + 1))).toEqual([event.dispatchId]);
    expect(await sweepAt(new Date(expiresAt + SWEEP_INTERVAL_MS))).toEqual([event.dispatchId]);
  });

  it("a renewed lease is not swept while its run works, and a renewal stops once the dispatch is finished", async () => {
    const { event } = await requestOne();
    await dieAfterDelivery(event.dispatchId);
    const first = (await leaseOf(event.dispatchId))?.leaseExpiresAt?.getTime() ?? 0;

    // The run is alive and renews 25 s later: at the old expiry + 1 s the sweep must not take it.
    expect(await renewLease(opened.db, event.dispatchId, new Date(first - LEASE_MS + 25_000))).toBe(true);
    expect(await sweepAt(new Date(first + 1_000))).toEqual([]);

    await opened.db.update(dispatches).set({ status: "succeeded" }).where(eq(dispatches.id, event.dispatchId));
    expect(await renewLease(opened.db, event.dispatchId)).toBe(false);
  });

  it("holdLease renews on its own while the run works, and a renewal that cannot reach the database is let go", async () => {
    const { event } = await requestOne();
    await dieAfterDelivery(event.dispatchId);
    await opened.db
      .update(dispatches)
      .set({ leaseExpiresAt: new Date(Date.now() - 1_000) })
      .where(eq(dispatches.id, event.dispatchId));
    const held = holdLease(opened.db, event.dispatchId, { renewEveryMs: 50 });
    try {
      await expect
        .poll(async () => (await leaseOf(event.dispatchId))?.leaseExpiresAt?.getTime() ?? 0, { timeout: 5_000 })
        .toBeGreaterThan(Date.now() + LEASE_MS - 5_000);
    } finally {
      held.release();
    }
    flaky.setDown(true);
    expect(await renewLease(flaky.db, event.dispatchId)).toBe(false);
  });
});

/** A step API whose sleeps bring the database back after `downForSleeps` of them. */
function stepBringingTheDatabaseBack(downForSleeps: number) {
  const sleeps: string[] = [];
  const step: JobStep = {
    run: async (_name, fn) => JSON.parse(JSON.stringify((await fn()) ?? null)),
    sendEvents: async () => {},
    sleepUntil: async (name) => {
      sleeps.push(name);
      if (sleeps.length >= downForSleeps) flaky.setDown(false);
    },
  };
  return { step, sleeps };
}

const quietLogger = { info: () => {}, warn: () => {}, error: () => {} };

describe("a database outage", () => {
  it("before the package is called costs no try: the run is put back, waits, and sends once when the database is back", async () => {
    const { document, event } = await requestOne();
    flaky.setDown(true);
    const { step, sleeps } = stepBringingTheDatabaseBack(4);

    const result = await deliverJob.run({ payload: event, step, logger: quietLogger, attempt: 0 });

    expect(result).toMatchObject({ outcome: "sent", attempt: 1 });
    expect(sleeps).toEqual(Array(4).fill("wait-for-database"));
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([{ status: "succeeded", attemptCount: 1 }]);
    expect(await attemptsOf(opened.db, event.dispatchId)).toMatchObject([{ number: 1, outcome: "succeeded" }]);
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
    expect(resend.requests).toHaveLength(1);
  });

  it("the put-back leaves the dispatch queued and uncounted: no attempt, no lease, and the sweep leaves it to its run", async () => {
    const { document, event } = await requestOne();
    flaky.setDown(true);
    expect(await deliverDispatch(flaky.db, event.dispatchId)).toEqual({
      outcome: "deferred",
      reason: "database_unreachable",
    });
    flaky.setDown(false);
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([
      { status: "queued", attemptCount: 0, leaseExpiresAt: null },
    ]);
    expect(await attemptsOf(opened.db, event.dispatchId)).toEqual([]);
    expect(await sweepAt(new Date(Date.now() + 2 * 60_000))).toEqual([]);
    expect(resend.requests).toHaveLength(0);
  });

  it("after the package was called: the record waits for the database, and the package got the document once", async () => {
    const { document, event } = await requestOne();
    const result = await deliverDispatch(flaky.db, event.dispatchId, {
      afterConnectorCall: () => {
        flaky.setDown(true);
        setTimeout(() => flaky.setDown(false), 1_200);
      },
    });
    expect(result).toMatchObject({ outcome: "sent", attempt: 1 });
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
    expect(resend.requests).toHaveLength(1);
  });

  it("a failure that cannot be written is written when the database is back, not lost or left 'sending'", async () => {
    const { document, event } = await requestOne();
    // The mail service refuses for good, and the database is away when the run records it.
    resend.respondWith({ status: 422, body: { name: "validation_error", message: "bad", statusCode: 422 } });
    const originalFetch = globalThis.fetch;
    globalThis.fetch = async (...args) => {
      const answer = await originalFetch(...args);
      flaky.setDown(true);
      setTimeout(() => flaky.setDown(false), 1_200);
      return answer;
    };
    try {
      await expect(deliverDispatch(flaky.db, event.dispatchId)).rejects.toThrow(/permanent/);
    } finally {
      globalThis.fetch = originalFetch;
      resend.respondWith(undefined);
    }
    expect(await dispatchesOf(opened.db, document.id)).toMatchObject([{ status: "failed", leaseExpiresAt: null }]);
    expect((await documentOf(opened.db, document.id)).status).toBe("failed");
  });

  it("keeps at most once when the run dies while the database is away: the lease runs out, the sweep re-runs it, one mail per key", async () => {
    const { document, event } = await requestOne();
    await expect(
      deliverDispatch(flaky.db, event.dispatchId, {
        afterConnectorCall: () => {
          flaky.setDown(true);
          throw new Error("process killed");
        },
      }),
    ).rejects.toThrow("process killed");
    flaky.setDown(false);
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    const expiresAt = (await leaseOf(event.dispatchId))?.leaseExpiresAt?.getTime() ?? 0;
    expect(await sweepAt(new Date(expiresAt - 1))).toEqual([]);
    expect(await sweepAt(new Date(expiresAt + 1))).toEqual([event.dispatchId]);

    const { step } = stepBringingTheDatabaseBack(0);
    expect(await deliverJob.run({ payload: event, step, logger: quietLogger, attempt: 0 })).toMatchObject({
      outcome: "sent",
      attempt: 2,
    });
    // The second try carried the same key: Resend replays it instead of mailing twice.
    expect(acceptedKeys()).toEqual([event.dispatchId]);
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
  });
});
