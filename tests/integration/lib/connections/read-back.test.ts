import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { checkConnectionStatusNow } from "@/lib/connections/read-back";
import { resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { connectionSecretsContext, encryptSecrets } from "@/lib/crypto/secrets";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { NotFoundError } from "@/lib/errors";
import { type FakeExactOnline, startFakeExactOnline } from "../../../fakes/exact-online";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { allowCustomApiHosts, grantedSecrets } from "../connectors/exact-online/helpers";
import {
  collectingEnqueue,
  documentOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { useTestEncryptionKey } from "./helpers";

// "Check status now" on a connection card: the connection's read-back at once, for admins and
// accountants (it only reads), never for an entrepreneur or another office; it says what it found.

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

const DIVISION = 100001;

let opened: OpenedDb;
let world: World;
let fake: FakeExactOnline;
let cleanupFiles: () => void;
let connectionId = "";
let dossier: { id: string; portalId: string };
const sent: string[] = [];

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
      { clientSecret: fake.clientSecret, ...grantedSecrets(fake) },
      connectionSecretsContext(connectionId),
    ),
    status: "connected",
  });
  dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: { division: DIVISION } });
  for (let i = 0; i < 3; i++) sent.push((await insertSendableDocument(opened.db, dossier)).id);
  const queue = collectingEnqueue();
  await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: sent, trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  for (const event of queue.events) await deliverDispatch(opened.db, event.dispatchId);
  expect(fake.documents(DIVISION)).toHaveLength(3);
});

afterAll(async () => {
  await fake?.close();
  cleanupFiles?.();
  await opened?.close();
  allowCustomApiHosts(undefined);
});

beforeEach(() => resetExactRateLimits());

async function exactIdOf(documentId: string): Promise<string> {
  const reference = (await documentOf(opened.db, documentId)).packageReference;
  if (!reference) throw new Error("not sent");
  return reference;
}

describe("check status now", () => {
  it("an accountant runs the read-back: it says how many it checked, imported and rejected, and marks each once", async () => {
    fake.setDocumentStatus(await exactIdOf(sent[0] ?? ""), 5);
    fake.setDocumentStatus(await exactIdOf(sent[1] ?? ""), 50);

    const first = await checkConnectionStatusNow(opened.db, world.actors.accountant, world.portal.id, connectionId);
    expect(first).toEqual({ outcome: "checked", checked: 3, imported: 1, rejected: 1 });
    expect((await documentOf(opened.db, sent[0] ?? "")).status).toBe("rejected");
    expect((await documentOf(opened.db, sent[1] ?? "")).importedAt).not.toBeNull();
    expect((await documentOf(opened.db, sent[2] ?? "")).status).toBe("sent");

    // Asked again (an admin this time): only the one still waiting is checked, nothing changes.
    const again = await checkConnectionStatusNow(opened.db, world.actors.admin, world.portal.id, connectionId);
    expect(again).toEqual({ outcome: "checked", checked: 1, imported: 0, rejected: 0 });
  });

  it("is not there for an entrepreneur, another office, or an id of another portal", async () => {
    await expect(
      checkConnectionStatusNow(opened.db, world.actors.entrepreneur, world.portal.id, connectionId),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      checkConnectionStatusNow(opened.db, world.actors.otherAdmin, world.portal.id, connectionId),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      checkConnectionStatusNow(opened.db, world.actors.admin, world.portal.id, world.connections.otherConnection.id),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      checkConnectionStatusNow(opened.db, world.actors.admin, world.portal.id, "not-an-id"),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("says when there is nothing to ask, and leaves a connection that needs re-authorisation alone", async () => {
    // The world's Exact connection never sent anything.
    expect(
      await checkConnectionStatusNow(opened.db, world.actors.admin, world.portal.id, world.connections.exact.id),
    ).toEqual({ outcome: "skipped", reason: "nothing_sent" });
    await opened.db.update(connections).set({ status: "needs_reauth" }).where(eq(connections.id, connectionId));
    const callsBefore = fake.counts.apiCalls;
    expect(await checkConnectionStatusNow(opened.db, world.actors.admin, world.portal.id, connectionId)).toEqual({
      outcome: "skipped",
      reason: "status",
    });
    expect(fake.counts.apiCalls).toBe(callsBefore);
    await opened.db.update(connections).set({ status: "connected" }).where(eq(connections.id, connectionId));
  });

  it("a package that cannot be reached is a result with its reason, not an error", async () => {
    fake.failNext(5, { status: 503, endpoint: "documents/Documents" });
    const result = await checkConnectionStatusNow(opened.db, world.actors.accountant, world.portal.id, connectionId);
    expect(result).toMatchObject({ outcome: "failed", errorCode: expect.any(String) });
  });
});
