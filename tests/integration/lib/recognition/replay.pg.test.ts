import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/recognition/[portalId]/route";
import type { OpenedDb } from "@/db";
import { documentEvents, recognitionDeliveries, users } from "@/db/schema";
import { ingestDocument } from "@/lib/documents/ingest";
import { sendJobEvent } from "@/lib/jobs/client";
import { revealRecognitionSecret } from "@/lib/recognition/secret";
import { samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, useTempFileStore, type World } from "../documents/setup";

// Concurrent deliveries need real connections: PGlite runs one statement at a time. This file runs
// only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

let secret = "";
let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
  files = await useTempFileStore();
  await opened.db.insert(users).values({ id: world.actors.admin.userId, email: "admin@de-vos.test" });
  secret = (await revealRecognitionSecret(opened.db, world.actors.admin, world.portal.id)).secret;
});
afterAll(async () => {
  globalThis.__koppelDb = undefined;
  await files?.dispose();
  await opened?.close();
});

describe("concurrent copies of one delivery (real PostgreSQL)", () => {
  it("are processed exactly once: one 200, every other copy 409, one event", async () => {
    const { id } = await ingestDocument(opened.db, world.actors.entrepreneur, {
      dossierId: world.dossier.id,
      source: "upload",
      fileName: "factuur.pdf",
      content: samplePdf(),
    });
    vi.mocked(sendJobEvent).mockClear();
    const body = JSON.stringify({ documentId: id, documentType: "purchase_invoice", confidence: 0.8, fields: {} });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        POST(
          new Request(`http://localhost/api/webhooks/recognition/${world.portal.id}`, {
            method: "POST",
            headers: { "X-Koppel-Timestamp": timestamp, "X-Koppel-Signature": signature },
            body,
          }),
          { params: Promise.resolve({ portalId: world.portal.id }) },
        ),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, ...Array.from({ length: 9 }, () => 409)]);
    expect(
      await opened.db.select().from(recognitionDeliveries).where(eq(recognitionDeliveries.documentId, id)),
    ).toHaveLength(1);
    // One recognition, and auto-send ran once, in the request that made it (no job).
    const events = await opened.db
      .select({ kind: documentEvents.kind })
      .from(documentEvents)
      .where(eq(documentEvents.documentId, id));
    expect(events.map((event) => event.kind).sort()).toEqual(["auto_send_skipped", "received", "recognised"]);
    expect(vi.mocked(sendJobEvent)).not.toHaveBeenCalled();
  });
});
