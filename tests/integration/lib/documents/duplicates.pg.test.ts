import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { DuplicateFileError } from "@/lib/documents/duplicates";
import { ingestDocument } from "@/lib/documents/ingest";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { createWorld, useTempFileStore, type World } from "./setup";

// Two identical uploads at the same moment give one document (issue 15): the unique index on
// (dossier_id, sha256) decides, not the look-up before it. Needs real connections: PGlite runs one
// statement at a time. This file runs only with TEST_DATABASE_URL (vitest.config.ts).

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

const N = 8;

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

describe("the same file, uploaded several times at the same moment", () => {
  it("becomes one document; every other upload gets the 409 naming it, and its stored file is removed", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const content = samplePdf();
    const outcomes = await Promise.allSettled(
      Array.from({ length: N }, () =>
        ingestDocument(opened.db, world.actors.admin, {
          dossierId: dossier.id,
          source: "upload",
          fileName: "factuur.pdf",
          content,
        }),
      ),
    );

    const stored = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    expect(stored).toHaveLength(1);
    expect(refused).toHaveLength(N - 1);
    for (const error of refused) {
      expect(error).toBeInstanceOf(DuplicateFileError);
      expect((error as DuplicateFileError).existingDocumentId).toBe(stored[0]?.id);
    }

    const rows = await opened.db
      .select({ id: documents.id })
      .from(documents)
      .where(and(eq(documents.dossierId, dossier.id), eq(documents.sha256, stored[0]?.sha256 ?? "")));
    expect(rows).toEqual([{ id: stored[0]?.id }]);
    // Only the winner's file is left in the store.
    const dossierFiles = (await files.keys()).filter((key) => key.includes(dossier.id));
    expect(dossierFiles).toEqual([`${world.portal.id}/${dossier.id}/${stored[0]?.id}`]);
  });
});
