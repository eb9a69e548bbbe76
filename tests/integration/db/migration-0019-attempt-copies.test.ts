import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigration, insertMigrationOffice, migrateBefore } from "../../helpers/migrations";

// Migration 0019 copies each attempt's dossier and requester (from its dispatch) and its document's
// file name onto the attempt, so the delivery log reads attempts alone (issue 19). The attempts
// that exist before it get the copies from its backfill: a document's attempts, a test send's (no
// document) and an automatic one (no requester). The migrations run here as plain SQL, up to 0018,
// then the rows, then 0019.

const TAG = "0019_attempt-copies";

const PORTAL = "11111111-1111-4111-8111-111111111111";
const DOSSIERS = ["22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"];
const USER = "44444444-4444-4444-8444-444444444444";

let db: PGlite;

async function insertDispatch(dossier: string, input: { fileName: string | null; requestedBy: string | null }) {
  let documentId: string | null = null;
  if (input.fileName) {
    const inserted = await db.query<{ id: string }>(
      `insert into documents (portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, status)
       values ($1, $2, 'upload', $3, 'application/pdf', 1, md5($3) || md5($3), $3, 'sent') returning id`,
      [PORTAL, dossier, input.fileName],
    );
    documentId = inserted.rows[0]?.id ?? null;
  }
  const trigger = documentId ? (input.requestedBy ? "manual" : "auto") : "test";
  const dispatch = await db.query<{ id: string }>(
    `insert into dispatches (portal_id, dossier_id, document_id, trigger, requested_by_user_id, status)
     values ($1, $2, $3, $4, $5, 'succeeded') returning id`,
    [PORTAL, dossier, documentId, trigger, input.requestedBy],
  );
  const dispatchId = dispatch.rows[0]?.id;
  for (const number of [1, 2]) {
    await db.query(
      `insert into attempts (portal_id, dispatch_id, document_id, number, trigger, connector, outcome)
       values ($1, $2, $3, $4, $5, 'email', 'succeeded')`,
      [PORTAL, dispatchId, documentId, number, trigger],
    );
  }
  return dispatchId;
}

const expected = new Map<
  string | undefined,
  { dossier_id: string; file_name: string | null; requested_by: string | null }
>();

beforeAll(async () => {
  db = new PGlite();
  await migrateBefore(db, TAG);
  await db.exec(`insert into users (id, email) values ('${USER}', 'boekhouder@kantoor.example');`);
  await insertMigrationOffice(db, PORTAL, DOSSIERS);
  const cases = [
    { dossier: DOSSIERS[0] ?? "", fileName: "factuur-1.pdf", requestedBy: USER },
    { dossier: DOSSIERS[1] ?? "", fileName: "factuur-2.pdf", requestedBy: null },
    { dossier: DOSSIERS[1] ?? "", fileName: null, requestedBy: USER },
  ];
  for (const { dossier, fileName, requestedBy } of cases) {
    const dispatchId = await insertDispatch(dossier, { fileName, requestedBy });
    expected.set(dispatchId, { dossier_id: dossier, file_name: fileName, requested_by: requestedBy });
  }
  await applyMigration(db, TAG);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe(`migration ${TAG}`, () => {
  it("gives every attempt that was there the dossier and requester of its dispatch and the file name of its document", async () => {
    const { rows } = await db.query<{
      dispatch_id: string;
      dossier_id: string;
      file_name: string | null;
      requested_by: string | null;
    }>(
      `select dispatch_id, dossier_id, file_name, requested_by_user_id as requested_by from attempts order by dispatch_id, number`,
    );
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const { dispatch_id, ...copies } = row;
      expect(copies).toEqual(expected.get(dispatch_id));
    }
  });

  it("refuses an attempt without its dossier from then on", async () => {
    const dispatchId = [...expected.keys()][0];
    await expect(
      db.query(
        `insert into attempts (portal_id, dispatch_id, number, trigger, connector) values ($1, $2, 9, 'manual', 'email')`,
        [PORTAL, dispatchId],
      ),
    ).rejects.toThrow(/dossier_id/);
  });
});
