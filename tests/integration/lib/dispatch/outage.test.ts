import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { attempts, connections, deliveryBreakers, dispatches, documentEvents, documents } from "@/db/schema";
import { closeFtpSessions } from "@/lib/connectors/ftp";
import { connectionSecretsContext, encryptSecrets } from "@/lib/crypto/secrets";
import { BREAKER_THRESHOLD, closeBreaker, listUnreachable, MAIL_BREAKER_KEY } from "@/lib/dispatch/breaker";
import { requestSend } from "@/lib/dispatch/request-send";
import { resumeUnfinishedDispatches } from "@/lib/dispatch/resume";
import { resetEnvCache } from "@/lib/env";
import { getLocalJobDriver, stopLocalJobDriver } from "@/lib/jobs/runtime";
import { type FakeFtpServer, startFakeFtpServer } from "../../../fakes/ftp-server";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { allowPrivateFtpHosts } from "../connectors/ftp/helpers";
import { createWorld, type World } from "../integrations/setup";
import {
  attemptsOf,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "./setup";

// Outages end to end (issue 20): the real deliver job on the in-process driver, the real FTP and
// mail connectors against the fakes, time compressed by KOPPEL_RETRY_TIME_SCALE. A server that is
// down and comes back within the horizon gets every document once, with nobody acting; the
// breaker keeps a down lane from spending every document's tries; the horizon, Retry-After and
// permanent errors end where they should.

// A seam in the gate's read of a breaker (every other export as it is): a test makes another
// run's probe close the breaker right after this run read it open.
const breakerHooks = vi.hoisted(() => ({ afterRead: undefined as undefined | ((key: string) => Promise<void>) }));
vi.mock("@/lib/dispatch/breaker", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/dispatch/breaker")>();
  return {
    ...original,
    readBreaker: async (...args: Parameters<typeof original.readBreaker>) => {
      const row = await original.readBreaker(...args);
      const hook = breakerHooks.afterRead;
      if (hook) {
        breakerHooks.afterRead = undefined;
        await hook(args[1]);
      }
      return row;
    },
  };
});

const ENV_KEYS = [
  "RESEND_API_KEY",
  "RESEND_BASE_URL",
  "INNGEST_EVENT_KEY",
  "INNGEST_DEV",
  "INNGEST_BASE_URL",
  "KOPPEL_RETRY_TIME_SCALE",
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

/** 30 s → 60 ms, 15 minutes → 1.8 s, 24 hours → 173 s. */
const SCALE = "0.002";

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
let resend: Awaited<ReturnType<typeof startFakeResend>>;
let ftp: FakeFtpServer;
let ftpPort: number;
let ftpRoot: string;

beforeAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  process.env.KOPPEL_RETRY_TIME_SCALE = SCALE;
  allowPrivateFtpHosts("1");
  resetEnvCache();
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  resend = await startFakeResend();
  // A root of our own: the fake removes its default one when it closes, and ours outlives restarts.
  ftpRoot = mkdtempSync(path.join(tmpdir(), "koppel-outage-ftp-"));
  ftp = await startFakeFtpServer({ root: ftpRoot });
  ftpPort = ftp.port;
});
beforeEach(async () => {
  process.env.KOPPEL_RETRY_TIME_SCALE = SCALE;
  resetEnvCache();
  await getLocalJobDriver();
  resend.requests.length = 0;
  resend.respondWith(undefined);
});
afterEach(async () => {
  await stopLocalJobDriver();
  await closeFtpSessions();
  delete process.env.RESEND_API_KEY;
  delete process.env.RESEND_BASE_URL;
  resetEnvCache();
});
afterAll(async () => {
  await stopLocalJobDriver();
  await closeFtpSessions();
  await ftp?.close();
  rmSync(ftpRoot, { recursive: true, force: true });
  await resend?.close();
  cleanupFiles?.();
  allowPrivateFtpHosts(undefined);
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

/** Stops the FTP server: connections to its port are refused. */
async function ftpDown() {
  await closeFtpSessions();
  await ftp.close();
}

/** Starts it again on the same port over the same folder. */
async function ftpUp() {
  ftp = await startFakeFtpServer({ port: ftpPort, root: ftpRoot });
}

async function ftpDossier(password = "secret") {
  const dossier = await insertDossier(opened.db, world.portal.id);
  const id = randomUUID();
  await opened.db.insert(connections).values({
    id,
    portalId: world.portal.id,
    packageId: "expert-m",
    channel: "ftp",
    label: "Expert/M FTP",
    settings: { host: "127.0.0.1", port: ftpPort, username: "probe", security: "plain" },
    secretsEncrypted: encryptSecrets({ password }, connectionSecretsContext(id)),
    status: "connected",
  });
  await setIntegration(opened.db, dossier, { kind: "connection", connectionId: id, settings: {} });
  return { dossier, connectionId: id };
}

async function mailDossier() {
  process.env.RESEND_API_KEY = "re_test";
  process.env.RESEND_BASE_URL = resend.url;
  resetEnvCache();
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
  });
  return dossier;
}

/** Documents in the dossier, sent in bulk by the accountant through the real queue (the local driver). */
async function sendMany(dossier: { id: string; portalId: string }, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await insertSendableDocument(opened.db, dossier)).id);
  const { accepted, refused } = await requestSend(opened.db, world.actors.accountant, {
    dossierId: dossier.id,
    documentIds: ids,
    trigger: "bulk",
  });
  expect(refused).toEqual([]);
  expect(accepted).toHaveLength(count);
  return ids;
}

async function statusesOf(ids: string[]) {
  const rows = await opened.db.select({ status: documents.status }).from(documents).where(inArray(documents.id, ids));
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

async function triesOf(ids: string[]) {
  return (await opened.db.select({ id: attempts.id }).from(attempts).where(inArray(attempts.documentId, ids))).length;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function idle(timeoutMs: number) {
  const driver = await getLocalJobDriver();
  await Promise.race([
    driver.idle(),
    new Promise((_, reject) => setTimeout(() => reject(new Error("the jobs did not finish")), timeoutMs)),
  ]);
}

/** Files the FTP server holds (its final names, not the .part uploads) and renames onto them. */
function ftpDeliveries() {
  const files = ftp.listFiles().filter((file) => !file.endsWith(".part"));
  const renames = ftp.commands.filter((c) => /^RNTO\b/i.test(c.command)).map((c) => c.command);
  return { files, renames };
}

describe("an FTP server down, then back within the horizon", () => {
  it("50 documents: the breaker spends a few tries and probes, not 50 × 5; they go by themselves, each once", async () => {
    const { dossier, connectionId } = await ftpDossier();
    await ftpDown();
    const before = ftpDeliveries().files.length;
    const ids = await sendMany(dossier, 50);

    // The lane opens after BREAKER_THRESHOLD unreachable failures (two lanes may fail at once).
    await waitFor(
      async () => {
        const [row] = await opened.db
          .select()
          .from(deliveryBreakers)
          .where(eq(deliveryBreakers.key, `connection:${connectionId}`));
        return Boolean(row?.openedAt);
      },
      10_000,
      "the breaker to open",
    );
    // Several probe periods (60 ms doubling to 1.8 s) pass while the server stays down.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const triesWhileDown = await triesOf(ids);
    const [breaker] = await opened.db
      .select()
      .from(deliveryBreakers)
      .where(eq(deliveryBreakers.key, `connection:${connectionId}`));
    expect(breaker).toMatchObject({ connectionId, lastErrorCode: "connection_refused" });
    // The connection card and the failure queue say so; another office does not see it.
    expect(await listUnreachable(opened.db, world.portal.id)).toEqual([
      expect.objectContaining({ connectionId, label: "Expert/M FTP", since: breaker?.failingSince }),
    ]);
    expect(await listUnreachable(opened.db, world.otherPortal.id)).toEqual([]);
    expect(breaker?.probes).toBeGreaterThanOrEqual(2);
    expect(triesWhileDown).toBeGreaterThanOrEqual(BREAKER_THRESHOLD);
    expect(triesWhileDown).toBeLessThanOrEqual(BREAKER_THRESHOLD + 2);
    expect(await statusesOf(ids)).toEqual({ sending: 50 });
    // Each document says it waits, since when, and until when.
    const waiting = await opened.db.select().from(dispatches).where(inArray(dispatches.documentId, ids));
    expect(waiting.every((d) => d.status === "queued" && d.failingSince && d.nextAttemptAt)).toBe(true);

    await ftpUp();
    const upAt = Date.now();
    await waitFor(async () => (await statusesOf(ids)).sent === 50, 20_000, "all 50 to be sent");
    const recoveredMs = Date.now() - upAt;
    await idle(10_000);

    expect(await statusesOf(ids)).toEqual({ sent: 50 });
    const { files, renames } = ftpDeliveries();
    expect(files.length - before).toBe(50);
    expect(new Set(renames).size).toBe(renames.length);
    expect(await triesOf(ids)).toBeLessThanOrEqual(triesWhileDown + 50);
    // Nobody acted: no event by a person after the bulk send.
    const byPeople = await opened.db
      .select({ kind: documentEvents.kind })
      .from(documentEvents)
      .where(and(inArray(documentEvents.documentId, ids), eq(documentEvents.actorKind, "user")));
    expect(byPeople.every((e) => e.kind === "send_requested")).toBe(true);
    expect(
      await opened.db
        .select()
        .from(deliveryBreakers)
        .where(eq(deliveryBreakers.key, `connection:${connectionId}`)),
    ).toEqual([]);
    console.info(
      `[outage] 50 to a down FTP: ${triesWhileDown} tries and ${breaker?.probes} probes while down; all sent ${recoveredMs} ms after it came back`,
    );
  });

  it("a document waits through the outage and is sent by the next try after a restart of the app (the time is in the database)", async () => {
    const { dossier } = await ftpDossier();
    await ftpDown();
    const [id] = await sendMany(dossier, 1);
    if (!id) throw new Error("no document");
    await waitFor(async () => ((await dispatchesOf(opened.db, id))[0]?.attemptCount ?? 0) >= 1, 5_000, "the first try");
    // The app stops while the dispatch waits: its timer is gone, its next try time is not.
    await stopLocalJobDriver();
    const [stored] = await dispatchesOf(opened.db, id);
    expect(stored).toMatchObject({ status: "queued", waitingCode: "connection_refused" });
    const nextTry = stored?.nextAttemptAt;
    if (!nextTry) throw new Error("no next try time stored");
    // Next try pushed a little into the future, so the new process must wait for it.
    const resumeAt = new Date(Date.now() + 800);
    await opened.db.update(dispatches).set({ nextAttemptAt: resumeAt }).where(eq(dispatches.id, stored.id));

    await ftpUp();
    await getLocalJobDriver();
    expect(await resumeUnfinishedDispatches(opened.db)).toBe(1);
    await idle(10_000);
    expect((await documentOf(opened.db, id)).status).toBe("sent");
    const tries = await attemptsOf(opened.db, stored.id);
    // The tries before the stop failed (one or two: the first backoff step is 60 ms); the first
    // after the restart came at the stored time, not before, and succeeded.
    expect(tries.length).toBe(stored.attemptCount + 1);
    expect(tries.slice(0, -1).every((a) => a.outcome === "retryable_error")).toBe(true);
    expect(tries.at(-1)?.outcome).toBe("succeeded");
    expect(tries.at(-1)?.startedAt.getTime()).toBeGreaterThanOrEqual(resumeAt.getTime());
    const events = await opened.db
      .select({ kind: documentEvents.kind })
      .from(documentEvents)
      .where(eq(documentEvents.documentId, id))
      .orderBy(documentEvents.id);
    expect(events.map((e) => e.kind)).toEqual(["send_requested", "delivery_waiting", "delivered"]);
  });
});

describe("ends", () => {
  it("the horizon exceeded: a server that stays down fails its documents once the horizon has passed", async () => {
    // 24 hours → 8.6 s.
    process.env.KOPPEL_RETRY_TIME_SCALE = "0.0001";
    resetEnvCache();
    const { dossier } = await ftpDossier();
    await ftpDown();
    try {
      const started = Date.now();
      const ids = await sendMany(dossier, 5);
      await waitFor(async () => (await statusesOf(ids)).failed === 5, 30_000, "the five to fail");
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(8_640 - 200);
      await idle(10_000);
      const rows = await opened.db.select().from(documents).where(inArray(documents.id, ids));
      expect(rows.every((r) => r.lastErrorCode === "connection_refused")).toBe(true);
    } finally {
      await ftpUp();
    }
  });

  it("a wrong password (auth) fails at once: one try, no breaker", async () => {
    const { dossier, connectionId } = await ftpDossier("wrong");
    const ids = await sendMany(dossier, 1);
    await idle(10_000);
    expect(await statusesOf(ids)).toEqual({ failed: 1 });
    expect(await triesOf(ids)).toBe(1);
    const [connection] = await opened.db
      .select({ status: connections.status })
      .from(connections)
      .where(eq(connections.id, connectionId));
    expect(connection?.status).toBe("needs_reauth");
  });

  it("a mail the service refuses (422) fails at once after one request", async () => {
    const dossier = await mailDossier();
    resend.respondWith({ status: 422, body: { name: "validation_error", message: "no", statusCode: 422 } });
    const ids = await sendMany(dossier, 1);
    await idle(10_000);
    expect(await statusesOf(ids)).toEqual({ failed: 1 });
    expect(resend.requests.filter((r) => r.url === "/emails")).toHaveLength(1);
  });

  it("honours Retry-After: the next request comes no sooner than the service asked", async () => {
    const dossier = await mailDossier();
    resend.respondWith({
      status: 429,
      body: { name: "rate_limit_exceeded", message: "slow down", statusCode: 429 },
      headers: { "retry-after": "2" },
    });
    const ids = await sendMany(dossier, 1);
    const seen: number[] = [];
    await waitFor(async () => resend.requests.length >= 1, 5_000, "the first request");
    seen.push(Date.now());
    resend.respondWith(undefined);
    await waitFor(async () => resend.requests.length >= 2, 10_000, "the second request");
    seen.push(Date.now());
    await idle(10_000);
    expect(await statusesOf(ids)).toEqual({ sent: 1 });
    // Asked for 2 s (unscaled: the service's own time), against a first backoff step of ≤ 60 ms.
    expect((seen[1] ?? 0) - (seen[0] ?? 0)).toBeGreaterThanOrEqual(1_900);
    const keys = new Set(resend.requests.map((r) => r.headers["idempotency-key"]));
    expect(keys.size).toBe(1);
  });
});

describe("the mail service down as a whole (503), then back", () => {
  it("one breaker for all mail: 20 mails spend a few requests while it is down, then each goes once", async () => {
    const dossier = await mailDossier();
    const other = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, other, {
      kind: "free_email",
      addresses: { purchase: "boekhouding@ander.example" },
    });
    resend.respondWith({ status: 503, body: { name: "service_unavailable", message: "down", statusCode: 503 } });
    const ids = [...(await sendMany(dossier, 10)), ...(await sendMany(other, 10))];
    await waitFor(
      async () => {
        const [row] = await opened.db.select().from(deliveryBreakers).where(eq(deliveryBreakers.key, MAIL_BREAKER_KEY));
        return Boolean(row?.openedAt);
      },
      10_000,
      "the mail breaker to open",
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const requestsWhileDown = resend.requests.filter((r) => r.url === "/emails").length;
    // Every office sees the mail service as unreachable.
    expect(await listUnreachable(opened.db, world.otherPortal.id)).toEqual([
      expect.objectContaining({ key: MAIL_BREAKER_KEY, connectionId: null }),
    ]);
    expect(await statusesOf(ids)).toEqual({ sending: 20 });
    // The threshold, the mail lanes that failed alongside, and one probe per probe period.
    expect(requestsWhileDown).toBeLessThanOrEqual(20);

    resend.respondWith(undefined);
    await waitFor(async () => (await statusesOf(ids)).sent === 20, 20_000, "all 20 to be sent");
    await idle(10_000);
    const accepted = resend.requests.filter((r) => r.url === "/emails");
    const keys = new Set(accepted.map((r) => String(r.headers["idempotency-key"])));
    expect(keys.size).toBe(20);
    console.info(`[outage] 20 mails while Resend answered 503: ${requestsWhileDown} requests while down`);
  });
});

describe("a long outage ends: the lane goes on within seconds, nothing is left behind", () => {
  /** 30 s → 3 s, 15 minutes → 90 s: the delivery backoff's cap beyond the probes' 30 s (real time). */
  const LONG_SCALE = "0.1";

  async function breakerRow(key: string) {
    const [row] = await opened.db.select().from(deliveryBreakers).where(eq(deliveryBreakers.key, key));
    return row;
  }

  /** Plays a breaker that has been open for hours (its probes far along), then waits for one more probe. */
  async function ageBreaker(key: string) {
    await waitFor(async () => Boolean((await breakerRow(key))?.openedAt), 10_000, "the breaker to open");
    await opened.db.update(deliveryBreakers).set({ probes: 12 }).where(eq(deliveryBreakers.key, key));
    await waitFor(async () => ((await breakerRow(key))?.probes ?? 0) >= 13, 10_000, "a probe of the aged breaker");
    const row = await breakerRow(key);
    if (!row?.nextProbeAt) throw new Error("the breaker closed");
    // The next probe is at most 30 s after this one, not the delivery backoff's 15 minutes (here 45–90 s).
    expect(row.nextProbeAt.getTime() - row.updatedAt.getTime()).toBeLessThanOrEqual(30_000);
  }

  it("an FTP server away for hours: its next probe is at most 30 s away, not the backoff's 15 minutes", async () => {
    process.env.KOPPEL_RETRY_TIME_SCALE = LONG_SCALE;
    resetEnvCache();
    const { dossier, connectionId } = await ftpDossier();
    await ftpDown();
    try {
      await sendMany(dossier, 5);
      await ageBreaker(`connection:${connectionId}`);
    } finally {
      await ftpUp();
    }
  });

  it("the mail service back after hours: every mail sent within 35 s (a probe ≤ 30 s away), each once", async () => {
    process.env.KOPPEL_RETRY_TIME_SCALE = LONG_SCALE;
    resetEnvCache();
    const dossier = await mailDossier();
    resend.respondWith({ status: 503, body: { name: "service_unavailable", message: "down", statusCode: 503 } });
    const ids = await sendMany(dossier, 10);
    try {
      await ageBreaker(MAIL_BREAKER_KEY);
      // The probe is a delivery: let it get its 503 before the service comes back.
      await waitFor(
        async () =>
          (await opened.db.select().from(dispatches).where(inArray(dispatches.documentId, ids))).every(
            (d) => d.status === "queued",
          ),
        10_000,
        "the probe's answer",
      );
    } finally {
      resend.respondWith(undefined);
    }
    const upAt = Date.now();
    await waitFor(async () => (await statusesOf(ids)).sent === 10, 35_000, "all 10 to be sent");
    console.info(`[outage] mail back after a long outage: all sent ${Date.now() - upAt} ms later`);
    // The runs parked until the next probe (≤ 30 s) wake then and find their dispatch finished.
    await idle(40_000);
    const accepted = resend.requests.filter((r) => r.url === "/emails" && r.headers["idempotency-key"]);
    expect(new Set(accepted.map((r) => String(r.headers["idempotency-key"]))).size).toBe(10);
  }, 100_000);

  it("a breaker that closes between a run's read of it and its parking: the document goes now, not at the old probe time", async () => {
    const { dossier, connectionId } = await ftpDossier();
    const lane = { key: `connection:${connectionId}`, portalId: world.portal.id, connectionId };
    const now = new Date();
    // Open, its next probe far away; the server is in fact back.
    await opened.db.insert(deliveryBreakers).values({
      ...lane,
      failures: BREAKER_THRESHOLD,
      failingSince: now,
      openedAt: now,
      nextProbeAt: new Date(now.getTime() + 10 * 60_000),
      lastErrorCode: "connection_refused",
      updatedAt: now,
    });
    // Right after this document's run read the breaker open, another run's probe succeeds and closes it.
    breakerHooks.afterRead = async (key) => {
      expect(key).toBe(lane.key);
      await closeBreaker(opened.db, lane);
    };
    const ids = await sendMany(dossier, 1);
    try {
      await waitFor(async () => (await statusesOf(ids)).sent === 1, 5_000, "the document to be sent");
    } finally {
      breakerHooks.afterRead = undefined;
    }
    expect(await breakerRow(lane.key)).toBeUndefined();
  });
});
