import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, outboxEmails } from "@/db/schema";
import { register } from "@/instrumentation";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { resetEnvCache } from "@/lib/env";
import { getLocalJobDriver, startJobs, stopLocalJobDriver } from "@/lib/jobs/runtime";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";
import {
  attemptsOf,
  collectingEnqueue,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  runDeliverJob,
  setIntegration,
  useTempFileStore,
} from "./setup";

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
let resend: Awaited<ReturnType<typeof startFakeResend>>;

beforeAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  resend = await startFakeResend();
});
beforeEach(async () => {
  resend.requests.length = 0;
  // Each test starts without unfinished dispatches of an earlier one.
  await opened.db.delete(dispatches);
});
afterEach(async () => {
  await stopLocalJobDriver();
  delete process.env.RESEND_API_KEY;
  delete process.env.RESEND_BASE_URL;
  delete process.env.INNGEST_DEV;
  resetEnvCache();
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

async function mailDossier() {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, {
    kind: "free_email",
    addresses: { purchase: "boekhouding@kantoor.example" },
  });
  return dossier;
}

async function requestAll(dossier: { id: string }, documentIds: string[]) {
  const queue = collectingEnqueue();
  await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds, trigger: "bulk" },
    { enqueue: queue.enqueue },
  );
  return queue.events;
}

/** One try that "dies" after the connector acknowledged and before anything was recorded. */
async function dieAfterDelivery(dispatchId: string) {
  await expect(
    deliverDispatch(opened.db, dispatchId, {
      afterConnectorCall: () => {
        throw new Error("process killed");
      },
    }),
  ).rejects.toThrow("process killed");
}

describe("a job that dies after the connector succeeded, before the commit", () => {
  it("is resumed with the same idempotency key, so the outbox holds the mail once", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const [event] = await requestAll(dossier, [document.id]);
    if (!event) throw new Error("not accepted");

    await dieAfterDelivery(event.dispatchId);
    expect((await dispatchesOf(opened.db, document.id))[0]).toMatchObject({ status: "running", attemptCount: 1 });
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");

    const queue = collectingEnqueue();
    expect(await resumeUnfinishedDispatches(opened.db, { enqueue: queue.enqueue })).toBe(1);
    expect(queue.events).toEqual([event]);
    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent", attempt: 2 });

    const mails = await opened.db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, event.dispatchId));
    expect(mails).toHaveLength(1);
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sent", packageReference: mails[0]?.id });
    expect(await attemptsOf(opened.db, event.dispatchId)).toMatchObject([
      { number: 1, outcome: "retryable_error", errorCode: "interrupted", reason: "dispatch.errors.interrupted" },
      { number: 2, outcome: "succeeded" },
    ]);
  });

  it("sends Resend the same Idempotency-Key again, so Resend replays instead of mailing twice", async () => {
    process.env.RESEND_API_KEY = "re_test";
    process.env.RESEND_BASE_URL = resend.url;
    resetEnvCache();
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const [event] = await requestAll(dossier, [document.id]);
    if (!event) throw new Error("not accepted");

    await dieAfterDelivery(event.dispatchId);
    const driver = await getLocalJobDriver();
    await resumeUnfinishedDispatches(opened.db);
    await driver.idle();

    expect(resend.requests.map((request) => request.headers["idempotency-key"])).toEqual([
      event.dispatchId,
      event.dispatchId,
    ]);
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
  });
});

/** What the server does when it starts (instrumentation.ts), in the Node runtime. */
async function startServer() {
  vi.stubEnv("NEXT_RUNTIME", "nodejs");
  try {
    await register();
  } finally {
    vi.unstubAllEnvs();
  }
}

describe("resume on start", () => {
  it("re-enqueues queued and running dispatches, and only those, when the server starts in process", async () => {
    const dossier = await mailDossier();
    const [queued, running, done] = await Promise.all([
      insertSendableDocument(opened.db, dossier),
      insertSendableDocument(opened.db, dossier),
      insertSendableDocument(opened.db, dossier),
    ]);
    await requestAll(dossier, [queued.id, running.id, done.id]);
    const dispatchOf = async (documentId: string) => (await dispatchesOf(opened.db, documentId))[0]?.id ?? "";
    await dieAfterDelivery(await dispatchOf(running.id));
    const doneDispatchId = await dispatchOf(done.id);
    expect(
      (await runDeliverJob({ dispatchId: doneDispatchId, concurrencyKey: "email:0", throttleKey: doneDispatchId }))
        .result,
    ).toMatchObject({ outcome: "sent" });
    // A test send left running is no job: it is not resumed.
    await opened.db.insert(dispatches).values({
      portalId: dossier.portalId,
      dossierId: dossier.id,
      documentId: null,
      trigger: "test",
      status: "running",
    });

    await startServer();
    await (await getLocalJobDriver()).idle();

    for (const document of [queued, running, done]) {
      expect((await documentOf(opened.db, document.id)).status).toBe("sent");
    }
    expect(await attemptsOf(opened.db, await dispatchOf(done.id))).toHaveLength(1);
    expect(await attemptsOf(opened.db, await dispatchOf(queued.id))).toHaveLength(1);
    expect(await attemptsOf(opened.db, await dispatchOf(running.id))).toHaveLength(2);
    const keys = [queued, running, done].map((d) => dispatchOf(d.id));
    for (const key of await Promise.all(keys)) {
      expect(await opened.db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, key))).toHaveLength(1);
    }
  });

  it("is the server start's: starting the jobs alone resumes nothing", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await requestAll(dossier, [document.id]);

    expect(await startJobs()).toBe("local");
    await (await getLocalJobDriver()).idle();

    expect((await dispatchesOf(opened.db, document.id))[0]).toMatchObject({ status: "queued" });
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
  });

  it("leaves unfinished dispatches to Inngest (and its sweeper) when Inngest runs the jobs", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await requestAll(dossier, [document.id]);
    process.env.INNGEST_DEV = "1";
    resetEnvCache();

    await startServer();

    expect(globalThis.__koppelLocalJobDriver).toBeUndefined();
    expect((await dispatchesOf(opened.db, document.id))[0]).toMatchObject({ status: "queued" });
  });
});

describe("the sweeper (Inngest has no resume on start)", () => {
  it("re-enqueues only active dispatches untouched since the cut-off and not waiting for a Retry-After", async () => {
    const dossier = await mailDossier();
    const [stale, fresh, waiting] = [
      await insertSendableDocument(opened.db, dossier),
      await insertSendableDocument(opened.db, dossier),
      await insertSendableDocument(opened.db, dossier),
    ];
    expect(await requestAll(dossier, [stale.id, fresh.id, waiting.id])).toHaveLength(3);
    const byDocument = new Map(
      (await opened.db.select().from(dispatches)).map((row) => [row.documentId, row] as const),
    );
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await opened.db
      .update(dispatches)
      .set({ updatedAt: hourAgo })
      .where(eq(dispatches.id, byDocument.get(stale.id)?.id ?? ""));
    await opened.db
      .update(dispatches)
      .set({ updatedAt: hourAgo, nextAttemptAt: new Date(Date.now() + 60 * 60 * 1000) })
      .where(eq(dispatches.id, byDocument.get(waiting.id)?.id ?? ""));

    const queue = collectingEnqueue();
    const cutOff = new Date(Date.now() - 30 * 60 * 1000);
    const sweep = { now: new Date(), queuedStaleBefore: cutOff };
    expect(await resumeUnfinishedDispatches(opened.db, { enqueue: queue.enqueue, sweep })).toBe(1);
    expect(queue.events.map((event) => event.dispatchId)).toEqual([byDocument.get(stale.id)?.id]);
  });
});
