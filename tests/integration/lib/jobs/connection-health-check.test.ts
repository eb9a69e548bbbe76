import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb, type OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { runConnectionCheck } from "@/lib/connections/check";
import { resetEnvCache } from "@/lib/env";
import { sendJobEvent } from "@/lib/jobs/client";
import { getLocalJobDriver, stopLocalJobDriver } from "@/lib/jobs/runtime";
import { createTestDb } from "@/tests/helpers/db";
import { insertConnection, insertPortal } from "@/tests/helpers/fixtures";

// The real job definitions on the in-process driver, as the embedded default runs them: the
// health-check cron lists due connections in the database and fans out one connection-check per
// connection. Only the check itself (a network call to the package) is replaced.

vi.mock("@/db", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db")>()), getDb: vi.fn() }));
vi.mock("@/lib/connections/check", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/connections/check")>()),
  runConnectionCheck: vi.fn(),
}));

// Today no API or FTP connector exists, and the cron only checks connections that have one: the
// registry answers with a stand-in so the fan-out over real rows can be observed.
vi.mock("@/lib/connectors/registry", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/connectors/registry")>()),
  loadConnector: vi.fn(async () => ({ id: "stand-in" })),
}));

let opened: OpenedDb;

beforeAll(async () => {
  for (const name of ["INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"]) vi.stubEnv(name, undefined);
  resetEnvCache();
  opened = await createTestDb();
  vi.mocked(getDb).mockResolvedValue(opened.db);
});

beforeEach(() => {
  vi.mocked(runConnectionCheck).mockReset();
  vi.mocked(runConnectionCheck).mockResolvedValue({ status: "connected", errorCode: null, checkedAt: new Date() });
});

afterAll(async () => {
  await stopLocalJobDriver();
  await opened?.close();
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("connection health check on the in-process driver", () => {
  it("checks every connection that is not disabled, as the system, when the cron is due", async () => {
    const portal = await insertPortal(opened.db);
    const active = await insertConnection(opened.db, portal.id);
    const neverChecked = await insertConnection(opened.db, portal.id);
    const disabled = await insertConnection(opened.db, portal.id);
    await opened.db.update(connections).set({ status: "disabled" }).where(eq(connections.id, disabled.id));

    const driver = await getLocalJobDriver();
    driver.tick(new Date("2025-03-04T10:14:00Z"));
    await driver.idle();
    expect(runConnectionCheck).not.toHaveBeenCalled();

    driver.tick(new Date("2025-03-04T10:15:00Z"));
    await driver.idle();

    const checked = vi.mocked(runConnectionCheck).mock.calls.map(([db, actor, id]) => {
      expect(db).toBe(opened.db);
      expect(actor).toEqual({ kind: "system", reason: "connection-health-check" });
      return id;
    });
    expect(checked.sort()).toEqual([active.id, neverChecked.id].sort());
  });

  it("runs a check requested through sendJobEvent", async () => {
    const portal = await insertPortal(opened.db);
    const connection = await insertConnection(opened.db, portal.id);

    const driver = await getLocalJobDriver();
    await sendJobEvent("connections/connection.check-requested", { connectionId: connection.id, portalId: portal.id });
    await driver.idle();

    expect(runConnectionCheck).toHaveBeenCalledTimes(1);
    expect(runConnectionCheck).toHaveBeenCalledWith(opened.db, expect.anything(), connection.id);
  });

  it("refuses an event whose payload does not match, before anything runs", async () => {
    await getLocalJobDriver();
    await expect(
      sendJobEvent("connections/connection.check-requested", { connectionId: "not-a-uuid", portalId: randomUUID() }),
    ).rejects.toThrow(/Invalid payload for event connections\/connection.check-requested/);
    await (await getLocalJobDriver()).idle();
    expect(runConnectionCheck).not.toHaveBeenCalled();
  });
});
