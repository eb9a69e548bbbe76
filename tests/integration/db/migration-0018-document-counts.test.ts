import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigration, insertMigrationOffice, migrateBefore } from "../../helpers/migrations";

// Migration 0018 keeps the document counts (document_counts, issue 19). The documents that exist
// before it are counted by its backfill, and changes after it by its triggers; the two must not
// count a document twice or miss one. The migrations run here as plain SQL, up to 0017, then the
// rows, then 0018.

const TAG = "0018_document-counts";

const PORTAL = "11111111-1111-4111-8111-111111111111";
const DOSSIERS = ["22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"];

let db: PGlite;

async function keptAndCounted() {
  const kept = await db.query<{ dossier_id: string; status: string; is_archived: boolean; n: number }>(
    `select dossier_id, status::text, is_archived, sum(n)::int as n from document_counts
     group by 1, 2, 3 having sum(n) <> 0 order by 1, 2, 3`,
  );
  const counted = await db.query<{ dossier_id: string; status: string; is_archived: boolean; n: number }>(
    `select dossier_id, status::text, archived_at is not null as is_archived, count(*)::int as n from documents
     group by 1, 2, 3 order by 1, 2, 3`,
  );
  return { kept: kept.rows, counted: counted.rows };
}

beforeAll(async () => {
  db = new PGlite();
  await migrateBefore(db, TAG);
  await insertMigrationOffice(db, PORTAL, DOSSIERS);
  const statuses = ["inbox", "sending", "sent", "sent", "failed", "rejected", "sent"];
  for (let i = 0; i < 21; i++) {
    await db.query(
      `insert into documents (portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, status, archived_at)
       values ($1, $2, 'upload', $3, 'application/pdf', 1, $4, $3, $5, $6)`,
      [
        PORTAL,
        DOSSIERS[i % 2],
        `f${i}.pdf`,
        String(i).padStart(64, "0"),
        statuses[i % statuses.length],
        i % 7 === 6 ? new Date() : null,
      ],
    );
  }
  await applyMigration(db, TAG);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe(`migration ${TAG}`, () => {
  it("counts the documents that were there, once", async () => {
    const { kept, counted } = await keptAndCounted();
    expect(counted.length).toBeGreaterThan(5);
    expect(kept).toEqual(counted);
  });

  it("counts what changes after it, with the backfill", async () => {
    await db.exec(`update documents set status = 'sent' where status in ('inbox', 'sending')`);
    await db.exec(`update documents set archived_at = now() where status = 'sent' and file_name like 'f1%'`);
    await db.exec(`delete from documents where status = 'rejected'`);
    const { kept, counted } = await keptAndCounted();
    expect(kept).toEqual(counted);
  });
});
