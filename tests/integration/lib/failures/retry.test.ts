import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches } from "@/db/schema";
import { actorUserId } from "@/lib/auth/actor";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { RETRY_BATCH_SIZE, retryFailureGroup } from "@/lib/failures/retry";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { collectingEnqueue, documentOf, setIntegration } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { insertFailedDocuments } from "./setup";

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

const FREE_MAIL = { purchase: "aankoop@kantoor.example", sales: "verkoop@kantoor.example", other: null };

async function mailDossier(world: World) {
  const dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "free_email", addresses: FREE_MAIL });
  return dossier;
}

async function retry(
  world: World,
  group: "reauth" | "settings" | "package_refusal" | "file" | "unreachable",
  after?: string,
  actor = world.actors.accountant,
) {
  const queue = collectingEnqueue();
  const result = await retryFailureGroup(
    opened.db,
    actor,
    { portalId: world.portal.id, group, after },
    { enqueue: queue.enqueue },
  );
  return { ...result, queue };
}

describe("retry all in a group", () => {
  it("sends the group's failed documents of every dossier again through requestSend, as retries by the person", async () => {
    const world = await createWorld(opened.db);
    const first = await mailDossier(world);
    const second = await mailDossier(world);
    const a = await insertFailedDocuments(opened.db, first, [{ code: "missing_address" }, { code: "unknown_target" }]);
    const b = await insertFailedDocuments(opened.db, second, [{ code: "recipient_refused" }]);
    // Other causes and other offices stay where they are.
    const [unreachable] = await insertFailedDocuments(opened.db, first, [{ code: "timeout" }]);
    const [foreign] = await insertFailedDocuments(opened.db, world.otherDossier, [{ code: "missing_address" }]);

    const result = await retry(world, "settings");

    expect(result).toMatchObject({ queued: 3, refused: [], nextCursor: null });
    const retried = [...a, ...b].map((row) => row.id);
    for (const id of retried) {
      expect((await documentOf(opened.db, id)).status).toBe("sending");
      expect(await opened.db.select().from(dispatches).where(eq(dispatches.documentId, id))).toMatchObject([
        { trigger: "retry", status: "queued", requestedByUserId: actorUserId(world.actors.accountant) },
      ]);
    }
    // One enqueue per dossier (requestSend's), one event per dispatch.
    expect(result.queue.events).toHaveLength(3);
    expect(result.queue.calls.sort()).toEqual([1, 2]);
    expect((await documentOf(opened.db, unreachable?.id ?? "")).status).toBe("failed");
    expect((await documentOf(opened.db, foreign?.id ?? "")).status).toBe("failed");
  });

  it("takes the failed documents of the package-refusal group, never the rejected ones", async () => {
    const world = await createWorld(opened.db);
    const dossier = await mailDossier(world);
    const [refusedFile] = await insertFailedDocuments(opened.db, dossier, [{ code: "file_refused" }]);
    const [rejected] = await insertFailedDocuments(opened.db, dossier, [
      { status: "rejected", code: "package_refused", reason: "Dubbel factuurnummer" },
    ]);

    const result = await retry(world, "package_refusal");

    expect(result).toMatchObject({ queued: 1, refused: [] });
    expect((await documentOf(opened.db, refusedFile?.id ?? "")).status).toBe("sending");
    expect((await documentOf(opened.db, rejected?.id ?? "")).status).toBe("rejected");
  });

  it("takes a group's documents from the stored group, with a connection's health laid over it as the queue shows it", async () => {
    const world = await createWorld(opened.db);
    const mail = await mailDossier(world);
    // Stored as settings when it failed, whatever its code says now: the column is the one source.
    const [storedSettings] = await insertFailedDocuments(opened.db, mail, [{ code: "timeout" }]);
    await opened.db.execute(
      sql`update documents set failure_group = 'settings' where id = ${storedSettings?.id ?? ""} -- lint-documents-ignore: a stored group that differs from the code`,
    );
    const [unreachable] = await insertFailedDocuments(opened.db, mail, [{ code: "network" }]);
    // The connection needs re-authorisation: its dossier's timeout is in reauth, not unreachable.
    const blocked = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, blocked, { kind: "connection", connectionId: world.connections.yuki.id });
    const [movedToReauth] = await insertFailedDocuments(opened.db, blocked, [{ code: "timeout" }]);

    const settings = await retry(world, "settings");
    expect(settings).toMatchObject({ queued: 1, refused: [] });
    expect((await documentOf(opened.db, storedSettings?.id ?? "")).status).toBe("sending");

    const unreachableRetry = await retry(world, "unreachable");
    expect(unreachableRetry).toMatchObject({ queued: 1, refused: [] });
    expect((await documentOf(opened.db, unreachable?.id ?? "")).status).toBe("sending");
    expect((await documentOf(opened.db, movedToReauth?.id ?? "")).status).toBe("failed");

    const reauth = await retry(world, "reauth");
    expect(reauth).toMatchObject({ queued: 0, refused: [{ reason: "connection_needs_reauth", count: 1 }] });
  });

  it("answers what requestSend refused, counted per reason, and changes nothing for those", async () => {
    const world = await createWorld(opened.db);
    // The connection still needs re-authorisation: the retry comes too early.
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId: world.connections.yuki.id });
    const rows = await insertFailedDocuments(opened.db, dossier, [{ code: "auth_failed" }, { code: "auth_failed" }]);

    const result = await retry(world, "reauth");

    expect(result).toMatchObject({ queued: 0, refused: [{ reason: "connection_needs_reauth", count: 2 }] });
    expect(result.queue.events).toEqual([]);
    for (const row of rows) expect((await documentOf(opened.db, row.id)).status).toBe("failed");
  });

  it(`works in batches of ${RETRY_BATCH_SIZE}: the answer says where the next batch starts`, async () => {
    const world = await createWorld(opened.db);
    const blocked = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, blocked, { kind: "connection", connectionId: world.connections.yuki.id });
    // The newest RETRY_BATCH_SIZE are refused (connection needs re-authorisation); one more, older,
    // belongs to a dossier that can send. A second click must reach it, not meet the refusals again.
    const base = Date.now();
    await insertFailedDocuments(
      opened.db,
      blocked,
      Array.from({ length: RETRY_BATCH_SIZE }, (_, index) => ({
        code: "auth_failed",
        updatedAt: new Date(base - index * 1000),
      })),
    );
    const sendable = await mailDossier(world);
    // Its code is auth_failed too: it is in the reauth group, though its own route works now.
    const [last] = await insertFailedDocuments(opened.db, sendable, [
      { code: "auth_failed", updatedAt: new Date(base - RETRY_BATCH_SIZE * 1000 - 5000) },
    ]);

    const firstBatch = await retry(world, "reauth");
    expect(firstBatch.queued).toBe(0);
    expect(firstBatch.refused).toEqual([{ reason: "connection_needs_reauth", count: RETRY_BATCH_SIZE }]);
    expect(firstBatch.nextCursor).toEqual(expect.any(String));
    expect((await documentOf(opened.db, last?.id ?? "")).status).toBe("failed");

    const secondBatch = await retry(world, "reauth", firstBatch.nextCursor ?? undefined);
    expect(secondBatch).toMatchObject({ queued: 1, refused: [], nextCursor: null });
    expect((await documentOf(opened.db, last?.id ?? "")).status).toBe("sending");
  });

  it("refuses a group where a retry cannot help", async () => {
    const world = await createWorld(opened.db);
    const dossier = await mailDossier(world);
    const [missing] = await insertFailedDocuments(opened.db, dossier, [{ code: "file_missing" }]);
    await expect(retry(world, "file")).rejects.toBeInstanceOf(ValidationError);
    expect((await documentOf(opened.db, missing?.id ?? "")).status).toBe("failed");
  });

  it("answers not found to an entrepreneur and to another office, and sends nothing", async () => {
    const world = await createWorld(opened.db);
    const dossier = await mailDossier(world);
    const [row] = await insertFailedDocuments(opened.db, dossier, [{ code: "timeout" }]);
    for (const actor of [world.actors.entrepreneur, world.actors.otherAdmin]) {
      await expect(retry(world, "unreachable", undefined, actor)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await documentOf(opened.db, row?.id ?? "")).status).toBe("failed");
    const [count] = await opened.db
      .select({ count: sql<number>`count(*)::int` })
      .from(dispatches)
      .where(eq(dispatches.documentId, row?.id ?? ""));
    expect(count?.count).toBe(0);
  });
});
