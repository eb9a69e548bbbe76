import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { documents, dossiers } from "@/db/schema";
import { listPortalDossiers, PORTAL_OVERVIEW_PAGE_SIZE } from "@/lib/portals/overview";
import { createTestDb } from "../../../helpers/db";
import { insertDocument, insertDossier, insertPortal } from "../../../helpers/fixtures";
import { insertUserActor } from "../connections/oauth-connector";

// The overview's rows and their document counts come from queries that run at once (the page's
// dossiers as a subquery of the counts): each row must carry its own counts, also on a later page
// and on a page asked past the end.

let opened: OpenedDb;
let db: Db;

beforeAll(async () => {
  opened = await createTestDb();
  db = opened.db;
});
afterAll(async () => {
  await opened?.close();
});

async function withStatus(
  dossier: { id: string; portalId: string },
  status: "inbox" | "sent" | "failed",
  archived = false,
) {
  const document = await insertDocument(db, dossier);
  await db
    .update(documents) // lint-documents-ignore: a fixture's status
    .set({ status, archivedAt: archived ? new Date() : null })
    .where(eq(documents.id, document.id));
}

describe("the portal overview", () => {
  it("gives every row of every page its own document counts, also past the last page", async () => {
    const portal = await insertPortal(db, "Overzicht");
    const accountant = await insertUserActor(db, { [portal.id]: "accountant" });
    const other = await insertPortal(db, "Ander kantoor");
    const created = [];
    for (let index = 0; index < PORTAL_OVERVIEW_PAGE_SIZE + 2; index++)
      created.push(await insertDossier(db, portal.id));
    // Names sort as the overview does: the last two on page 2.
    const names = await db
      .select({ id: dossiers.id, name: dossiers.name })
      .from(dossiers)
      .where(eq(dossiers.portalId, portal.id));
    const byName = [...names].sort((a, b) => (a.name === b.name ? a.id.localeCompare(b.id) : a.name < b.name ? -1 : 1));
    const firstOnPage1 = created.find((row) => row.id === byName[0]?.id);
    const lastOnPage2 = created.find((row) => row.id === byName.at(-1)?.id);
    if (!firstOnPage1 || !lastOnPage2) throw new Error("no dossiers");
    await withStatus(firstOnPage1, "inbox");
    await withStatus(firstOnPage1, "sent");
    await withStatus(firstOnPage1, "sent", true);
    await withStatus(lastOnPage2, "failed");
    await withStatus(lastOnPage2, "inbox");
    await withStatus(lastOnPage2, "inbox");
    // Another office's dossier with documents is never counted.
    const foreign = await insertDossier(db, other.id);
    await withStatus(foreign, "inbox");

    const first = await listPortalDossiers(db, accountant, { portalId: portal.id });
    expect(first).toMatchObject({ total: PORTAL_OVERVIEW_PAGE_SIZE + 2, page: 1, pageCount: 2 });
    expect(first.rows).toHaveLength(PORTAL_OVERVIEW_PAGE_SIZE);
    expect(first.rows[0]).toMatchObject({
      id: firstOnPage1.id,
      counts: { inbox: 1, sending: 0, sent: 1, failed: 0, rejected: 0, archived: 1 },
    });
    expect(first.rows.slice(1).every((row) => Object.values(row.counts).every((n) => n === 0))).toBe(true);

    for (const asked of [2, 9]) {
      const second = await listPortalDossiers(db, accountant, { portalId: portal.id, page: asked });
      expect(second).toMatchObject({ page: 2, pageCount: 2 });
      expect(second.rows.map((row) => row.id)).toEqual(byName.slice(PORTAL_OVERVIEW_PAGE_SIZE).map((row) => row.id));
      expect(second.rows.at(-1)?.counts).toEqual({
        inbox: 2,
        sending: 0,
        sent: 0,
        failed: 1,
        rejected: 0,
        archived: 0,
      });
    }
  });
});
