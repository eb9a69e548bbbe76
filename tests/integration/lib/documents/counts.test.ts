import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { documentCounts, documents, dossiers, portals } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { FOLD_AT, readDocumentCounts, recountDocumentCounts } from "@/lib/documents/counts";
import { countDocumentsByTab } from "@/lib/documents/list";
import { createTestDb, queryRows } from "../../../helpers/db";
import { insertDocument, insertDossier, insertPortal } from "../../../helpers/fixtures";
import { insertUserActor } from "../connections/oauth-connector";

// The kept document counts (document_counts, written by the triggers of migration 0018): whatever
// statement changes documents, the counts read afterwards are the documents counted, a rolled-back
// change leaves them alone, folding keeps them, and the recount finds a difference someone made by
// hand and repairs it.

let opened: OpenedDb;
let db: Db;

beforeAll(async () => {
  opened = await createTestDb();
  db = opened.db;
});
afterAll(async () => {
  await opened?.close();
});

type Dossier = { id: string; portalId: string };

/** The tabs as the documents themselves say, counted the slow way. */
async function countedTabs(dossier: Dossier) {
  const rows = await queryRows<{ tab: string; n: number }>(
    db,
    sql`select case when archived_at is not null then 'archived' when status in ('inbox', 'sending') then 'inbox'
      else status::text end as tab, count(*)::int as n
      from documents where dossier_id = ${dossier.id} group by 1`,
  );
  const tabs = { inbox: 0, sent: 0, failed: 0, rejected: 0, archived: 0 };
  for (const row of rows) tabs[row.tab as keyof typeof tabs] = Number(row.n);
  return tabs;
}

async function keptRows(dossier: Dossier) {
  return queryRows<{ n: number }>(db, sql`select n from document_counts where dossier_id = ${dossier.id}`);
}

async function office() {
  const portal = await insertPortal(db, "Tellers");
  const actor: Actor = await insertUserActor(db, { [portal.id]: "accountant" });
  return { portal, actor };
}

describe("kept document counts", () => {
  it("match the documents after inserts, status changes, archiving, deletes and unrelated updates", async () => {
    const { portal, actor } = await office();
    const first = await insertDossier(db, portal.id);
    const second = await insertDossier(db, portal.id);
    const ids: Record<string, string[]> = { [first.id]: [], [second.id]: [] };
    for (let i = 0; i < 12; i++) ids[first.id]?.push((await insertDocument(db, first)).id);
    for (let i = 0; i < 5; i++) ids[second.id]?.push((await insertDocument(db, second)).id);
    const firstIds = ids[first.id] ?? [];
    const inFirst = (from: number, to: number) =>
      sql`(${sql.join(
        firstIds.slice(from, to).map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`;

    // lint-documents-ignore: fixtures move documents directly; the triggers count any writer.
    await db.execute(sql`update documents set status = 'sending' where id in ${inFirst(0, 6)}`);
    await db.execute(sql`update documents set status = 'sent', sent_at = now() where id in ${inFirst(0, 4)}`);
    await db.execute(sql`update documents set status = 'failed' where id in ${inFirst(4, 5)}`);
    await db.execute(sql`update documents set status = 'rejected' where id in ${inFirst(5, 6)}`);
    await db.execute(sql`update documents set archived_at = now() where id in ${inFirst(0, 2)}`);
    await db.execute(sql`update documents set archived_at = null where id in ${inFirst(1, 2)}`);
    // Neither status nor archived: nothing to count, and no row written for it.
    const before = (await keptRows(first)).length;
    await db.execute(sql`update documents set file_name = 'andere-naam.pdf' where id in ${inFirst(6, 12)}`);
    expect((await keptRows(first)).length).toBe(before);
    await db.execute(sql`delete from documents where id in ${inFirst(10, 12)}`);
    // One statement across both dossiers.
    await db.execute(
      sql`update documents set status = 'failed' where dossier_id in (${first.id}::uuid, ${second.id}::uuid) and status = 'inbox'`,
    );

    for (const dossier of [first, second]) {
      expect(await countDocumentsByTab(db, actor, { dossierId: dossier.id })).toEqual(await countedTabs(dossier));
    }
    expect(await countDocumentsByTab(db, actor, { dossierId: first.id })).toEqual({
      inbox: 0,
      sent: 3,
      failed: 5,
      rejected: 1,
      archived: 1,
    });
    expect((await recountDocumentCounts(db, { repair: false })).differences).toEqual([]);
  });

  it("are left alone by a change that is rolled back", async () => {
    const { portal, actor } = await office();
    const dossier = await insertDossier(db, portal.id);
    for (let i = 0; i < 3; i++) await insertDocument(db, dossier);
    const before = await countDocumentsByTab(db, actor, { dossierId: dossier.id });
    await expect(
      db.transaction(async (tx) => {
        // lint-documents-ignore: a fixture's status
        await tx.update(documents).set({ status: "sent" }).where(eq(documents.dossierId, dossier.id));
        await insertDocument(tx, dossier);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await countDocumentsByTab(db, actor, { dossierId: dossier.id })).toEqual(before);
    expect(before.inbox).toBe(3);
  });

  it("fold a dossier's rows into one per state when they pile up, and still add up", async () => {
    const { portal, actor } = await office();
    const dossier = await insertDossier(db, portal.id);
    for (let i = 0; i < FOLD_AT + 8; i++) {
      const document = await insertDocument(db, dossier);
      if (i % 3 === 0) {
        // lint-documents-ignore: a fixture's status
        await db.update(documents).set({ status: "sent" }).where(eq(documents.id, document.id));
      }
    }
    expect((await keptRows(dossier)).length).toBeGreaterThan(FOLD_AT);
    const expected = await countedTabs(dossier);
    // The read that finds the pile folds it; the next read sees one row per state.
    expect(await countDocumentsByTab(db, actor, { dossierId: dossier.id })).toEqual(expected);
    expect((await keptRows(dossier)).length).toBe(2);
    expect(await countDocumentsByTab(db, actor, { dossierId: dossier.id })).toEqual(expected);
    expect(expected).toMatchObject({ inbox: 26, sent: 14 });
  });

  it("leave out states that emptied, and read several dossiers at once", async () => {
    const { portal } = await office();
    const full = await insertDossier(db, portal.id);
    const emptied = await insertDossier(db, portal.id);
    await insertDocument(db, full);
    const gone = await insertDocument(db, emptied);
    await db.delete(documents).where(eq(documents.id, gone.id)); // lint-documents-ignore: a fixture
    const counts = await readDocumentCounts(db, portal.id, [full.id, emptied.id]);
    expect(counts).toEqual([{ dossierId: full.id, status: "inbox", isArchived: false, n: 1 }]);
  });

  it("go with a deleted dossier or office, without a row left behind or an error", async () => {
    const { portal } = await office();
    const dossier = await insertDossier(db, portal.id);
    for (let i = 0; i < 3; i++) await insertDocument(db, dossier);
    const other = await insertPortal(db, "Weg");
    const otherDossier = await insertDossier(db, other.id);
    await insertDocument(db, otherDossier);

    await db.delete(dossiers).where(eq(dossiers.id, dossier.id));
    await db.delete(portals).where(eq(portals.id, other.id));
    expect(await keptRows(dossier)).toEqual([]);
    expect(await keptRows(otherDossier)).toEqual([]);
    expect((await recountDocumentCounts(db, { repair: false })).differences).toEqual([]);
  });

  it("are recounted: a difference made by hand is reported, then repaired", async () => {
    const { portal, actor } = await office();
    const dossier = await insertDossier(db, portal.id);
    for (let i = 0; i < 4; i++) await insertDocument(db, dossier);
    await db.insert(documentCounts).values({
      portalId: portal.id,
      dossierId: dossier.id,
      status: "inbox",
      isArchived: false,
      n: 3,
    });
    expect((await countDocumentsByTab(db, actor, { dossierId: dossier.id })).inbox).toBe(7);

    const found = await recountDocumentCounts(db, { repair: false });
    expect(found.differences).toEqual([
      { portalId: portal.id, dossierId: dossier.id, status: "inbox", isArchived: false, kept: 7, actual: 4 },
    ]);
    // Reporting alone changes nothing.
    expect((await countDocumentsByTab(db, actor, { dossierId: dossier.id })).inbox).toBe(7);

    const repaired = await recountDocumentCounts(db, { repair: true });
    expect(repaired.differences).toHaveLength(1);
    expect((await countDocumentsByTab(db, actor, { dossierId: dossier.id })).inbox).toBe(4);
    expect(await recountDocumentCounts(db, { repair: false })).toMatchObject({ differences: [] });
  });
});
