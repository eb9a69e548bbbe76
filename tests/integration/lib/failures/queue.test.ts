import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { NotFoundError } from "@/lib/errors";
import { FAILURE_GROUPS, type FailureGroup, failureGroupOf, STORED_ERROR_CODES } from "@/lib/failures/groups";
import { countFailuresByGroup, type FailurePage, listFailures } from "@/lib/failures/list";
import { encodedFailureCursorSchema } from "@/lib/failures/schemas";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { setIntegration } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { insertFailedDocuments } from "./setup";

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

const FREE_MAIL = { purchase: "aankoop@kantoor.example", sales: null, other: null };

/** A fresh pair of offices, so counts are this test's own. */
async function freshWorld(): Promise<World> {
  return createWorld(opened.db);
}

async function mailDossier(world: World) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "free_email", addresses: FREE_MAIL });
  return dossier;
}

function cursorOf(text: string | null) {
  if (!text) throw new Error("expected a cursor");
  return encodedFailureCursorSchema.parse(text);
}

async function allIdsOf(world: World, group: FailureGroup): Promise<string[]> {
  const page = await listFailures(opened.db, world.actors.accountant, {
    portalId: world.portal.id,
    group,
    position: null,
    limit: 100,
  });
  return page.items.map((item) => item.documentId);
}

describe("the failure queue groups", () => {
  it("every stored error code as failureGroupOf does, in the counts and in the lists", async () => {
    const world = await freshWorld();
    const dossier = await mailDossier(world);
    const codes = [...STORED_ERROR_CODES, null, "vendor_specific"];
    const failed = await insertFailedDocuments(
      opened.db,
      dossier,
      codes.map((code) => ({ code, reason: null })),
    );
    const rejected = await insertFailedDocuments(opened.db, dossier, [
      { status: "rejected", code: "package_refused", reason: "Dubbel factuurnummer" },
      { status: "rejected", code: null, reason: "Onbekende leverancier" },
    ]);

    const expected = Object.fromEntries(FAILURE_GROUPS.map((group) => [group, [] as string[]])) as Record<
      FailureGroup,
      string[]
    >;
    codes.forEach((code, index) => {
      const group = failureGroupOf({ status: "failed", lastErrorCode: code, connectionStatus: null });
      expected[group].push(failed[index]?.id ?? "");
    });
    for (const row of rejected) expected.package_refusal.push(row.id);

    const counts = await countFailuresByGroup(opened.db, world.actors.admin, world.portal.id);
    for (const group of FAILURE_GROUPS) {
      expect([group, counts[group].total]).toEqual([group, expected[group].length]);
      expect((await allIdsOf(world, group)).sort()).toEqual([...expected[group]].sort());
    }
    expect(counts.package_refusal.failed).toBe(expected.package_refusal.length - rejected.length);
    // Every group got something: the test covers them all.
    expect(FAILURE_GROUPS.every((group) => expected[group].length > 0)).toBe(true);
  });

  it("a failure of a dossier whose connection needs re-authorisation under reauth, of a disabled one under settings, unless the document itself is the cause", async () => {
    const world = await freshWorld();
    const yukiDossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, yukiDossier, { kind: "connection", connectionId: world.connections.yuki.id });
    const disabledDossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, disabledDossier, {
      kind: "connection",
      connectionId: world.connections.disabled.id,
    });
    const [timeout] = await insertFailedDocuments(opened.db, yukiDossier, [{ code: "timeout" }]);
    const [rejected] = await insertFailedDocuments(opened.db, yukiDossier, [{ status: "rejected", code: null }]);
    const [network] = await insertFailedDocuments(opened.db, disabledDossier, [{ code: "network" }]);
    // The document's own causes stay in their groups: re-authorising does not fix them.
    const [fileRefused] = await insertFailedDocuments(opened.db, yukiDossier, [{ code: "file_refused" }]);
    const [fileMissing] = await insertFailedDocuments(opened.db, disabledDossier, [{ code: "file_missing" }]);

    expect(await allIdsOf(world, "reauth")).toEqual([timeout?.id]);
    expect((await allIdsOf(world, "package_refusal")).sort()).toEqual([rejected?.id, fileRefused?.id].sort());
    expect(await allIdsOf(world, "settings")).toEqual([network?.id]);
    expect(await allIdsOf(world, "file")).toEqual([fileMissing?.id]);
    expect(await allIdsOf(world, "unreachable")).toEqual([]);
    const counts = await countFailuresByGroup(opened.db, world.actors.admin, world.portal.id);
    expect([counts.reauth.total, counts.package_refusal.total, counts.file.total]).toEqual([1, 2, 1]);
  });

  it("leaves out inbox, sending, sent and archived documents", async () => {
    const world = await freshWorld();
    const dossier = await mailDossier(world);
    await insertFailedDocuments(opened.db, dossier, [
      { status: "inbox", code: null },
      { status: "sending", code: null },
      { status: "sent", code: null },
      { status: "sent", code: null, archivedAt: new Date() },
    ]);
    const counts = await countFailuresByGroup(opened.db, world.actors.admin, world.portal.id);
    expect(FAILURE_GROUPS.map((group) => counts[group].total)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("the failure queue of a portal", () => {
  it("shows the documents of all its dossiers and never another portal's", async () => {
    const world = await freshWorld();
    const first = await mailDossier(world);
    const second = await mailDossier(world);
    const [a] = await insertFailedDocuments(opened.db, first, [{ code: "timeout" }]);
    const [b] = await insertFailedDocuments(opened.db, second, [{ code: "network" }]);
    const [foreign] = await insertFailedDocuments(opened.db, world.otherDossier, [{ code: "timeout" }]);

    const page = await listFailures(opened.db, world.actors.accountant, {
      portalId: world.portal.id,
      group: "unreachable",
      position: null,
    });
    expect(page.items.map((item) => item.documentId).sort()).toEqual([a?.id, b?.id].sort());
    expect(page.items.map((item) => item.dossierId).sort()).toEqual([first.id, second.id].sort());
    expect((await countFailuresByGroup(opened.db, world.actors.admin, world.portal.id)).unreachable.total).toBe(2);

    // The other office sees its own, only.
    const theirs = await listFailures(opened.db, world.actors.otherAdmin, {
      portalId: world.otherPortal.id,
      group: "unreachable",
      position: null,
    });
    expect(theirs.items.map((item) => item.documentId)).toEqual([foreign?.id]);
  });

  it("shows what each row needs: dossier, document, when, reason and the last dispatch's target", async () => {
    const world = await freshWorld();
    const dossier = await mailDossier(world);
    const when = new Date("2026-05-04T10:11:12.123Z");
    const [row] = await insertFailedDocuments(opened.db, dossier, [
      { code: "recipient_refused", fileName: "factuur-17.pdf", updatedAt: when },
    ]);
    const { dispatches } = await import("@/db/schema");
    await opened.db.insert(dispatches).values({
      portalId: dossier.portalId,
      dossierId: dossier.id,
      documentId: row?.id,
      trigger: "manual",
      status: "failed",
      target: { channel: "email", packageId: "yuki", category: "purchase", to: "a@yuki.example", password: "x" },
    });
    const page = await listFailures(opened.db, world.actors.admin, {
      portalId: world.portal.id,
      group: "settings",
      position: null,
    });
    expect(page.items).toEqual([
      {
        documentId: row?.id,
        dossierId: dossier.id,
        dossierName: dossier.name,
        companyNumber: dossier.companyNumber,
        fileName: "factuur-17.pdf",
        status: "failed",
        lastErrorCode: "recipient_refused",
        lastErrorReason: "connectors.errors.recipient_refused",
        at: when,
        target: { channel: "email", packageName: "Yuki", details: [{ key: "to", value: "a@yuki.example" }] },
      },
    ]);
  });

  it("pages a group by keyset, last change first, without gaps or repeats, and back", async () => {
    const world = await freshWorld();
    const dossier = await mailDossier(world);
    // Two share a timestamp: the id breaks the tie.
    const same = new Date("2026-01-01T12:00:00.000001Z");
    const rows = await insertFailedDocuments(opened.db, dossier, [
      { code: "timeout", updatedAt: new Date("2026-01-03T00:00:00Z") },
      { code: "timeout", updatedAt: same },
      { code: "timeout", updatedAt: same },
      { code: "timeout", updatedAt: new Date("2025-12-01T00:00:00Z") },
      { code: "timeout", updatedAt: new Date("2026-01-02T00:00:00Z") },
      { code: "timeout", updatedAt: new Date("2025-11-01T00:00:00Z") },
      { code: "timeout", updatedAt: new Date("2025-10-01T00:00:00Z") },
    ]);
    const expectedOrder = [...rows]
      .sort((x, y) => y.updatedAt.getTime() - x.updatedAt.getTime() || (y.id < x.id ? -1 : 1))
      .map((row) => row.id);

    const list = (position: Parameters<typeof listFailures>[2]["position"]) =>
      listFailures(opened.db, world.actors.accountant, {
        portalId: world.portal.id,
        group: "unreachable",
        position,
        limit: 3,
      });
    const ids = (page: FailurePage) => page.items.map((item) => item.documentId);

    const first = await list(null);
    expect(first.newerCursor).toBeNull();
    const second = await list({ cursor: cursorOf(first.olderCursor), direction: "older" });
    const third = await list({ cursor: cursorOf(second.olderCursor), direction: "older" });
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(expectedOrder);
    expect(third.olderCursor).toBeNull();

    const backToSecond = await list({ cursor: cursorOf(third.newerCursor), direction: "newer" });
    expect(ids(backToSecond)).toEqual(ids(second));
    const backToFirst = await list({ cursor: cursorOf(backToSecond.newerCursor), direction: "newer" });
    expect(ids(backToFirst)).toEqual(ids(first));
    expect(backToFirst.newerCursor).toBeNull();

    // A cursor made for another group means the first page.
    const foreignCursor = { ...cursorOf(first.olderCursor), group: "reauth" as const };
    expect(ids(await list({ cursor: foreignCursor, direction: "older" }))).toEqual(ids(first));
  });
});

describe("the failure queue with a connection that needs re-authorisation", () => {
  it("pages reauth across the failures stored under it and those the connection moves there, in one order, and counts both", async () => {
    const world = await freshWorld();
    const mail = await mailDossier(world);
    const yukiDossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, yukiDossier, { kind: "connection", connectionId: world.connections.yuki.id });
    const disabledDossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, disabledDossier, {
      kind: "connection",
      connectionId: world.connections.disabled.id,
    });
    const at = (day: number) => new Date(Date.UTC(2026, 0, day));
    // Stored under reauth in a healthy dossier, moved to reauth from the Yuki dossier (interleaved in
    // time), an auth failure of the disabled dossier (settings), and the document's own cause.
    const stored = await insertFailedDocuments(opened.db, mail, [
      { code: "auth_failed", updatedAt: at(10) },
      { code: "auth_failed", updatedAt: at(8) },
      { code: "auth_failed", updatedAt: at(6) },
    ]);
    const moved = await insertFailedDocuments(opened.db, yukiDossier, [
      { code: "timeout", updatedAt: at(9) },
      { code: "invalid_settings", updatedAt: at(7) },
      { code: "auth_failed", updatedAt: at(5) },
    ]);
    const [disabledAuth] = await insertFailedDocuments(opened.db, disabledDossier, [
      { code: "auth_failed", updatedAt: at(4) },
    ]);
    await insertFailedDocuments(opened.db, yukiDossier, [{ code: "file_missing", updatedAt: at(11) }]);

    const expectedOrder = [stored[0], moved[0], stored[1], moved[1], stored[2], moved[2]].map((row) => row?.id);
    const list = (position: Parameters<typeof listFailures>[2]["position"]) =>
      listFailures(opened.db, world.actors.accountant, {
        portalId: world.portal.id,
        group: "reauth",
        position,
        limit: 4,
      });
    const first = await list(null);
    const second = await list({ cursor: cursorOf(first.olderCursor), direction: "older" });
    expect([...first.items, ...second.items].map((item) => item.documentId)).toEqual(expectedOrder);
    expect(second.olderCursor).toBeNull();
    const back = await list({ cursor: cursorOf(second.newerCursor), direction: "newer" });
    expect(back.items.map((item) => item.documentId)).toEqual(expectedOrder.slice(0, 4));

    expect(await allIdsOf(world, "settings")).toEqual([disabledAuth?.id]);
    expect(await allIdsOf(world, "unreachable")).toEqual([]);
    const counts = await countFailuresByGroup(opened.db, world.actors.admin, world.portal.id);
    expect(FAILURE_GROUPS.map((group) => [group, counts[group].total, counts[group].failed])).toEqual([
      ["reauth", 6, 6],
      ["settings", 1, 1],
      ["package_refusal", 0, 0],
      ["file", 1, 1],
      ["unreachable", 0, 0],
    ]);
  });
});

describe("who may see the failure queue", () => {
  it("admins and accountants of the portal", async () => {
    const world = await freshWorld();
    for (const actor of [world.actors.admin, world.actors.accountant]) {
      await expect(countFailuresByGroup(opened.db, actor, world.portal.id)).resolves.toBeDefined();
    }
  });

  it("answers not found to an entrepreneur, another office, and unknown or malformed ids", async () => {
    const world = await freshWorld();
    const dossier = await mailDossier(world);
    await insertFailedDocuments(opened.db, dossier, [{ code: "timeout" }]);
    const cases = [
      { actor: world.actors.entrepreneur, portalId: world.portal.id },
      { actor: world.actors.otherAdmin, portalId: world.portal.id },
      { actor: world.actors.admin, portalId: "00000000-0000-4000-8000-000000000000" },
      { actor: world.actors.admin, portalId: "not-a-uuid" },
    ];
    for (const { actor, portalId } of cases) {
      await expect(countFailuresByGroup(opened.db, actor, portalId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        listFailures(opened.db, actor, { portalId, group: "unreachable", position: null }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
