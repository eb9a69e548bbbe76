import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, deliveryBreakers, dispatches, dossierIntegrations, outboxEmails } from "@/db/schema";
import { actorUserId } from "@/lib/auth/actor";
import { ConnectorError } from "@/lib/connectors/errors";
import { deliverDispatch, failUnfinishedDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { updateDossierSchema } from "@/lib/dossiers/schemas";
import { updateDossier } from "@/lib/dossiers/update";
import { resetEnvCache } from "@/lib/env";
import { NonRetriableJobError } from "@/lib/jobs/errors";
import { getLocalJobDriver, stopLocalJobDriver } from "@/lib/jobs/runtime";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, insertConnectionOf, type World } from "../integrations/setup";
import {
  attemptsOf,
  collectingEnqueue,
  connectionStatusOf,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  loadConnectorWithScriptedApi,
  runDeliverJob,
  scriptedApi,
  setIntegration,
  useTempFileStore,
} from "./setup";

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: (packageId: Parameters<typeof actual.loadConnector>[0], channel: "api" | "ftp" | "email") =>
      loadConnectorWithScriptedApi(actual.loadConnector, packageId, channel),
  };
});

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
  // The jobs and lib/email/send.ts ask getDb() for the database: hand them this file's one.
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  resend = await startFakeResend();
});
beforeEach(async () => {
  // Each test starts with every lane closed (a breaker's count would carry over between tests).
  await opened.db.delete(deliveryBreakers);
  resend.requests.length = 0;
  resend.respondWith(undefined);
  scriptedApi.script = [];
  scriptedApi.delivered = [];
});
afterEach(() => {
  delete process.env.RESEND_API_KEY;
  delete process.env.RESEND_BASE_URL;
  resetEnvCache();
});
afterAll(async () => {
  await stopLocalJobDriver();
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

function useResend() {
  process.env.RESEND_API_KEY = "re_test";
  process.env.RESEND_BASE_URL = resend.url;
  resetEnvCache();
}

const ADDRESSES = { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" };

async function mailDossier(name?: string) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  if (name) {
    const { dossiers } = await import("@/db/schema");
    await opened.db.update(dossiers).set({ name }).where(eq(dossiers.id, dossier.id));
  }
  await setIntegration(opened.db, dossier, { kind: "free_email", addresses: ADDRESSES });
  return { ...dossier, name: name ?? dossier.name };
}

/** requestSend as the accountant; the dispatches are returned instead of enqueued. */
async function requestOne(dossier: { id: string }, documentId: string) {
  const queue = collectingEnqueue();
  const { accepted, refused } = await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: [documentId], trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  expect(refused).toEqual([]);
  const event = queue.events[0];
  if (!event || !accepted[0]) throw new Error("not accepted");
  return event;
}

/** Brings a waiting dispatch's next try time to now (instead of waiting out the backoff). */
async function makeDue(dispatchId: string) {
  await opened.db.update(dispatches).set({ nextAttemptAt: new Date() }).where(eq(dispatches.id, dispatchId));
}

async function apiDossier(status: "connected" | "error" = "connected") {
  const dossier = await insertDossier(opened.db, world.portal.id);
  const connection = await insertConnectionOf(opened.db, world.portal.id, { label: "Exact Online", status });
  await setIntegration(opened.db, dossier, {
    kind: "connection",
    connectionId: connection.id,
    settings: { division: 42 },
  });
  return { dossier, connection };
}

describe("deliver through the e-mail connector (fake Resend), driven by the in-process driver", () => {
  it("mails each document once with its original file, names it in subject and body, and ends Sent", async () => {
    useResend();
    const dossier = await mailDossier("Bakkerij De Gouden Korst BV");
    const purchase = await insertSendableDocument(opened.db, dossier, {
      fileName: "factuur peeters 017.pdf",
      recognisedFields: {
        supplierName: "Peeters Meelhandel",
        invoiceNumber: "F-2026-017",
        totalAmount: 121.5,
        currency: "EUR",
      },
    });
    const sales = await insertSendableDocument(opened.db, dossier, {
      documentType: "sales_invoice",
      fileName: "VF-88.pdf",
      recognisedFields: { supplierName: "Café Central", invoiceNumber: "VF-88" },
    });

    // The jobs run in this process, as instrumentation starts them before the server takes requests.
    const driver = await getLocalJobDriver();
    const { accepted } = await requestSend(opened.db, world.actors.accountant, {
      dossierId: dossier.id,
      documentIds: [purchase.id, sales.id],
      trigger: "bulk",
    });
    expect(accepted).toHaveLength(2);
    await driver.idle();

    const mails = resend.requests.filter((request) => request.url === "/emails");
    expect(mails).toHaveLength(2);
    const dispatchOf = (documentId: string) => accepted.find((a) => a.documentId === documentId)?.dispatchId;
    for (const [document, to, typeLabel] of [
      [purchase, ADDRESSES.purchase, "Aankoopfactuur"],
      [sales, ADDRESSES.sales, "Verkoopfactuur"],
    ] as const) {
      const mail = mails.find((request) => request.headers["idempotency-key"] === dispatchOf(document.id));
      expect(mail, `mail for ${document.fileName}`).toBeDefined();
      const body = mail?.body as { to: string[]; subject: string; text: string; attachments: unknown[] };
      expect(body.to).toEqual([to]);
      expect(body.attachments).toEqual([
        {
          filename: document.fileName,
          content: Buffer.from(document.content).toString("base64"),
          content_type: "application/pdf",
        },
      ]);
      const fields = document.recognisedFields;
      expect(body.subject).toBe(
        `Bakkerij De Gouden Korst BV · ${typeLabel} · ${fields.supplierName} · ${fields.invoiceNumber}`,
      );
      expect(body.text).toContain("Bakkerij De Gouden Korst BV");
      expect(body.text).toContain(`Leverancier: ${fields.supplierName}`);
      expect(body.text).toContain(`Nummer: ${fields.invoiceNumber}`);
      expect(body.text).toContain(`Bestand: ${document.fileName}`);
      expect(body.text).toContain(dispatchOf(document.id));

      const row = await documentOf(opened.db, document.id);
      expect(row).toMatchObject({ status: "sent", packageReference: expect.stringMatching(/^re_fake_/) });
      expect(row.sentAt).toBeInstanceOf(Date);
      const [dispatch] = await dispatchesOf(opened.db, document.id);
      expect(dispatch).toMatchObject({ status: "succeeded", attemptCount: 1, packageReference: row.packageReference });
      expect(await attemptsOf(opened.db, dispatch?.id ?? "")).toMatchObject([
        {
          number: 1,
          trigger: "bulk",
          connector: "email",
          outcome: "succeeded",
          packageReference: row.packageReference,
          target: { channel: "email", to, via: "resend" },
          // The copies the delivery log reads instead of joining the dispatch and the document.
          dossierId: dossier.id,
          fileName: document.fileName,
          requestedByUserId: actorUserId(world.actors.accountant),
        },
      ]);
    }
    expect(mails.find((m) => (m.body as { text: string }).text.includes("121,50"))).toBeDefined();
  });

  it("keeps CR/LF from a malicious file name or supplier out of every header", async () => {
    useResend();
    const dossier = await mailDossier("Evil\r\nBcc: dossier@attacker.example");
    const document = await insertSendableDocument(opened.db, dossier, {
      fileName: 'invoice\r\nBcc: file@attacker.example\r\n".pdf',
      recognisedFields: {
        supplierName: "ACME\r\nBcc: supplier@attacker.example",
        invoiceNumber: "7\nX-Injected: yes\u0007\u2028",
      },
    });
    const event = await requestOne(dossier, document.id);
    await runDeliverJob(event);

    const [mail] = resend.requests;
    const body = mail?.body as { subject: string; attachments: { filename: string }[]; to: string[] };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking that none survive.
    const control = /[\u0000-\u001f\u007f\u2028]/;
    expect(body.subject).not.toMatch(control);
    expect(body.attachments[0]?.filename).not.toMatch(control);
    expect(body.attachments[0]?.filename).not.toContain('"');
    expect(body.subject).toContain("ACME Bcc: supplier@attacker.example");
    expect(body.to).toEqual([ADDRESSES.purchase]);
    expect((await documentOf(opened.db, document.id)).status).toBe("sent");
  });
});

describe("the mail to the package is in the dossier's language", () => {
  it("writes subject and body in French for a dossier set to French, and in English after a change to English", async () => {
    useResend();
    const dossier = await mailDossier("Fleuriste Dupont SRL");
    // As the dossier page saves it: the accountant changes the dossier's language.
    await updateDossier(opened.db, world.actors.accountant, dossier.id, updateDossierSchema.parse({ locale: "fr" }));
    const french = await insertSendableDocument(opened.db, dossier, {
      recognisedFields: {
        supplierName: "Fleurs Lambert",
        invoiceNumber: "FA-88",
        totalAmount: 1234.5,
        currency: "EUR",
      },
    });
    await runDeliverJob(await requestOne(dossier, french.id));

    const [frMail] = resend.requests;
    const fr = frMail?.body as { subject: string; text: string };
    expect(fr.subject).toBe("Fleuriste Dupont SRL · Facture d'achat · Fleurs Lambert · FA-88");
    expect(fr.text).toContain("Document de Fleuriste Dupont SRL pour la comptabilité, transmis par Koppel.");
    expect(fr.text).toContain("Fournisseur: Fleurs Lambert");
    expect(fr.text).toMatch(/Montant: 1\s234,50\s€/);
    expect(fr.text).toContain("Le fichier original est en pièce jointe.");
    expect(fr.text).not.toContain("Leverancier");
    expect((await documentOf(opened.db, french.id)).status).toBe("sent");

    resend.requests.length = 0;
    await updateDossier(opened.db, world.actors.admin, dossier.id, updateDossierSchema.parse({ locale: "en" }));
    const english = await insertSendableDocument(opened.db, dossier, { documentType: "sales_invoice" });
    await runDeliverJob(await requestOne(dossier, english.id));
    const en = resend.requests[0]?.body as { subject: string; text: string };
    expect(en.subject).toBe("Fleuriste Dupont SRL · Sales invoice · Bakkerij Peeters · F-2026-017");
    expect(en.text).toContain("Supplier: Bakkerij Peeters");
  });

  it("stays Dutch for a dossier that never chose a language", async () => {
    useResend();
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    await runDeliverJob(await requestOne(dossier, document.id));
    const body = resend.requests[0]?.body as { subject: string; text: string };
    expect(body.subject).toContain("Aankoopfactuur");
    expect(body.text).toContain("Leverancier: Bakkerij Peeters");
  });
});

describe("deliver through the local outbox (no RESEND_API_KEY)", () => {
  it("stores one mail per dispatch under the dispatch id", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, {
      fileName: "kasticket.jpg",
      mimeType: "image/jpeg",
    });
    const event = await requestOne(dossier, document.id);
    const { result } = await runDeliverJob(event);
    expect(result).toMatchObject({ outcome: "sent", attempt: 1 });

    const rows = await opened.db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, event.dispatchId));
    expect(rows).toMatchObject([
      {
        to: [ADDRESSES.purchase],
        attachments: [{ filename: "kasticket.jpg", contentType: "image/jpeg", sizeBytes: document.content.byteLength }],
      },
    ]);
    expect((await documentOf(opened.db, document.id)).packageReference).toBe(rows[0]?.id);
  });
});

describe("deliver's retries and failures", () => {
  it("records a retryable failure, backs off, and succeeds on the next try (two attempts)", async () => {
    useResend();
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);

    resend.respondWith({ status: 503, body: { name: "internal_server_error", message: "down", statusCode: 503 } });
    const first = await runDeliverJob(event, 0);
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ outcome: "waiting", attemptCount: 1 });
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    const [waiting] = await dispatchesOf(opened.db, document.id);
    expect(waiting).toMatchObject({ status: "queued", attemptCount: 1, waitingCode: "server_error" });
    expect(waiting?.failingSince).toBeInstanceOf(Date);
    // The first backoff step: 30 s with equal jitter, so 15–30 s from the failure.
    const waitMs = (waiting?.nextAttemptAt?.getTime() ?? 0) - (waiting?.failingSince?.getTime() ?? 0);
    expect(waitMs).toBeGreaterThanOrEqual(15_000);
    expect(waitMs).toBeLessThanOrEqual(30_000);
    // Before that time a run makes no try: it answers when, and waits.
    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "waiting", attemptCount: 1 });
    expect(await attemptsOf(opened.db, event.dispatchId)).toHaveLength(1);

    resend.respondWith(undefined);
    await makeDue(event.dispatchId);
    expect((await runDeliverJob(event, 1)).result).toMatchObject({ outcome: "sent", attempt: 2 });

    const attemptRows = await attemptsOf(opened.db, event.dispatchId);
    expect(attemptRows).toMatchObject([
      { number: 1, outcome: "retryable_error", errorCode: "server_error", reason: "connectors.errors.server_error" },
      { number: 2, outcome: "succeeded", errorCode: null },
    ]);
    expect(attemptRows.every((a) => a.finishedAt instanceof Date)).toBe(true);
    // Both tries carried the dispatch id: Resend would have replayed, not sent twice.
    expect(resend.requests.map((r) => r.headers["idempotency-key"])).toEqual([event.dispatchId, event.dispatchId]);
    expect(await documentOf(opened.db, document.id)).toMatchObject({ status: "sent", lastErrorCode: null });
  });

  it("waits as long as the package asks (Retry-After) before the next try", async () => {
    const { dossier } = await apiDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    scriptedApi.script = [new ConnectorError("retryable", "rate_limited", { retryAfterMs: 90_000 })];
    const before = Date.now();
    const { result } = await runDeliverJob(event);
    expect(result).toMatchObject({ outcome: "waiting" });
    // Longer than the first backoff step (≤ 30 s): the package's 90 s win.
    const next = (await dispatchesOf(opened.db, document.id))[0]?.nextAttemptAt?.getTime() ?? 0;
    expect(next).toBeGreaterThanOrEqual(before + 90_000);
    expect(next).toBeLessThan(Date.now() + 91_000);
  });

  it("fails at once on a permanent error, with the reason as a translation key", async () => {
    useResend();
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    resend.respondWith({
      status: 422,
      body: { name: "validation_error", message: "Vendor text that must not leak", statusCode: 422 },
    });
    const { error } = await runDeliverJob(event);
    expect(error).toBeInstanceOf(NonRetriableJobError);

    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "recipient_refused",
      failureGroup: "settings",
      lastErrorReason: "connectors.errors.recipient_refused",
    });
    const [dispatch] = await dispatchesOf(opened.db, document.id);
    expect(dispatch).toMatchObject({ status: "failed", attemptCount: 1 });
    expect(dispatch?.finishedAt).toBeInstanceOf(Date);
    const attemptRows = await attemptsOf(opened.db, event.dispatchId);
    expect(attemptRows).toMatchObject([{ outcome: "permanent_error", errorCode: "recipient_refused" }]);
    expect(JSON.stringify(attemptRows)).not.toContain("Vendor text");
  });

  it("fails on an auth error and marks the connection as needing re-authorisation", async () => {
    const { dossier, connection } = await apiDossier("error");
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    expect(event.concurrencyKey).toBe(connection.id);
    scriptedApi.script = [new ConnectorError("auth", "auth_failed", { vendorDetail: "401 invalid_grant" })];
    const { error } = await runDeliverJob(event);
    expect(error).toBeInstanceOf(NonRetriableJobError);
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "auth_failed",
      failureGroup: "reauth",
      lastErrorReason: "connectors.errors.auth_failed",
    });
    expect(await connectionStatusOf(opened.db, connection.id)).toEqual({
      status: "needs_reauth",
      lastErrorCode: "auth_failed",
    });
    expect(await attemptsOf(opened.db, event.dispatchId)).toMatchObject([
      {
        outcome: "auth_error",
        connector: "scripted-exact-online",
        target: { connectionId: connection.id, division: 42 },
      },
    ]);
  });

  it("shows the try as running while the connector works, then records the connector and target it used", async () => {
    const { dossier, connection } = await apiDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    let whileRunning: Awaited<ReturnType<typeof attemptsOf>> = [];
    let dispatchWhileRunning: Awaited<ReturnType<typeof dispatchesOf>> = [];
    scriptedApi.script = [
      async () => {
        whileRunning = await attemptsOf(opened.db, event.dispatchId);
        dispatchWhileRunning = await dispatchesOf(opened.db, document.id);
      },
    ];
    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent", attempt: 1 });
    // Claimed in one statement: dispatch running and counted, the attempt open with the target
    // the request resolved and its channel, before the connector was called.
    expect(dispatchWhileRunning).toMatchObject([{ status: "running", attemptCount: 1, nextAttemptAt: null }]);
    expect(whileRunning).toMatchObject([
      {
        number: 1,
        trigger: "manual",
        outcome: "running",
        connector: "api",
        target: { connectionId: connection.id, division: 42 },
        finishedAt: null,
      },
    ]);
    const [attempt] = await attemptsOf(opened.db, event.dispatchId);
    expect(attempt).toMatchObject({
      id: whileRunning[0]?.id,
      outcome: "succeeded",
      connector: "scripted-exact-online",
      target: { connectionId: connection.id, division: 42 },
      packageReference: `EXACT-42-${event.dispatchId.slice(0, 8)}`,
    });
    expect(attempt?.finishedAt?.getTime()).toBeGreaterThanOrEqual(attempt?.startedAt.getTime() ?? Number.NaN);
  });

  it("a run that finds its dispatch finished by another run records its own try but moves nothing", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    // A second run of the same dispatch claims it while the first is still delivering, and
    // finishes first; the first then succeeds too, and must change neither dispatch nor document.
    let second: Awaited<ReturnType<typeof deliverDispatch>> | undefined;
    let afterSecond: unknown[] = [];
    const first = await deliverDispatch(opened.db, event.dispatchId, {
      afterConnectorCall: async () => {
        second = await deliverDispatch(opened.db, event.dispatchId);
        afterSecond = [await dispatchesOf(opened.db, document.id), await documentOf(opened.db, document.id)];
      },
    });
    expect(second).toMatchObject({ outcome: "sent", attempt: 2 });
    expect(first).toMatchObject({ outcome: "sent", attempt: 1 });
    expect(afterSecond[0]).toMatchObject([{ status: "succeeded", attemptCount: 2 }]);
    expect(afterSecond[1]).toMatchObject({ status: "sent" });
    expect([await dispatchesOf(opened.db, document.id), await documentOf(opened.db, document.id)]).toEqual(afterSecond);
    // The second run took over the first's open attempt as interrupted; the first then recorded
    // its own success on it. Each try keeps its own row.
    expect((await attemptsOf(opened.db, event.dispatchId)).map((a) => [a.number, a.outcome])).toEqual([
      [1, "succeeded"],
      [2, "succeeded"],
    ]);
  });

  it("a late success of a dispatch given up on leaves the document to the dispatch that replaced it", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    let replacement: string | undefined;
    // While this try delivers, the job gives up on it (the failure handler) and the accountant
    // retries the document: a new dispatch, the document `sending` again.
    const late = await deliverDispatch(opened.db, event.dispatchId, {
      afterConnectorCall: async () => {
        expect(await failUnfinishedDispatch(opened.db, event.dispatchId)).toBe(true);
        const retry = await requestSend(
          opened.db,
          world.actors.accountant,
          { dossierId: dossier.id, documentIds: [document.id], trigger: "retry" },
          { enqueue: collectingEnqueue().enqueue },
        );
        replacement = retry.accepted[0]?.dispatchId;
      },
    });
    expect(late).toMatchObject({ outcome: "sent" });
    expect(replacement).toBeDefined();
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "sending",
      sentAt: null,
      packageReference: null,
    });
    expect(await dispatchesOf(opened.db, document.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: event.dispatchId, status: "failed", packageReference: null }),
        expect.objectContaining({ id: replacement, status: "queued" }),
      ]),
    );
  });

  it("keeps a connection that was disabled meanwhile disabled on an auth error", async () => {
    const { dossier, connection } = await apiDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    scriptedApi.script = [
      async () => {
        await opened.db.update(connections).set({ status: "disabled" }).where(eq(connections.id, connection.id));
        throw new ConnectorError("auth", "auth_failed");
      },
    ];
    await runDeliverJob(event);
    expect((await connectionStatusOf(opened.db, connection.id))?.status).toBe("disabled");
    expect((await documentOf(opened.db, document.id)).status).toBe("failed");
  });

  it("keeps trying past five tries, and gives up only once the retry horizon has passed", async () => {
    const { dossier } = await apiDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    scriptedApi.script = Array.from({ length: 10 }, () => new ConnectorError("retryable", "timeout"));

    for (let n = 1; n <= 6; n++) {
      expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "waiting", attemptCount: n });
      await makeDue(event.dispatchId);
      // This document times out while the connection's other deliveries go through (they close its
      // breaker): the document's own tries, not the lane's pause, are what this test is about.
      await opened.db.delete(deliveryBreakers);
    }
    expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    // 24 hours after the first failure (the default horizon), the next failure is the last.
    await opened.db
      .update(dispatches)
      .set({ failingSince: new Date(Date.now() - 24 * 3_600_000 - 1_000) })
      .where(eq(dispatches.id, event.dispatchId));
    const { error } = await runDeliverJob(event);
    expect(error).toBeInstanceOf(NonRetriableJobError);
    expect(scriptedApi.script).toHaveLength(3);

    const attemptRows = await attemptsOf(opened.db, event.dispatchId);
    expect(attemptRows.map((a) => [a.number, a.outcome, a.errorCode])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => [n, "retryable_error", "timeout"]),
    );
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "timeout",
      lastErrorReason: "connectors.errors.timeout",
    });
    expect((await dispatchesOf(opened.db, document.id))[0]).toMatchObject({ status: "failed", attemptCount: 7 });
    // A failed document can be retried: a new dispatch.
    const retry = await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: [document.id], trigger: "retry" },
      { enqueue: collectingEnqueue().enqueue },
    );
    expect(retry.accepted).toHaveLength(1);
  });

  it("fails the document when its file is gone", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier, { withoutFile: true });
    const event = await requestOne(dossier, document.id);
    const { error } = await runDeliverJob(event);
    expect(error).toBeInstanceOf(NonRetriableJobError);
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "file_missing",
      failureGroup: "file",
      lastErrorReason: "dispatch.errors.file_missing",
    });
  });

  it("honours an integration changed after the request: 'no integration needed' fails it with that reason", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    await setIntegration(opened.db, dossier, { kind: "none" });
    await runDeliverJob(event);
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "integration_none",
      failureGroup: "settings",
      lastErrorReason: "dispatch.refusals.integration_none",
    });
    // The try is on record, with where it was asked to go and no connector: none carried it.
    expect(await attemptsOf(opened.db, event.dispatchId)).toMatchObject([
      {
        number: 1,
        outcome: "permanent_error",
        errorCode: "integration_none",
        connector: "none",
        target: { channel: "email", to: ADDRESSES.purchase },
        finishedAt: expect.any(Date),
      },
    ]);
    await opened.db.delete(dossierIntegrations).where(eq(dossierIntegrations.dossierId, dossier.id));
  });

  it("does nothing for a dispatch that is already finished", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    expect((await runDeliverJob(event)).result).toMatchObject({ outcome: "sent" });
    expect((await runDeliverJob(event)).result).toEqual({ outcome: "skipped" });
    expect(await attemptsOf(opened.db, event.dispatchId)).toHaveLength(1);
  });

  it("fails a dispatch the job gave up on outside the delivery (the failure handler)", async () => {
    const dossier = await mailDossier();
    const document = await insertSendableDocument(opened.db, dossier);
    const event = await requestOne(dossier, document.id);
    expect(await failUnfinishedDispatch(opened.db, event.dispatchId)).toBe(true);
    expect(await failUnfinishedDispatch(opened.db, event.dispatchId)).toBe(false);
    expect(await documentOf(opened.db, document.id)).toMatchObject({
      status: "failed",
      lastErrorCode: "job_failed",
      failureGroup: "unreachable",
      lastErrorReason: "dispatch.errors.job_failed",
    });
    expect((await deliverDispatch(opened.db, event.dispatchId)).outcome).toBe("skipped");
  });
});
