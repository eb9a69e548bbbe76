import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { ingestDocument } from "@/lib/documents/ingest";
import { archiveDocument, deleteDocument } from "@/lib/documents/life";
import { setDocumentType } from "@/lib/documents/set-type";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, documentRow, setStatus, useTempFileStore, type World } from "./setup";

// Races need real connections: PGlite runs one statement at a time. This file runs only with
// TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

const N = 12;

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  world = await createWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  await files?.dispose();
  await opened?.close();
});

async function newDocument() {
  const { id } = await ingestDocument(opened.db, world.actors.entrepreneur, {
    dossierId: world.dossier.id,
    source: "upload",
    fileName: "factuur.pdf",
    content: samplePdf(),
  });
  return id;
}

/** What requestSend does to a document, reduced to its conditional update. */
async function startSending(id: string): Promise<boolean> {
  const rows = await opened.db
    .update(documents)
    .set({ status: "sending" })
    .where(
      and(
        eq(documents.id, id),
        inArray(documents.status, ["inbox", "failed", "rejected"]),
        isNotNull(documents.documentType),
      ),
    )
    .returning({ id: documents.id });
  return rows.length === 1;
}

describe("racing document changes (real PostgreSQL)", () => {
  it("of many concurrent deletes exactly one wins; the others answer not found", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await newDocument();
      const results = await Promise.allSettled(
        Array.from({ length: N }, () => deleteDocument(opened.db, world.actors.accountant, id)),
      );
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(NotFoundError);
      }
      expect(await documentRow(opened.db, id)).toBeUndefined();
    }
  });

  it("of many concurrent archives exactly one wins; the others are told it is already archived", async () => {
    const id = await newDocument();
    await setStatus(opened.db, id, "sent", { documentType: "purchase_invoice" });
    const results = await Promise.allSettled(
      Array.from({ length: N }, () => archiveDocument(opened.db, world.actors.admin, id)),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") {
        expect(result.reason).toBeInstanceOf(ConflictError);
        expect(result.reason).toMatchObject({ messageKey: "document.archive.already_archived" });
      }
    }
  });

  it("a delete racing a send never deletes a document that is being sent", async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newDocument();
      await setStatus(opened.db, id, "inbox", { documentType: "purchase_invoice" });
      const [deleted, sending] = await Promise.allSettled([
        deleteDocument(opened.db, world.actors.entrepreneur, id),
        startSending(id),
      ]);
      const row = await documentRow(opened.db, id);
      if (deleted.status === "fulfilled") {
        expect(row).toBeUndefined();
        expect(sending).toEqual({ status: "fulfilled", value: false });
      } else {
        expect(sending).toEqual({ status: "fulfilled", value: true });
        expect(row?.status).toBe("sending");
        expect((await files.store.get(row?.storageKey ?? "")).byteLength).toBeGreaterThan(0);
      }
    }
  });

  it("a re-type racing a send either lands before the send or is refused", async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newDocument();
      await setStatus(opened.db, id, "inbox", { documentType: "purchase_invoice" });
      const [typed] = await Promise.allSettled([
        setDocumentType(opened.db, world.actors.entrepreneur, id, "receipt"),
        startSending(id),
      ]);
      const row = await documentRow(opened.db, id);
      expect(row?.status).toBe("sending");
      if (typed.status === "rejected") {
        expect(typed.reason).toMatchObject({ messageKey: "document.type.already_sending" });
        expect(row?.documentType).toBe("purchase_invoice");
      } else {
        expect(row?.documentType).toBe("receipt");
      }
    }
  });
});
