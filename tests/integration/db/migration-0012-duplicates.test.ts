import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigration, migrateBefore } from "../../helpers/migrations";

// Migration 0012_duplicates adds a unique index on (dossier_id, sha256). A database in which a
// dossier already holds the same file twice must still migrate: nothing is deleted, the later
// copies are marked as legacy copies (which the partial index leaves out), and an unsent one is
// held as a possible duplicate of the first. The migrations run here as plain SQL, up to 0011,
// then the rows, then 0012.

const PORTAL = "11111111-1111-4111-8111-111111111111";
const DOSSIER = "22222222-2222-4222-8222-222222222222";
const OTHER_DOSSIER = "33333333-3333-4333-8333-333333333333";
const FIRST = "aaaaaaaa-0000-4000-8000-000000000001";
const SENT_COPY = "aaaaaaaa-0000-4000-8000-000000000002";
const INBOX_COPY = "aaaaaaaa-0000-4000-8000-000000000003";
const ELSEWHERE = "aaaaaaaa-0000-4000-8000-000000000004";
const SHA = "f".repeat(64);

let db: PGlite;

beforeAll(async () => {
  db = new PGlite();
  await migrateBefore(db, "0012_duplicates");
  await db.exec(`
    insert into portals (id, name) values ('${PORTAL}', 'Kantoor');
    insert into dossiers (id, portal_id, name, company_number) values
      ('${DOSSIER}', '${PORTAL}', 'A', '0401234567'), ('${OTHER_DOSSIER}', '${PORTAL}', 'B', '0401234568');
    insert into documents (id, portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, status, created_at) values
      ('${FIRST}', '${PORTAL}', '${DOSSIER}', 'upload', 'a.pdf', 'application/pdf', 1, '${SHA}', 'k1', 'sent', '2026-01-01'),
      ('${SENT_COPY}', '${PORTAL}', '${DOSSIER}', 'upload', 'b.pdf', 'application/pdf', 1, '${SHA}', 'k2', 'sent', '2026-01-02'),
      ('${INBOX_COPY}', '${PORTAL}', '${DOSSIER}', 'upload', 'c.pdf', 'application/pdf', 1, '${SHA}', 'k3', 'inbox', '2026-01-03'),
      ('${ELSEWHERE}', '${PORTAL}', '${OTHER_DOSSIER}', 'upload', 'd.pdf', 'application/pdf', 1, '${SHA}', 'k4', 'inbox', '2026-01-04');
  `);
  await applyMigration(db, "0012_duplicates");
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe("migration 0012_duplicates on a dossier that holds the same file twice", () => {
  it("keeps every row, marks the later copies, and holds the unsent one", async () => {
    const { rows } = await db.query<{ id: string; is_legacy_file_copy: boolean; possible_duplicate_of: string | null }>(
      "select id, is_legacy_file_copy, possible_duplicate_of from documents order by id",
    );
    expect(rows).toEqual([
      { id: FIRST, is_legacy_file_copy: false, possible_duplicate_of: null },
      { id: SENT_COPY, is_legacy_file_copy: true, possible_duplicate_of: null },
      { id: INBOX_COPY, is_legacy_file_copy: true, possible_duplicate_of: FIRST },
      { id: ELSEWHERE, is_legacy_file_copy: false, possible_duplicate_of: null },
    ]);
  });

  it("refuses the same file again in that dossier from now on", async () => {
    await expect(
      db.exec(`insert into documents (portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key)
        values ('${PORTAL}', '${DOSSIER}', 'upload', 'e.pdf', 'application/pdf', 1, '${SHA}', 'k5')`),
    ).rejects.toThrow(/documents_dossier_sha256_uq/);
  });
});
