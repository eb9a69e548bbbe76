import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { connectionSecretsContext, encryptSecrets } from "@/lib/crypto/secrets";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { setDocumentType } from "@/lib/documents/set-type";
import { readBackConnection } from "@/lib/read-back/service";
import { findWebhookReceiver, processPackageWebhook } from "@/lib/read-back/webhook";
import { PACKAGE_REJECTED, PACKAGE_REJECTED_REASON_KEY } from "@/lib/rejections/service";
import { type FakeExactOnline, startFakeExactOnline } from "../../../fakes/exact-online";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "../connections/helpers";
import { allowCustomApiHosts, grantedSecrets } from "../connectors/exact-online/helpers";
import {
  attemptsOf,
  collectingEnqueue,
  dispatchesOf,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";

// Exact Online refuses documents after receiving them, below the UI: an Exact connection with a
// stored grant and webhook secret, a dossier mapped to a division, documents sent through
// requestSend and the deliver step into the fake. Exact's verdicts come back by polling
// (ProposedEntryStatus) and by signed webhooks; a rejected document is re-typed and sent again.

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

const DIVISION = 100001;
const OTHER_DIVISION = 100002;
const WEBHOOK_SECRET = "app-center-webhook-secret-0123456789";

let opened: OpenedDb;
let world: World;
let fake: FakeExactOnline;
let cleanupFiles: () => void;
let connectionId = "";
let dossier: { id: string; portalId: string };
let receiver: Server;
let receiverUrl = "";
const sent: string[] = [];

async function referenceOf(documentId: string): Promise<string> {
  const reference = (await documentOf(opened.db, documentId)).packageReference;
  if (!reference) throw new Error("not sent");
  return reference;
}

async function sendAndDeliver(ids: string[]) {
  const queue = collectingEnqueue();
  const result = await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: ids, trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  for (const event of queue.events) await deliverDispatch(opened.db, event.dispatchId);
  return result;
}

function callbackFor(connection: string): string {
  return `${receiverUrl}/api/webhooks/exact-online?connection=${encodeURIComponent(connection)}`;
}

beforeAll(async () => {
  allowCustomApiHosts("1");
  useTestEncryptionKey();
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  fake = await startFakeExactOnline();

  connectionId = randomUUID();
  await opened.db.insert(connections).values({
    id: connectionId,
    portalId: world.portal.id,
    packageId: "exact-online",
    channel: "api",
    label: "Exact Online (fake)",
    settings: { baseUrl: fake.url, clientId: fake.clientId },
    secretsEncrypted: encryptSecrets(
      { clientSecret: fake.clientSecret, ...grantedSecrets(fake), webhookSecret: WEBHOOK_SECRET },
      connectionSecretsContext(connectionId),
    ),
    status: "connected",
  });
  dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: { division: DIVISION } });

  // Stands in for the route (app/api/webhooks/[packageId]): the package's receiver, the raw body
  // and the query's connection id, the outcome's status back.
  const exactReceiver = await findWebhookReceiver("exact-online");
  if (!exactReceiver) throw new Error("the Exact Online connector takes no webhook");
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://receiver.local");
      processPackageWebhook(opened.db, {
        receiver: exactReceiver,
        connectionId: url.searchParams.get("connection"),
        rawBody: Buffer.concat(chunks).toString("utf8"),
      })
        .then((outcome) => {
          res.writeHead(outcome.status, { "content-type": "application/json" });
          res.end(JSON.stringify(outcome));
        })
        .catch((error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  for (let i = 0; i < 3; i++) sent.push((await insertSendableDocument(opened.db, dossier)).id);
  const { accepted, refused } = await sendAndDeliver(sent);
  expect(refused).toEqual([]);
  expect(accepted).toHaveLength(3);
  expect(fake.documents(DIVISION)).toHaveLength(3);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await fake?.close();
  cleanupFiles?.();
  await opened?.close();
  allowCustomApiHosts(undefined);
});

beforeEach(() => resetExactRateLimits());

describe("polling Exact's ProposedEntryStatus", () => {
  it("status 5 → Rejected with our reason, 50 → Imported, others stay Sent; a repeated poll marks nothing again", async () => {
    const [refusedId, bookedId, waitingId] = sent;
    if (!refusedId || !bookedId || !waitingId) throw new Error("nothing sent");
    fake.setDocumentStatus(await referenceOf(refusedId), 5);
    fake.setDocumentStatus(await referenceOf(bookedId), 50);

    const lookupsBefore = fake.counts.byEndpoint["documents/Documents"] ?? 0;
    expect(await readBackConnection(opened.db, connectionId)).toEqual({
      outcome: "checked",
      checked: 3,
      imported: 1,
      rejected: 1,
    });
    // One GET by key per document, in the division the documents were sent to.
    expect((fake.counts.byEndpoint["documents/Documents"] ?? 0) - lookupsBefore).toBe(3);

    expect(await documentOf(opened.db, refusedId)).toMatchObject({
      status: "rejected",
      importedAt: null,
      lastErrorCode: PACKAGE_REJECTED,
      // Exact gives no words with status 5: our own text, translated where it is shown.
      lastErrorReason: PACKAGE_REJECTED_REASON_KEY,
    });
    // The document's history shows it: the try that succeeded, then Exact's refusal.
    const [dispatch] = await dispatchesOf(opened.db, refusedId);
    const history = await attemptsOf(opened.db, dispatch?.id ?? "");
    expect(history.map(({ outcome, errorCode, connector }) => ({ outcome, errorCode, connector }))).toEqual([
      { outcome: "succeeded", errorCode: null, connector: "exact-online" },
      { outcome: "permanent_error", errorCode: PACKAGE_REJECTED, connector: "exact-online" },
    ]);
    expect(dispatch?.status).toBe("succeeded");
    const booked = await documentOf(opened.db, bookedId);
    expect(booked.status).toBe("sent");
    expect(booked.importedAt).not.toBeNull();
    expect(await documentOf(opened.db, waitingId)).toMatchObject({ status: "sent", importedAt: null });

    // Exact changes its mind about the refused one: too late, and it is not even asked about.
    fake.setDocumentStatus(await referenceOf(refusedId), 50);
    expect(await readBackConnection(opened.db, connectionId)).toEqual({
      outcome: "checked",
      checked: 1,
      imported: 0,
      rejected: 0,
    });
    expect(await documentOf(opened.db, refusedId)).toMatchObject({ status: "rejected", importedAt: null });
  });
});

describe("Exact's webhooks", () => {
  it("refuses a forged signature (401) and changes nothing", async () => {
    const waitingId = sent[2] ?? "";
    const key = await referenceOf(waitingId);
    fake.setDocumentStatus(key, 5);
    const lookupsBefore = fake.counts.apiCalls;
    const forged = await fake.notify(
      callbackFor(connectionId),
      { Division: DIVISION, Key: key },
      {
        secret: "someone-elses-secret-0123456789",
      },
    );
    expect(forged.status).toBe(401);
    const tampered = await fake.notify(
      callbackFor(connectionId),
      { Division: DIVISION, Key: key },
      {
        hashCode: "0".repeat(64),
      },
    );
    expect(tampered.status).toBe(401);
    expect(fake.counts.apiCalls).toBe(lookupsBefore);
    expect(await documentOf(opened.db, waitingId)).toMatchObject({ status: "sent", importedAt: null });
  });

  it("answers 404 alike for an unknown connection, one of another package or without a secret, and 400 for a non-notification", async () => {
    const key = await referenceOf(sent[2] ?? "");
    const signed = { secret: WEBHOOK_SECRET };
    const content = { Division: DIVISION, Key: key };
    expect((await fake.notify(callbackFor(randomUUID()), content, signed)).status).toBe(404);
    expect((await fake.notify(callbackFor("not-a-uuid"), content, signed)).status).toBe(404);
    // The world's Exact connection has no stored secrets at all; its Yuki one is another package.
    expect((await fake.notify(callbackFor(world.connections.exact.id), content, signed)).status).toBe(404);
    expect((await fake.notify(callbackFor(world.connections.yuki.id), content, signed)).status).toBe(404);
    for (const body of ["", "not json", "{}", '{"Content":{"Topic":"Documents"},"HashCode":"AB"}']) {
      const response = await fetch(callbackFor(connectionId), { method: "POST", body });
      expect(response.status).toBe(400);
    }
    // Bodies that name nothing: which check failed is only in the status.
    const unknown = await fake.notify(callbackFor(randomUUID()), content, signed);
    expect(unknown.body).not.toContain(key);
  });

  it("acknowledges a notification about a document Koppel did not send, or another topic, and ignores it", async () => {
    const callsBefore = fake.counts.apiCalls;
    const foreign = await fake.notify(
      callbackFor(connectionId),
      { Division: DIVISION, Key: randomUUID() },
      { secret: WEBHOOK_SECRET },
    );
    expect(foreign.status).toBe(200);
    expect(JSON.parse(foreign.body)).toMatchObject({ handled: "ignored" });
    const otherTopic = await fake.notify(
      callbackFor(connectionId),
      { Topic: "FinancialTransactions", Division: DIVISION, Key: await referenceOf(sent[2] ?? "") },
      { secret: WEBHOOK_SECRET },
    );
    expect(JSON.parse(otherTopic.body)).toMatchObject({ handled: "ignored" });
    // Nothing was asked of Exact.
    expect(fake.counts.apiCalls).toBe(callsBefore);
    expect(await documentOf(opened.db, sent[2] ?? "")).toMatchObject({ status: "sent" });
  });

  it("a genuine notification makes Koppel ask Exact about that document and record its verdict once", async () => {
    const waitingId = sent[2] ?? "";
    const key = await referenceOf(waitingId);
    const lookupsBefore = fake.counts.byEndpoint["documents/Documents"] ?? 0;
    // The key as Exact may write it: upper case, in braces.
    const first = await fake.notify(
      callbackFor(connectionId),
      { Division: DIVISION, Key: `{${key.toUpperCase()}}` },
      { secret: WEBHOOK_SECRET },
    );
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({
      handled: "read_back",
      readBack: { outcome: "checked", checked: 1, imported: 0, rejected: 1 },
    });
    expect((fake.counts.byEndpoint["documents/Documents"] ?? 0) - lookupsBefore).toBe(1);
    expect(await documentOf(opened.db, waitingId)).toMatchObject({
      status: "rejected",
      lastErrorCode: PACKAGE_REJECTED,
    });

    const again = await fake.notify(
      callbackFor(connectionId),
      { Division: DIVISION, Key: key },
      {
        secret: WEBHOOK_SECRET,
      },
    );
    expect(JSON.parse(again.body)).toMatchObject({ handled: "ignored" });
    expect((fake.counts.byEndpoint["documents/Documents"] ?? 0) - lookupsBefore).toBe(1);
  });
});

describe("after a rejection", () => {
  it("the document is re-typed and sent again: a new Document in Exact, Sent, the old reason gone", async () => {
    const refusedId = sent[0] ?? "";
    const oldReference = await referenceOf(refusedId);
    expect(await documentOf(opened.db, refusedId)).toMatchObject({ status: "rejected" });

    // The accountant corrects the type, and the dossier's division too.
    await setDocumentType(opened.db, world.actors.accountant, refusedId, "sales_invoice");
    await setIntegration(opened.db, dossier, {
      kind: "connection",
      connectionId,
      settings: { division: OTHER_DIVISION },
    });
    const { accepted, refused } = await sendAndDeliver([refusedId]);
    expect(refused).toEqual([]);
    expect(accepted).toHaveLength(1);

    const resent = await documentOf(opened.db, refusedId);
    expect(resent).toMatchObject({
      status: "sent",
      documentType: "sales_invoice",
      lastErrorCode: null,
      lastErrorReason: null,
      importedAt: null,
    });
    expect(resent.packageReference).not.toBe(oldReference);
    const created = fake.documents(OTHER_DIVISION).find((document) => document.ID === resent.packageReference);
    // Type 10: a sales document this time.
    expect(created).toMatchObject({ Type: 10, ProposedEntryStatus: 20 });
    expect(created?.attachments).toHaveLength(1);

    // And it is read back like any sent document: asked about once, in the division it went to now
    // (not through its earlier dispatch, which holds the old reference and division).
    fake.setDocumentStatus(resent.packageReference ?? "", 50);
    expect(await readBackConnection(opened.db, connectionId)).toEqual({
      outcome: "checked",
      checked: 1,
      imported: 1,
      rejected: 0,
    });
    expect((await documentOf(opened.db, refusedId)).importedAt).not.toBeNull();
  });
});
