import { createHash, randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches, documentEvents, documents } from "@/db/schema";
import { requestSend } from "@/lib/dispatch/request-send";
import { sendAllInTab } from "@/lib/dispatch/send-all";
import { encodeDocumentCursor } from "@/lib/documents/schemas";
import { NotFoundError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";
import { collectingEnqueue, setIntegration } from "./setup";

// "Send all N in this tab" twice at once (two people, or a double click that got through), on real
// PostgreSQL with its pool of connections: every document gets one dispatch, the two answers split
// the tab between them, and the loser's documents are counted as already on their way. PGlite runs
// one transaction at a time, so this file runs only with TEST_DATABASE_URL.

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

async function bulkDossier(count: number) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example" },
  });
  const base = Date.now() - 600_000;
  const rows = Array.from({ length: count }, (_, index) => {
    const id: string = randomUUID();
    return {
      id,
      portalId: dossier.portalId,
      dossierId: dossier.id,
      source: "upload" as const,
      fileName: `factuur-${index}.pdf`,
      mimeType: "application/pdf",
      sizeBytes: 10,
      sha256: createHash("sha256").update(id).digest("hex"),
      storageKey: `${dossier.portalId}/${dossier.id}/${id}`,
      documentType: "purchase_invoice" as const,
      status: "inbox" as const,
      // Some share a timestamp, so the walk's tie-break on id is raced too.
      createdAt: new Date(base + Math.floor(index / 3)),
    };
  });
  for (let start = 0; start < rows.length; start += 500) {
    await opened.db.insert(documents).values(rows.slice(start, start + 500));
  }
  return { dossier, ids: rows.map((row) => row.id), createdAt: rows.map((row) => row.createdAt) };
}

async function expectOneDispatchEach(ids: string[], eventCount: number) {
  const rows = await opened.db
    .select({ id: dispatches.id, documentId: dispatches.documentId })
    .from(dispatches)
    .where(inArray(dispatches.documentId, ids));
  expect(rows).toHaveLength(ids.length);
  expect(new Set(rows.map((row) => row.documentId)).size).toBe(ids.length);
  expect(eventCount).toBe(ids.length);
  // One send_requested event per document: the history shows one send, not two.
  const events = await opened.db
    .select({ documentId: documentEvents.documentId, kind: documentEvents.kind })
    .from(documentEvents)
    .where(inArray(documentEvents.documentId, ids));
  expect(events.filter((event) => event.kind === "send_requested")).toHaveLength(ids.length);
}

describe("send all at most once on PostgreSQL", () => {
  it("two concurrent 'send all' calls over 2,500 documents (three batches each): one dispatch per document", async () => {
    const { dossier, ids } = await bulkDossier(2_500);
    const queue = collectingEnqueue();
    const call = (actor: typeof world.actors.accountant) =>
      sendAllInTab(opened.db, actor, { dossierId: dossier.id, tab: "inbox" }, { enqueue: queue.enqueue });

    const [first, second] = await Promise.all([call(world.actors.accountant), call(world.actors.admin)]);

    // Together they queued each document once; what one queued, the other was refused as on its way.
    expect((first?.queued ?? 0) + (second?.queued ?? 0)).toBe(2_500);
    for (const [mine, theirs] of [
      [first, second],
      [second, first],
    ] as const) {
      expect(mine?.nextCursor).toBeNull();
      expect(mine?.refused).toEqual(theirs?.queued ? [{ reason: "already_sending", count: theirs.queued }] : []);
    }
    // Batches of at most 1,000 documents per requestSend.
    expect(Math.max(...queue.calls)).toBeLessThanOrEqual(1_000);
    await expectOneDispatchEach(ids, queue.events.length);
    const statuses = await opened.db
      .select({ status: documents.status })
      .from(documents)
      .where(inArray(documents.id, ids));
    expect(new Set(statuses.map((row) => row.status))).toEqual(new Set(["sending"]));
  });

  it("two 'send all' walks that start at different places and cross each other's batches, and an outsider's at once: one dispatch per document", async () => {
    const { dossier, ids, createdAt } = await bulkDossier(2_500);
    const queue = collectingEnqueue();
    // A continuation from the middle of the tab (what a page does after a time budget ran out),
    // so its batches overlap the others' in the middle instead of queueing behind them.
    const middle = 1_250;
    const after = encodeDocumentCursor({
      tab: "inbox",
      key: (createdAt[middle] ?? new Date()).toISOString().replace("Z", "000Z"),
      id: ids[middle] ?? "",
    });
    const [fromTop, fromMiddle, smallBatches] = await Promise.all([
      sendAllInTab(
        opened.db,
        world.actors.accountant,
        { dossierId: dossier.id, tab: "inbox" },
        { enqueue: queue.enqueue },
      ),
      sendAllInTab(
        opened.db,
        world.actors.admin,
        { dossierId: dossier.id, tab: "inbox", after },
        { enqueue: queue.enqueue, batchSize: 700 },
      ),
      sendAllInTab(
        opened.db,
        world.actors.entrepreneur,
        { dossierId: dossier.id, tab: "inbox" },
        { enqueue: queue.enqueue, batchSize: 300 },
      ).catch((error: unknown) => error),
    ]);
    // The world's entrepreneur is not in this dossier: refused whole, nothing taken.
    expect(smallBatches).toBeInstanceOf(NotFoundError);
    const answers = [fromTop, fromMiddle];
    expect(answers.reduce((sum, answer) => sum + (answer?.queued ?? 0), 0)).toBe(2_500);
    for (const answer of answers) {
      expect(answer?.refused.every((entry) => entry.reason === "already_sending")).toBe(true);
    }
    await expectOneDispatchEach(ids, queue.events.length);
  });

  it("three 'send all' calls of people of the dossier, with different batch sizes: one dispatch per document", async () => {
    const { dossier, ids } = await bulkDossier(2_000);
    const queue = collectingEnqueue();
    const answers = await Promise.all(
      [1_000, 700, 300].map((batchSize, index) =>
        sendAllInTab(
          opened.db,
          [world.actors.accountant, world.actors.admin, world.actors.accountant][index] ?? world.actors.admin,
          { dossierId: dossier.id, tab: "inbox" },
          { enqueue: queue.enqueue, batchSize },
        ),
      ),
    );
    expect(answers.reduce((sum, answer) => sum + answer.queued, 0)).toBe(2_000);
    for (const answer of answers) {
      expect(answer.queued + answer.refused.reduce((sum, entry) => sum + entry.count, 0)).toBe(2_000);
      expect(answer.refused.every((entry) => entry.reason === "already_sending")).toBe(true);
    }
    await expectOneDispatchEach(ids, queue.events.length);
  });

  it("a 'send all' racing with clicks on single documents and a 'Send selected' of a page: still one dispatch each", async () => {
    const { dossier, ids } = await bulkDossier(1_200);
    const queue = collectingEnqueue();
    const page = ids.slice(-50);
    const clicks: string[] = [0, 600, 1_199].map((index) => ids[index] ?? "");

    const results = await Promise.all([
      sendAllInTab(
        opened.db,
        world.actors.accountant,
        { dossierId: dossier.id, tab: "inbox" },
        { enqueue: queue.enqueue, batchSize: 400 },
      ),
      requestSend(
        opened.db,
        world.actors.admin,
        { dossierId: dossier.id, documentIds: page, trigger: "bulk" },
        { enqueue: queue.enqueue },
      ),
      ...clicks.map((id) =>
        requestSend(
          opened.db,
          world.actors.admin,
          { dossierId: dossier.id, documentIds: [id], trigger: "manual" },
          { enqueue: queue.enqueue },
        ),
      ),
    ]);
    const [all, ...others] = results;
    const acceptedElsewhere = others.reduce(
      (sum, result) => sum + ("accepted" in result ? result.accepted.length : 0),
      0,
    );
    expect((all && "queued" in all ? all.queued : 0) + acceptedElsewhere).toBe(1_200);
    await expectOneDispatchEach(ids, queue.events.length);
  });
});
