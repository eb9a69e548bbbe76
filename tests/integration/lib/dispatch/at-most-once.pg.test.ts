import { eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, documents, outboxEmails } from "@/db/schema";
import { type Actor, systemActor } from "@/lib/auth/actor";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { type DispatchRequestedEvent, requestSend } from "@/lib/dispatch/request-send";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { SEND_TRIGGERS, type SendTrigger } from "@/lib/dispatch/schemas";
import { resetEnvCache } from "@/lib/env";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "../integrations/setup";
import {
  collectingEnqueue,
  distinctIdempotencyKeys,
  insertSendableDocument,
  runDeliverJob,
  setIntegration,
  useTempFileStore,
} from "./setup";

// "Delivered at most once", proven where it can be: real PostgreSQL, many connections, real races.
// PGlite runs one transaction at a time, so this file runs only with TEST_DATABASE_URL.

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

const CALLS = 50;

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
let resend: Awaited<ReturnType<typeof startFakeResend>>;

beforeAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  resetEnvCache();
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  // The entrepreneur's own dossier, so every kind of actor can send in it.
  await setIntegration(opened.db, world.dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
  });
  resend = await startFakeResend();
});
afterEach(() => {
  resend.requests.length = 0;
  delete process.env.RESEND_API_KEY;
  delete process.env.RESEND_BASE_URL;
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

/** A small deterministic generator, so a failure can be replayed. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** 20 inbox documents, 5 failed (retry) and 5 rejected (send again), purchase and sales. */
async function insertDocuments() {
  const rows = [];
  for (let i = 0; i < 30; i++) {
    rows.push(
      await insertSendableDocument(opened.db, world.dossier, {
        documentType: i % 3 === 0 ? "sales_invoice" : "purchase_invoice",
        status: i < 20 ? "inbox" : i < 25 ? "failed" : "rejected",
      }),
    );
  }
  return rows.map((row) => row.id);
}

const ACTOR_OF: Record<SendTrigger, () => Actor> = {
  manual: () => world.actors.entrepreneur,
  bulk: () => world.actors.accountant,
  auto: () => systemActor("auto-send"),
  retry: () => world.actors.admin,
};

/**
 * CALLS concurrent requestSend calls over the same documents, the triggers mixed: a bulk of all
 * of them (shuffled), a manual click on one to three, auto-send of one, a retry of a few.
 */
async function sendConcurrently(documentIds: string[], seed: number) {
  const random = seeded(seed);
  const pick = (count: number) => [...documentIds].sort(() => random() - 0.5).slice(0, count);
  const queue = collectingEnqueue();
  const calls = Array.from({ length: CALLS }, (_, index) => {
    const trigger = SEND_TRIGGERS[index % SEND_TRIGGERS.length] as SendTrigger;
    const ids =
      trigger === "bulk"
        ? pick(documentIds.length)
        : trigger === "auto"
          ? pick(1)
          : pick(1 + Math.floor(random() * (trigger === "retry" ? 8 : 3)));
    return requestSend(
      opened.db,
      ACTOR_OF[trigger](),
      { dossierId: world.dossier.id, documentIds: ids, trigger },
      { enqueue: queue.enqueue },
    );
  });
  const results = await Promise.all(calls);
  return { results, events: queue.events };
}

async function expectOneDispatchPerDocument(documentIds: string[], events: DispatchRequestedEvent[]) {
  const rows = await opened.db
    .select({ id: dispatches.id, documentId: dispatches.documentId, status: dispatches.status })
    .from(dispatches)
    .where(inArray(dispatches.documentId, documentIds));
  expect(rows).toHaveLength(documentIds.length);
  expect(new Set(rows.map((row) => row.documentId)).size).toBe(documentIds.length);
  expect(events.map((event) => event.dispatchId).sort()).toEqual(rows.map((row) => row.id).sort());
  return rows;
}

describe("at most once on PostgreSQL", () => {
  it("50 concurrent mixed sends of the same documents: one dispatch and one mail per document", async () => {
    process.env.RESEND_API_KEY = "re_test";
    process.env.RESEND_BASE_URL = resend.url;
    resetEnvCache();
    const documentIds = await insertDocuments();
    const { results, events } = await sendConcurrently(documentIds, 1);

    const accepted = results.flatMap((result) => result.accepted.map((a) => a.documentId));
    expect(accepted.sort()).toEqual([...documentIds].sort());
    // Every loser was told the document is on its way; nothing else went wrong.
    expect(new Set(results.flatMap((result) => result.refused.map((r) => r.reason)))).toEqual(
      new Set(["already_sending"]),
    );
    await expectOneDispatchPerDocument(documentIds, events);
    const statuses = await opened.db
      .select({ status: documents.status })
      .from(documents)
      .where(inArray(documents.id, documentIds));
    expect(statuses.every((row) => row.status === "sending")).toBe(true);

    // Run the jobs, all at once.
    const runs = await Promise.all(events.map((event) => runDeliverJob(event)));
    expect(runs.filter((run) => run.error)).toEqual([]);

    const mails = resend.requests.filter((request) => request.url === "/emails");
    expect(mails).toHaveLength(documentIds.length);
    expect(distinctIdempotencyKeys(mails).sort()).toEqual(events.map((event) => event.dispatchId).sort());
    const sent = await opened.db
      .select({ status: documents.status })
      .from(documents)
      .where(inArray(documents.id, documentIds));
    expect(sent.every((row) => row.status === "sent")).toBe(true);

    // And nothing can be sent again.
    const again = await sendConcurrently(documentIds, 2);
    expect(again.events).toEqual([]);
    expect(new Set(again.results.flatMap((result) => result.refused.map((r) => r.reason)))).toEqual(
      new Set(["already_sent"]),
    );
  });

  it("duplicate runs of every job at once (a resume next to a late retry) still leave one mail per document", async () => {
    const documentIds = await insertDocuments();
    const { events } = await sendConcurrently(documentIds, 3);
    const rows = await expectOneDispatchPerDocument(documentIds, events);

    // Three runs of each dispatch at the same time, on the local outbox.
    await Promise.all(events.flatMap((event) => [runDeliverJob(event), runDeliverJob(event), runDeliverJob(event)]));

    const mails = await opened.db
      .select({ key: outboxEmails.idempotencyKey })
      .from(outboxEmails)
      .where(
        inArray(
          outboxEmails.idempotencyKey,
          rows.map((row) => row.id),
        ),
      );
    expect(mails).toHaveLength(documentIds.length);
    const finished = await opened.db
      .select({ status: dispatches.status })
      .from(dispatches)
      .where(inArray(dispatches.documentId, documentIds));
    expect(finished.every((row) => row.status === "succeeded")).toBe(true);
    const sent = await opened.db
      .select({ status: documents.status })
      .from(documents)
      .where(inArray(documents.id, documentIds));
    expect(sent.every((row) => row.status === "sent")).toBe(true);
  });

  it("a job that dies after the connector succeeded and before the commit does not deliver twice", async () => {
    process.env.RESEND_API_KEY = "re_test";
    process.env.RESEND_BASE_URL = resend.url;
    resetEnvCache();
    const documentIds = (await insertDocuments()).slice(0, 10);
    const { events } = await sendConcurrently(documentIds, 4);
    expect(events).toHaveLength(documentIds.length);

    // Every first try "dies" between the acknowledgement and the database commit.
    const died = await Promise.allSettled(
      events.map((event) =>
        deliverDispatch(opened.db, event.dispatchId, {
          afterConnectorCall: () => {
            throw new Error("process killed");
          },
        }),
      ),
    );
    expect(died.every((result) => result.status === "rejected")).toBe(true);
    expect(resend.requests).toHaveLength(documentIds.length);

    // The next start resumes them; each goes out again under the same key, which Resend replays.
    const resumed = collectingEnqueue();
    await resumeUnfinishedDispatches(opened.db, { enqueue: resumed.enqueue });
    expect(resumed.events.map((e) => e.dispatchId).sort()).toEqual(events.map((e) => e.dispatchId).sort());
    await Promise.all(resumed.events.map((event) => runDeliverJob(event)));

    const mails = resend.requests.filter((request) => request.url === "/emails");
    expect(mails).toHaveLength(2 * documentIds.length);
    expect(distinctIdempotencyKeys(mails)).toHaveLength(documentIds.length);
    for (const event of events) {
      expect(mails.filter((m) => m.headers["idempotency-key"] === event.dispatchId)).toHaveLength(2);
      const [dispatch] = await opened.db.select().from(dispatches).where(eq(dispatches.id, event.dispatchId));
      expect(dispatch).toMatchObject({ status: "succeeded", attemptCount: 2 });
    }
  });
});
