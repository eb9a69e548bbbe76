import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dispatches } from "@/db/schema";
import { MESSAGES } from "@/lib/i18n/messages";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { documentOf, setIntegration } from "../dispatch/setup";
import { createWorld, type World } from "../integrations/setup";
import { insertFailedDocuments } from "./setup";

// The two HTTP ends, run for real: GET /api/portals/[portalId]/delivery-log and the page's
// "retry all" action. Stand-ins: who is signed in, the database handle, the language (English for
// the route's problems, French for the file), and the job driver (the action's enqueue is seen,
// not run).
const session = vi.hoisted(() => ({ actor: null as unknown, db: null as unknown }));
const jobs = vi.hoisted(() => ({ sent: [] as unknown[] }));
vi.mock("@/lib/auth/session", () => ({
  getActor: async () => session.actor,
  requireActor: async () => session.actor,
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "en", messages: MESSAGES.en, namespace: namespace as never }),
}));
vi.mock("@/lib/i18n/resolve-locale", () => ({ resolveLocale: async () => "fr" }));
vi.mock("@/lib/jobs/client", () => ({
  sendJobEvents: async (events: unknown[]) => {
    jobs.sent.push(...events);
  },
}));

const { GET } = await import("@/app/api/portals/[portalId]/delivery-log/route");
const { retryFailureGroupAction } = await import("@/app/(app)/portals/[portalId]/failures/actions");

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  world = await createWorld(opened.db);
});
beforeEach(() => {
  session.actor = world.actors.accountant;
});
afterAll(async () => {
  await opened?.close();
});

function get(portalId: string, query: string, headers: Record<string, string> = {}) {
  return GET(new Request(`http://localhost/api/portals/${portalId}/delivery-log?${query}`, { headers }), {
    params: Promise.resolve({ portalId }),
  });
}

describe("GET /api/portals/[portalId]/delivery-log", () => {
  it("sends the CSV as a download named after the portal and the range, in the user's language", async () => {
    const response = await get(world.portal.id, "from=2026-01-01&to=2026-01-31");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain(
      'attachment; filename="delivery-log-kantoor-a-2026-01-01-2026-01-31.csv"',
    );
    expect(response.headers.get("cache-control")).toContain("no-store");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toBe(`${Object.values(MESSAGES.fr.failures.csv.columns).join(",")}\r\n`);
  });

  it("answers 400 with the reason for a bad range", async () => {
    const response = await get(world.portal.id, "from=2026-03-10&to=2026-03-01");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({
      status: 400,
      code: "reversed",
      detail: MESSAGES.en.failures.export.errors.reversed,
    });
  });

  it("sends a person's form back to the page with the reason and the dates typed, never a raw problem", async () => {
    const navigations: Record<string, string>[] = [
      { "sec-fetch-mode": "navigate", accept: "text/html,application/xhtml+xml" },
      { accept: "text/html,application/xhtml+xml" },
    ];
    for (const headers of navigations) {
      const response = await get(world.portal.id, "from=2026-03-10&to=2026-03-01", headers);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(
        `/portals/${world.portal.id}/failures?from=2026-03-10&to=2026-03-01&exportError=reversed#delivery-log-title`,
      );
    }
    // fetch() from a page is no navigation: it gets the problem.
    const fetched = await get(world.portal.id, "from=2026-03-10&to=2026-03-01", { "sec-fetch-mode": "cors" });
    expect(fetched.status).toBe(400);
  });

  it("answers 401 to a visitor and 404 to an entrepreneur and another office, whatever the dates", async () => {
    session.actor = null;
    expect((await get(world.portal.id, "from=2026-01-01&to=2026-01-02")).status).toBe(401);
    for (const actor of [world.actors.entrepreneur, world.actors.otherAdmin]) {
      session.actor = actor;
      for (const query of ["from=2026-01-01&to=2026-01-02", "from=x"]) {
        const response = await get(world.portal.id, query);
        expect(response.status).toBe(404);
        expect(response.headers.get("content-type")).toContain("application/problem+json");
      }
    }
  });
});

describe("retryFailureGroupAction", () => {
  it("queues the group's documents through requestSend and hands them to the job driver", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, {
      kind: "free_email",
      addresses: { purchase: "aankoop@kantoor.example", sales: null, other: null },
    });
    const [row] = await insertFailedDocuments(opened.db, dossier, [{ code: "server_error" }]);
    jobs.sent.length = 0;

    const answer = await retryFailureGroupAction({ portalId: world.portal.id, group: "unreachable" });

    expect(answer).toEqual({ ok: true, queued: 1, refused: [], nextCursor: null });
    const [dispatch] = await opened.db
      .select()
      .from(dispatches)
      .where(eq(dispatches.documentId, row?.id ?? ""));
    expect(dispatch).toMatchObject({ trigger: "retry", status: "queued" });
    expect(jobs.sent).toEqual([
      { name: "dispatch/dispatch.requested", payload: expect.objectContaining({ dispatchId: dispatch?.id }) },
    ]);
    expect((await documentOf(opened.db, row?.id ?? "")).status).toBe("sending");
  });

  it("answers not found to an entrepreneur and leaves the documents alone", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, {
      kind: "free_email",
      addresses: { purchase: "aankoop@kantoor.example", sales: null, other: null },
    });
    const [row] = await insertFailedDocuments(opened.db, dossier, [{ code: "server_error" }]);
    session.actor = world.actors.entrepreneur;
    const answer = await retryFailureGroupAction({ portalId: world.portal.id, group: "unreachable" });
    expect(answer).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect((await documentOf(opened.db, row?.id ?? "")).status).toBe("failed");
  });
});
