import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { foldDocumentCounts, readDocumentCounts, recountDocumentCounts } from "@/lib/documents/counts";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The kept document counts under concurrency, on real PostgreSQL (PGlite runs one transaction at a
// time, so this file runs only with TEST_DATABASE_URL): writers of one dossier never wait for each
// other on the counts (rows are only inserted), a fold beside open transactions loses nothing, and
// many writers and folds at once leave counts equal to the documents.

let opened: OpenedDb;
const clients: pg.Client[] = [];

async function client(): Promise<pg.Client> {
  const connection = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await connection.connect();
  clients.push(connection);
  return connection;
}

beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
});
afterAll(async () => {
  for (const connection of clients) await connection.end().catch(() => undefined);
  await opened?.close();
});

/** `count` inbox documents in the dossier, in one statement. */
async function seedDocuments(connection: pg.Client, dossier: { id: string; portalId: string }, count: number) {
  await connection.query(
    `insert into documents (portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key)
     select $1::uuid, $2::uuid, 'upload', 'f' || i || '.pdf', 'application/pdf', 100,
       encode(sha256(($2::text || i)::bytea), 'hex'), 'bench/' || $2::text || '/' || i
     from generate_series(1, $3::int) as i`,
    [dossier.portalId, dossier.id, count],
  );
}

async function counted(connection: pg.Client, dossierId: string) {
  const { rows } = await connection.query<{ status: string; archived: boolean; n: number }>(
    `select status::text, archived_at is not null as archived, count(*)::int as n from documents
     where dossier_id = $1 group by 1, 2 order by 1, 2`,
    [dossierId],
  );
  return rows.map((row) => ({ status: row.status, isArchived: row.archived, n: row.n }));
}

async function kept(portalId: string, dossierId: string) {
  const rows = await readDocumentCounts(opened.db, portalId, [dossierId]);
  return rows
    .map(({ status, isArchived, n }) => ({ status: status as string, isArchived, n }))
    .sort((a, b) => a.status.localeCompare(b.status) || Number(a.isArchived) - Number(b.isArchived));
}

describe("kept document counts on PostgreSQL", () => {
  it("let two bulk sends of one dossier run at once, and a fold beside them loses nothing", async () => {
    const portal = await insertPortal(opened.db, "Gelijktijdig");
    const dossier = await insertDossier(opened.db, portal.id);
    const [first, second] = [await client(), await client()];
    await seedDocuments(first, dossier, 1_000);

    await first.query("begin");
    await first.query(
      `update documents set status = 'sending' where id in (
         select id from documents where dossier_id = $1 order by file_name limit 500)`,
      [dossier.id],
    );
    // The second writer would wait for the first's commit if the counts were rows updated in
    // place; a lock timeout turns such a wait into a failure.
    await second.query("set lock_timeout = '2s'");
    await second.query("begin");
    await second.query(
      `update documents set status = 'sending' where id in (
         select id from documents where dossier_id = $1 order by file_name desc limit 400)`,
      [dossier.id],
    );
    await second.query("commit");
    // A fold while the first is still open: it folds what is committed and leaves the rest.
    await foldDocumentCounts(opened.db, portal.id, dossier.id);
    await first.query("commit");

    expect(await kept(portal.id, dossier.id)).toEqual(await counted(first, dossier.id));
    expect(await kept(portal.id, dossier.id)).toEqual([
      { status: "inbox", isArchived: false, n: 100 },
      { status: "sending", isArchived: false, n: 900 },
    ]);
  });

  it("match the documents after many writers and folds at once", async () => {
    const portal = await insertPortal(opened.db, "Druk");
    const dossier = await insertDossier(opened.db, portal.id);
    const writers = await Promise.all(Array.from({ length: 6 }, () => client()));
    await seedDocuments(writers[0] as pg.Client, dossier, 600);
    // Each writer takes documents no other holds (skip locked): they race on the counts only.
    const steps = [
      `update documents set status = 'sending' where id in (select id from documents where dossier_id = $1 and status = 'inbox' order by random() limit 7 for update skip locked)`,
      `update documents set status = 'sent' where id in (select id from documents where dossier_id = $1 and status = 'sending' order by random() limit 5 for update skip locked)`,
      `update documents set status = 'failed' where id in (select id from documents where dossier_id = $1 and status = 'sending' order by random() limit 2 for update skip locked)`,
      `update documents set archived_at = now() where id in (select id from documents where dossier_id = $1 and status = 'sent' and archived_at is null order by random() limit 3 for update skip locked)`,
      `update documents set archived_at = null where id in (select id from documents where dossier_id = $1 and archived_at is not null order by random() limit 1 for update skip locked)`,
      `delete from documents where id in (select id from documents where dossier_id = $1 and status = 'failed' order by random() limit 1 for update skip locked)`,
    ];
    await Promise.all(
      writers.map(async (writer, index) => {
        for (let round = 0; round < 15; round++) {
          await writer.query("begin");
          for (let step = 0; step < 3; step++) {
            await writer.query(steps[(index + round + step) % steps.length] as string, [dossier.id]);
          }
          // One transaction in five is rolled back: its rows must go with it.
          await writer.query(round % 5 === 4 ? "rollback" : "commit");
          if (round % 4 === 0) await foldDocumentCounts(opened.db, portal.id, dossier.id);
        }
      }),
    );
    expect(await kept(portal.id, dossier.id)).toEqual(await counted(writers[0] as pg.Client, dossier.id));
    expect((await recountDocumentCounts(opened.db, { repair: false })).differences).toEqual([]);
  });
});
