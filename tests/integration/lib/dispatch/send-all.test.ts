import { createHash, randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbOrTx, OpenedDb } from "@/db";
import { dispatches, documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { sendAllInTab } from "@/lib/dispatch/send-all";
import { encodeDocumentCursor } from "@/lib/documents/schemas";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { insertUserActor } from "../connections/oauth-connector";
import { createWorld, type World } from "../integrations/setup";
import { collectingEnqueue, insertSendableDocument, setIntegration, useTempFileStore } from "./setup";

// "Send all N in this tab" (lib/dispatch/send-all.ts): the server finds the tab's documents itself,
// sends them in batches of at most 1,000 through requestSend, and answers with counts. The race of
// two such calls at once is proven on PostgreSQL in send-all.pg.test.ts.

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  cleanupFiles?.();
  await opened?.close();
});

const FREE_MAIL = { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example", other: null };

async function mailDossier() {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "free_email", addresses: FREE_MAIL });
  return dossier;
}

/**
 * `count` recognised documents in one insert (no files: requestSend does not read them), each a
 * microsecond apart so the tab's order is known: the last one is the newest.
 */
async function insertMany(
  db: DbOrTx,
  dossier: { id: string; portalId: string },
  count: number,
  values: { status?: "inbox" | "failed" | "rejected" } = {},
): Promise<string[]> {
  const base = Date.now() - 60_000;
  const rows = Array.from({ length: count }, (_, index) => {
    const id = randomUUID();
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
      status: values.status ?? "inbox",
      createdAt: new Date(base + index),
    };
  });
  for (let start = 0; start < rows.length; start += 500) {
    await db.insert(documents).values(rows.slice(start, start + 500));
  }
  return rows.map((row) => row.id);
}

async function statusesOf(ids: string[]) {
  const rows = await opened.db
    .select({ id: documents.id, status: documents.status })
    .from(documents)
    .where(inArray(documents.id, ids));
  return new Map(rows.map((row) => [row.id, row.status]));
}

async function dispatchesOfDocuments(ids: string[]) {
  return opened.db.select().from(dispatches).where(inArray(dispatches.documentId, ids));
}

function sendAll(
  actor: Actor,
  input: { dossierId: string; tab: "inbox" | "failed" | "rejected"; after?: string },
  options: { batchSize?: number; budgetMs?: number } = {},
) {
  const queue = collectingEnqueue();
  return sendAllInTab(opened.db, actor, input, { ...options, enqueue: queue.enqueue }).then((result) => ({
    ...result,
    queue,
  }));
}

describe("sendAllInTab sends the tab the server finds", () => {
  it("takes every document of the Inbox across batches, counts the refusals, and leaves the other tabs alone", async () => {
    const dossier = await mailDossier();
    const sendable = [];
    for (let i = 0; i < 5; i++) sendable.push(await insertSendableDocument(opened.db, dossier));
    const unrecognised = [
      await insertSendableDocument(opened.db, dossier, { documentType: null }),
      await insertSendableDocument(opened.db, dossier, { documentType: null }),
    ];
    const held = await insertSendableDocument(opened.db, dossier, { possibleDuplicateOf: sendable[0]?.id });
    const sending = await insertSendableDocument(opened.db, dossier, { status: "sending" });
    const failed = await insertSendableDocument(opened.db, dossier, { status: "failed" });
    const sent = await insertSendableDocument(opened.db, dossier, { status: "sent" });
    // Another dossier of the same office: never in this dossier's tab.
    const neighbour = await mailDossier();
    const elsewhere = await insertSendableDocument(opened.db, neighbour);

    const result = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "inbox" }, { batchSize: 3 });

    expect(result).toMatchObject({
      queued: 5,
      refused: [
        { reason: "not_recognised", count: 2 },
        { reason: expect.stringMatching(/^(possible_duplicate|already_sending)$/), count: 1 },
        { reason: expect.stringMatching(/^(possible_duplicate|already_sending)$/), count: 1 },
      ],
      nextCursor: null,
    });
    expect(new Set(result.refused.map((entry) => entry.reason))).toEqual(
      new Set(["not_recognised", "possible_duplicate", "already_sending"]),
    );
    // Nine documents in the tab, in batches of at most three: three requestSends.
    expect(result.queue.calls.every((size) => size <= 3)).toBe(true);
    expect(result.queue.events).toHaveLength(5);

    const statuses = await statusesOf([
      ...sendable.map((d) => d.id),
      ...unrecognised.map((d) => d.id),
      held.id,
      sending.id,
      failed.id,
      sent.id,
      elsewhere.id,
    ]);
    for (const document of sendable) expect(statuses.get(document.id)).toBe("sending");
    for (const document of unrecognised) expect(statuses.get(document.id)).toBe("inbox");
    expect(statuses.get(held.id)).toBe("inbox");
    expect(statuses.get(failed.id)).toBe("failed");
    expect(statuses.get(sent.id)).toBe("sent");
    expect(statuses.get(elsewhere.id)).toBe("inbox");
    const rows = await dispatchesOfDocuments(sendable.map((d) => d.id));
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((row) => row.trigger))).toEqual(new Set(["bulk"]));
  });

  it("sends 1,005 documents in two batches: 1,000, then 5", async () => {
    const dossier = await mailDossier();
    const ids = await insertMany(opened.db, dossier, 1_005);

    const result = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "inbox" });

    expect(result.queued).toBe(1_005);
    expect(result.refused).toEqual([]);
    expect(result.nextCursor).toBeNull();
    expect(result.queue.calls).toEqual([1_000, 5]);
    const rows = await dispatchesOfDocuments(ids);
    expect(new Set(rows.map((row) => row.documentId)).size).toBe(1_005);
    expect(rows).toHaveLength(1_005);
  });

  it("in Failed takes the failed documents only, and in Rejected the rejected ones", async () => {
    const dossier = await mailDossier();
    const inbox = await insertSendableDocument(opened.db, dossier);
    const failed = [
      await insertSendableDocument(opened.db, dossier, { status: "failed" }),
      await insertSendableDocument(opened.db, dossier, { status: "failed" }),
    ];
    const rejected = await insertSendableDocument(opened.db, dossier, { status: "rejected" });
    const archivedSent = await insertSendableDocument(opened.db, dossier, { status: "sent", archivedAt: new Date() });

    const fromFailed = await sendAll(world.actors.entrepreneur, { dossierId: dossier.id, tab: "failed" }).catch(
      (error: unknown) => error,
    );
    // The world's entrepreneur is not a member of this dossier (see the permission tests below).
    expect(fromFailed).toBeInstanceOf(NotFoundError);

    const failedResult = await sendAll(world.actors.admin, { dossierId: dossier.id, tab: "failed" });
    expect(failedResult).toMatchObject({ queued: 2, refused: [], nextCursor: null });
    let statuses = await statusesOf([inbox.id, ...failed.map((d) => d.id), rejected.id, archivedSent.id]);
    expect(statuses.get(inbox.id)).toBe("inbox");
    expect(statuses.get(rejected.id)).toBe("rejected");
    for (const document of failed) expect(statuses.get(document.id)).toBe("sending");

    const rejectedResult = await sendAll(world.actors.admin, { dossierId: dossier.id, tab: "rejected" });
    expect(rejectedResult).toMatchObject({ queued: 1, refused: [], nextCursor: null });
    statuses = await statusesOf([inbox.id, rejected.id, archivedSent.id]);
    expect(statuses.get(rejected.id)).toBe("sending");
    expect(statuses.get(inbox.id)).toBe("inbox");
    expect(statuses.get(archivedSent.id)).toBe("sent");
  });

  it("refuses every document with the dossier's reason when it has no integration, and moves none", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const ids = await insertMany(opened.db, dossier, 7);
    const result = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "inbox" }, { batchSize: 4 });
    expect(result).toMatchObject({ queued: 0, refused: [{ reason: "no_integration", count: 7 }], nextCursor: null });
    expect(new Set((await statusesOf(ids)).values())).toEqual(new Set(["inbox"]));
    expect(await dispatchesOfDocuments(ids)).toEqual([]);
  });

  it("answers an empty tab with nothing done", async () => {
    const dossier = await mailDossier();
    const result = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "rejected" });
    expect(result).toMatchObject({ queued: 0, refused: [], nextCursor: null });
    expect(result.queue.calls).toEqual([]);
  });
});

describe("sendAllInTab goes on where its time budget stopped it", () => {
  it("hands back a cursor per batch when the budget is spent; the calls together send each document once, and a document that arrived meanwhile is not taken", async () => {
    const dossier = await mailDossier();
    const ids = await insertMany(opened.db, dossier, 5);
    const options = { batchSize: 2, budgetMs: 0 };

    const first = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "inbox" }, options);
    expect(first.queued).toBe(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    // Arrives after the click: newer than where the walk started.
    const [late] = await insertMany(opened.db, dossier, 1);
    await opened.db
      .update(documents)
      .set({ createdAt: new Date(Date.now() + 1_000) })
      .where(eq(documents.id, late ?? ""));

    const answers = [first];
    let after = first.nextCursor;
    while (after) {
      const next = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "inbox", after }, options);
      answers.push(next);
      after = next.nextCursor;
    }
    // 2 + 2 + 1; the fourth call finds nothing past the fifth document.
    expect(answers.map((answer) => answer.queued).reduce((a, b) => a + b, 0)).toBe(5);
    // The walk went from the newest down: the sending documents of the first batches are passed,
    // never offered again (no already_sending refusals).
    expect(answers.flatMap((answer) => answer.refused)).toEqual([]);
    const statuses = await statusesOf([...ids, late ?? ""]);
    for (const id of ids) expect(statuses.get(id)).toBe("sending");
    expect(statuses.get(late ?? "")).toBe("inbox");
    expect(await dispatchesOfDocuments(ids)).toHaveLength(5);
  });

  it("refuses a cursor that is not one, or one made for another tab", async () => {
    const dossier = await mailDossier();
    const [id] = await insertMany(opened.db, dossier, 1);
    const foreignTab = encodeDocumentCursor({ tab: "failed", key: "2026-01-01T00:00:00.000000Z", id: id ?? "" });
    for (const after of ["nonsense", foreignTab]) {
      const error = await sendAll(world.actors.accountant, { dossierId: dossier.id, tab: "inbox", after }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ValidationError);
    }
    expect((await statusesOf([id ?? ""])).get(id ?? "")).toBe("inbox");
  });
});

describe("sendAllInTab is only for those who may send in the dossier", () => {
  it("lets the dossier's own entrepreneur send all", async () => {
    await setIntegration(opened.db, world.dossier, { kind: "free_email", addresses: FREE_MAIL });
    const ids = await insertMany(opened.db, world.dossier, 3, { status: "rejected" });
    const result = await sendAll(world.actors.entrepreneur, { dossierId: world.dossier.id, tab: "rejected" });
    expect(result).toMatchObject({ queued: 3, refused: [] });
    expect(new Set((await statusesOf(ids)).values())).toEqual(new Set(["sending"]));
  });

  it("is not found for an entrepreneur of another dossier and for an accountant of another office; nothing moves", async () => {
    const dossier = await mailDossier();
    const ids = await insertMany(opened.db, dossier, 3);
    const otherOfficeAccountant = await insertUserActor(opened.db, { [world.otherPortal.id]: "accountant" });
    const outsiders: Actor[] = [world.actors.entrepreneur, otherOfficeAccountant, world.actors.otherAdmin];
    for (const actor of outsiders) {
      const error = await sendAll(actor, { dossierId: dossier.id, tab: "inbox" }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(NotFoundError);
    }
    // A malformed or unknown dossier is not found either.
    for (const dossierId of ["nope", randomUUID()]) {
      const error = await sendAll(world.actors.accountant, { dossierId, tab: "inbox" }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(NotFoundError);
    }
    expect(new Set((await statusesOf(ids)).values())).toEqual(new Set(["inbox"]));
    expect(await dispatchesOfDocuments(ids)).toEqual([]);
  });

  it("refuses a tab that cannot be sent (Sent, Archive) as invalid input", async () => {
    const dossier = await mailDossier();
    for (const tab of ["sent", "archived"]) {
      const error = await sendAllInTab(opened.db, world.actors.accountant, {
        dossierId: dossier.id,
        tab: tab as "inbox",
      }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ValidationError);
    }
  });
});
