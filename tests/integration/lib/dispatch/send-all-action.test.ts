import { inArray } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches } from "@/db/schema";
import { MESSAGES } from "@/lib/i18n/messages";
import { createTestDb } from "../../../helpers/db";
import { createWorld, type World } from "../integrations/setup";
import { documentOf, insertSendableDocument, setIntegration, useTempFileStore } from "./setup";

// The dossier page's "send all N in this tab" action, run for real for the dossier's own people
// (the refusals for everyone else are rows of tests/integration/cross-office/server-actions.test.ts).
// Stand-ins: who is signed in, the database handle, Next's cache, and the job driver (the enqueue
// is seen, not run).
const session = vi.hoisted(() => ({ actor: null as unknown, db: null as unknown }));
const jobs = vi.hoisted(() => ({ sent: [] as unknown[] }));
const cache = vi.hoisted(() => ({ revalidated: [] as string[] }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({
  revalidatePath: (path: string) => {
    cache.revalidated.push(path);
  },
}));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "en", messages: MESSAGES.en, namespace: namespace as never }),
}));
vi.mock("@/lib/jobs/client", () => ({
  sendJobEvents: async (events: unknown[]) => {
    jobs.sent.push(...events);
  },
}));

const { sendAllInTabAction } = await import("@/app/(app)/dossiers/[dossierId]/actions");

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  await setIntegration(opened.db, world.dossier, {
    kind: "free_email",
    addresses: { purchase: "aankoop@kantoor.example", sales: null, other: null },
  });
});
afterAll(async () => {
  cleanupFiles?.();
  await opened?.close();
});

describe("sendAllInTabAction", () => {
  it("sends the dossier's own entrepreneur's whole Inbox, answers with counts, hands the dispatches to the job driver and refreshes the page", async () => {
    session.actor = world.actors.entrepreneur;
    const ready = [
      await insertSendableDocument(opened.db, world.dossier),
      await insertSendableDocument(opened.db, world.dossier),
    ];
    const untyped = await insertSendableDocument(opened.db, world.dossier, { documentType: null });
    const salesWithoutAddress = await insertSendableDocument(opened.db, world.dossier, {
      documentType: "sales_invoice",
    });
    jobs.sent.length = 0;
    cache.revalidated.length = 0;

    const answer = await sendAllInTabAction({ dossierId: world.dossier.id, tab: "inbox" });

    expect(answer).toEqual({
      ok: true,
      queued: 2,
      refused: expect.arrayContaining([
        { reason: "not_recognised", count: 1 },
        { reason: "integration_incomplete", count: 1 },
      ]),
      nextCursor: null,
    });
    expect(answer.ok && answer.refused).toHaveLength(2);
    const rows = await opened.db
      .select({ id: dispatches.id, trigger: dispatches.trigger })
      .from(dispatches)
      .where(
        inArray(
          dispatches.documentId,
          ready.map((document) => document.id),
        ),
      );
    expect(rows.map((row) => row.trigger)).toEqual(["bulk", "bulk"]);
    expect(jobs.sent).toHaveLength(2);
    for (const document of ready) expect((await documentOf(opened.db, document.id)).status).toBe("sending");
    expect((await documentOf(opened.db, untyped.id)).status).toBe("inbox");
    expect((await documentOf(opened.db, salesWithoutAddress.id)).status).toBe("inbox");
    expect(cache.revalidated).toContain(`/dossiers/${world.dossier.id}`);
  });

  it("works for the office's accountant on the Failed tab, and a second call finds nothing left", async () => {
    session.actor = world.actors.accountant;
    const failed = await insertSendableDocument(opened.db, world.dossier, { status: "failed" });
    const first = await sendAllInTabAction({ dossierId: world.dossier.id, tab: "failed" });
    expect(first).toEqual({ ok: true, queued: 1, refused: [], nextCursor: null });
    expect((await documentOf(opened.db, failed.id)).status).toBe("sending");
    const second = await sendAllInTabAction({ dossierId: world.dossier.id, tab: "failed" });
    expect(second).toEqual({ ok: true, queued: 0, refused: [], nextCursor: null });
  });
});
