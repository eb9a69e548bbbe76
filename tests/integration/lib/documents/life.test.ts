import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db, DbOrTx, OpenedDb } from "@/db";
import { documentEvents, documents } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { ingestDocument } from "@/lib/documents/ingest";
import { archiveDocument, deleteDocument, unarchiveDocument } from "@/lib/documents/life";
import { setDocumentType } from "@/lib/documents/set-type";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { sendJobEvent } from "@/lib/jobs/client";
import { FileNotFoundError } from "@/lib/storage/file-store";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, documentRow, setStatus, useTempFileStore, type World } from "./setup";

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
const sentEvents = vi.mocked(sendJobEvent);

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => {
  sentEvents.mockClear();
});

type Status = (typeof documents.$inferSelect)["status"];

/** A stored, unrecognised document in the given status (and dossier). */
async function newDocument(
  status: Status = "inbox",
  values: Partial<typeof documents.$inferInsert> = {},
  dossier = world.dossier,
) {
  const actor: Actor = dossier.id === world.dossier.id ? world.actors.entrepreneur : world.actors.system;
  const { id } = await ingestDocument(opened.db, actor, {
    dossierId: dossier.id,
    source: "upload",
    fileName: "factuur.pdf",
    content: samplePdf(),
  });
  await setStatus(opened.db, id, status, values);
  sentEvents.mockClear();
  const row = await documentRow(opened.db, id);
  if (!row) throw new Error("document missing");
  return row;
}

/**
 * The database as a racing caller sees it: `change` commits right after the service has read the
 * document and right before its conditional write, as another request would in between. A service
 * that writes in a transaction of its own (setDocumentType, with auto-send) gets the change inside
 * it, on its connection (`change` is given the database to write with): PGlite has one connection,
 * and a conditional write sees the other change either way.
 */
function withChangeBeforeWrite(db: DbOrTx, change: (db: DbOrTx) => Promise<void>, state = { hasRun: false }): Db {
  const runOnce = async () => {
    if (state.hasRun) return;
    state.hasRun = true;
    await change(db);
  };
  const wrapBuilder = (builder: object): object =>
    new Proxy(builder, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === "then") {
          return (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) =>
            runOnce().then(() => (value as PromiseLike<unknown>["then"]).call(target, resolve, reject), reject);
        }
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const result: unknown = value.apply(target, args);
          if (result === target) return receiver;
          // drizzle's update().set() and with().select() hand back new builders: keep intercepting
          // until the one that runs (`then`).
          const isBuilder = typeof result === "object" && result !== null;
          return isBuilder ? wrapBuilder(result) : result;
        };
      },
    });
  return new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "transaction") {
        return (run: (tx: DbOrTx) => Promise<unknown>, ...rest: unknown[]) =>
          (value as (...a: unknown[]) => Promise<unknown>).call(
            target,
            (tx: DbOrTx) => run(withChangeBeforeWrite(tx, change, state)),
            ...rest,
          );
      }
      // The life module makes each change as one statement: `with <change>, <event> select …`.
      if (property !== "update" && property !== "delete" && property !== "with") return value;
      return (...args: unknown[]) => wrapBuilder((value as (...a: unknown[]) => object).apply(target, args));
    },
  }) as Db;
}

const OUTSIDERS = [
  ["another office's admin", "otherAdmin"],
  ["another office's API token", "otherToken"],
] as const;

describe("setDocumentType", () => {
  it("types an unrecognised inbox document, clears the old skip reason and confidence, and gives auto-send its chance", async () => {
    const document = await newDocument("inbox", { autoSendSkipReason: "autoSendOff", recognitionConfidence: 0.4 });
    const result = await setDocumentType(opened.db, world.actors.entrepreneur, document.id, "purchase_invoice");
    expect(result).toEqual({
      id: document.id,
      status: "inbox",
      documentType: "purchase_invoice",
      archivedAt: null,
      importedAt: null,
      possibleDuplicateOf: null,
    });
    // The old reason is gone; auto-send ran at once and noted its own (this dossier has no integration).
    expect(await documentRow(opened.db, document.id)).toMatchObject({
      documentType: "purchase_invoice",
      autoSendSkipReason: "no_integration",
      recognitionConfidence: null,
    });
    const reasons = await opened.db
      .select({ kind: documentEvents.kind, details: documentEvents.details })
      .from(documentEvents)
      .where(eq(documentEvents.documentId, document.id))
      .orderBy(asc(documentEvents.id));
    expect(reasons.slice(-2)).toEqual([
      { kind: "typed", details: expect.anything() },
      { kind: "auto_send_skipped", details: { reason: "no_integration" } },
    ]);
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it.each(["failed", "rejected"] as const)("re-types a %s document", async (status) => {
    const document = await newDocument(status, { documentType: "purchase_invoice" });
    await setDocumentType(opened.db, world.actors.accountant, document.id, "purchase_credit_note");
    expect((await documentRow(opened.db, document.id))?.documentType).toBe("purchase_credit_note");
  });

  it.each([
    ["sent", "document.type.already_sent"],
    ["sending", "document.type.already_sending"],
  ] as const)("refuses a %s document and changes nothing", async (status, messageKey) => {
    const document = await newDocument(status, { documentType: "purchase_invoice" });
    const error = await setDocumentType(opened.db, world.actors.admin, document.id, "receipt").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ messageKey, httpStatus: 409 });
    expect((await documentRow(opened.db, document.id))?.documentType).toBe("purchase_invoice");
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it("refuses a type that does not exist", async () => {
    const document = await newDocument();
    await expect(
      setDocumentType(opened.db, world.actors.admin, document.id, "invoice" as never),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("loses cleanly to a send that started after it read the document", async () => {
    const document = await newDocument("inbox");
    const racing = withChangeBeforeWrite(opened.db, (db) => setStatus(db, document.id, "sending"));
    await expect(setDocumentType(racing, world.actors.admin, document.id, "receipt")).rejects.toMatchObject({
      messageKey: "document.type.already_sending",
    });
    expect((await documentRow(opened.db, document.id))?.documentType).toBeNull();
    expect(sentEvents).not.toHaveBeenCalled();
  });

  it.each(OUTSIDERS)("answers not found to %s", async (_name, actorName) => {
    const document = await newDocument();
    await expect(setDocumentType(opened.db, world.actors[actorName], document.id, "receipt")).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await documentRow(opened.db, document.id))?.documentType).toBeNull();
  });

  it("answers not found to an entrepreneur for a document of a dossier that is not theirs", async () => {
    const document = await newDocument("inbox", {}, world.neighbourDossier);
    await expect(setDocumentType(opened.db, world.actors.entrepreneur, document.id, "receipt")).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it.each(["nope", "00000000-0000-4000-8000-000000000000"])("answers not found for document %s", async (id) => {
    await expect(setDocumentType(opened.db, world.actors.admin, id, "receipt")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("deleteDocument", () => {
  it.each(["inbox", "failed", "rejected"] as const)("deletes a %s document and its file", async (status) => {
    const document = await newDocument(status);
    expect(await deleteDocument(opened.db, world.actors.entrepreneur, document.id)).toEqual({
      id: document.id,
      releasedHolds: [],
    });
    expect(await documentRow(opened.db, document.id)).toBeUndefined();
    await expect(files.store.get(document.storageKey)).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it.each([
    ["sent", "document.delete.already_sent"],
    ["sending", "document.delete.already_sending"],
  ] as const)("refuses to delete a %s document and keeps its file", async (status, messageKey) => {
    const document = await newDocument(status, { documentType: "purchase_invoice" });
    await expect(deleteDocument(opened.db, world.actors.admin, document.id)).rejects.toMatchObject({ messageKey });
    expect(await documentRow(opened.db, document.id)).toBeDefined();
    expect((await files.store.get(document.storageKey)).byteLength).toBeGreaterThan(0);
  });

  it("loses cleanly to a send that started after it read the document", async () => {
    const document = await newDocument("inbox", { documentType: "purchase_invoice" });
    const racing = withChangeBeforeWrite(opened.db, (db) => setStatus(db, document.id, "sending"));
    await expect(deleteDocument(racing, world.actors.admin, document.id)).rejects.toMatchObject({
      messageKey: "document.delete.already_sending",
    });
    expect(await documentRow(opened.db, document.id)).toMatchObject({ status: "sending" });
    expect((await files.store.get(document.storageKey)).byteLength).toBeGreaterThan(0);
  });

  it("answers not found when another delete won the race", async () => {
    const document = await newDocument("inbox");
    const racing = withChangeBeforeWrite(opened.db, async (db) => {
      await db.delete(documents).where(eq(documents.id, document.id));
    });
    await expect(deleteDocument(racing, world.actors.admin, document.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(OUTSIDERS)("answers not found to %s and keeps the document", async (_name, actorName) => {
    const document = await newDocument();
    await expect(deleteDocument(opened.db, world.actors[actorName], document.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await documentRow(opened.db, document.id)).toBeDefined();
  });
});

describe("archiveDocument and unarchiveDocument", () => {
  it("archives a sent document and takes it out again", async () => {
    const document = await newDocument("sent", { documentType: "purchase_invoice" });
    const archived = await archiveDocument(opened.db, world.actors.entrepreneur, document.id);
    expect(archived.archivedAt).toBeInstanceOf(Date);
    expect((await documentRow(opened.db, document.id))?.archivedAt).toBeInstanceOf(Date);

    const restored = await unarchiveDocument(opened.db, world.actors.entrepreneur, document.id);
    expect(restored).toMatchObject({ status: "sent", archivedAt: null });
  });

  it.each(["inbox", "sending", "failed", "rejected"] as const)("refuses to archive a %s document", async (status) => {
    const document = await newDocument(status);
    await expect(archiveDocument(opened.db, world.actors.admin, document.id)).rejects.toMatchObject({
      messageKey: "document.archive.not_sent",
    });
    expect((await documentRow(opened.db, document.id))?.archivedAt).toBeNull();
  });

  it("refuses to archive twice, also when the other archive won the race", async () => {
    const document = await newDocument("sent", { documentType: "purchase_invoice" });
    const racing = withChangeBeforeWrite(opened.db, async (db) => {
      await archiveDocument(db, world.actors.accountant, document.id);
    });
    await expect(archiveDocument(racing, world.actors.admin, document.id)).rejects.toMatchObject({
      messageKey: "document.archive.already_archived",
    });
    await expect(archiveDocument(opened.db, world.actors.admin, document.id)).rejects.toMatchObject({
      messageKey: "document.archive.already_archived",
    });
  });

  it("refuses to take a document out of the archive that is not in it", async () => {
    const document = await newDocument("sent", { documentType: "purchase_invoice" });
    await expect(unarchiveDocument(opened.db, world.actors.admin, document.id)).rejects.toMatchObject({
      messageKey: "document.unarchive.not_archived",
    });
  });

  it.each(OUTSIDERS)("answers not found to %s", async (_name, actorName) => {
    const document = await newDocument("sent", { documentType: "purchase_invoice" });
    await expect(archiveDocument(opened.db, world.actors[actorName], document.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await setStatus(opened.db, document.id, "sent", { archivedAt: new Date() });
    await expect(unarchiveDocument(opened.db, world.actors[actorName], document.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
