import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORED_ERROR_CODES, storedFailureGroupOf } from "@/lib/failures/groups";
import { applyMigration, migrateBefore } from "../../helpers/migrations";

// Migration 0016 stores the failure group on the document (issue 19). The failed and rejected
// documents that exist before it get theirs from the migration's hand-written backfill, which must
// decide exactly as lib/failures/groups.ts storedFailureGroupOf does for every stored error code
// (and a missing or unknown one); other documents keep none. The migrations run here as plain SQL,
// up to 0015, then the rows, then 0016.

const TAG = "0016_failure-group-count-indexes";

const PORTAL = "11111111-1111-4111-8111-111111111111";
const DOSSIER = "22222222-2222-4222-8222-222222222222";

type Row = { status: "failed" | "rejected" | "sent" | "inbox"; code: string | null };
const ROWS: Row[] = [
  ...[...STORED_ERROR_CODES, null, "vendor_specific"].map((code): Row => ({ status: "failed", code })),
  { status: "rejected", code: "package_refused" },
  { status: "rejected", code: null },
  { status: "rejected", code: "timeout" },
  { status: "sent", code: null },
  { status: "inbox", code: "timeout" },
];

let db: PGlite;

beforeAll(async () => {
  db = new PGlite();
  await migrateBefore(db, TAG);
  await db.exec(`
    insert into portals (id, name) values ('${PORTAL}', 'Kantoor');
    insert into dossiers (id, portal_id, name, company_number) values ('${DOSSIER}', '${PORTAL}', 'A', '0401234567');`);
  for (const [i, row] of ROWS.entries()) {
    await db.query(
      `insert into documents (portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, status, last_error_code)
       values ($1, $2, 'upload', $3, 'application/pdf', 1, $4, $3, $5, $6)`,
      [PORTAL, DOSSIER, `f${i}.pdf`, String(i).padStart(64, "0"), row.status, row.code],
    );
  }
  await applyMigration(db, TAG);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe(`migration ${TAG}`, () => {
  it("stores every failed and rejected document's group as storedFailureGroupOf decides it, and none on the others", async () => {
    const { rows } = await db.query<{ file_name: string; failure_group: string | null }>(
      "select file_name, failure_group from documents",
    );
    const stored = new Map(rows.map((row) => [row.file_name, row.failure_group]));
    for (const [i, row] of ROWS.entries()) {
      const expected =
        row.status === "failed" || row.status === "rejected" ? storedFailureGroupOf(row.status, row.code) : null;
      expect([row.status, row.code, stored.get(`f${i}.pdf`)]).toEqual([row.status, row.code, expected]);
    }
  });
});
