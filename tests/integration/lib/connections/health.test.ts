import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import {
  CONNECTION_FAULT_CODES,
  checkHealthEvent,
  deliveryHealthEvent,
  isConnectionFault,
  recordConnectionHealth,
} from "@/lib/connections/health";
import { CONNECTOR_ERROR_CODES } from "@/lib/connectors/errors";
import { createTestDb } from "../../../helpers/db";
import { insertConnection, insertPortal } from "../../../helpers/fixtures";

let opened: OpenedDb;
let portalId = "";

beforeAll(async () => {
  opened = await createTestDb();
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
});
afterAll(async () => {
  await opened?.close();
});

async function healthOf(id: string) {
  const [row] = await opened.db
    .select({
      status: connections.status,
      lastCheckedAt: connections.lastCheckedAt,
      lastSuccessAt: connections.lastSuccessAt,
      lastErrorCode: connections.lastErrorCode,
      lastErrorAt: connections.lastErrorAt,
    })
    .from(connections)
    .where(eq(connections.id, id));
  if (!row) throw new Error("no connection");
  return row;
}

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 9, minute));

describe("what a delivery's outcome says about its connection", () => {
  it("counts refused credentials, an unreachable server and a wrong folder; never a refused file or document", () => {
    expect(isConnectionFault({ kind: "auth", code: "auth_failed" })).toBe(true);
    expect(isConnectionFault({ kind: "auth", code: "unknown" })).toBe(true);
    for (const code of ["network", "connection_refused", "host_not_found", "tls_failed", "permission_denied"]) {
      expect(isConnectionFault({ kind: "permanent", code }), code).toBe(true);
    }
    for (const code of [
      "file_refused",
      "package_refused",
      "recipient_refused",
      "missing_address",
      "unknown_target",
      "invalid_settings",
      "rate_limited",
      "server_error",
      "timeout",
      "unknown",
      "file_missing",
    ]) {
      expect(isConnectionFault({ kind: "permanent", code }), code).toBe(false);
      expect(deliveryHealthEvent(at(0), { kind: "retryable", code })).toBeNull();
    }
    // Every listed code is one a connector can throw.
    for (const code of CONNECTION_FAULT_CODES) expect(CONNECTOR_ERROR_CODES).toContain(code);
    expect(deliveryHealthEvent(at(0), { kind: "auth", code: "login_failed" })).toMatchObject({
      ok: false,
      status: "needs_reauth",
      isCheck: false,
    });
    expect(deliveryHealthEvent(at(0), { kind: "retryable", code: "connection_refused" })).toMatchObject({
      status: "error",
    });
    expect(deliveryHealthEvent(at(0), null)).toEqual({ ok: true, at: at(0), isCheck: false });
  });
});

describe("recordConnectionHealth", () => {
  it("makes a connection that never succeeded healthy after a delivery, without stamping a check", async () => {
    const { id } = await insertConnection(opened.db, portalId);
    await recordConnectionHealth(
      opened.db,
      { id, portalId },
      checkHealthEvent(at(1), { kind: "permanent", code: "network" }),
    );
    expect(await healthOf(id)).toMatchObject({ status: "error", lastSuccessAt: null, lastErrorCode: "network" });

    const status = await recordConnectionHealth(
      opened.db,
      { id, portalId },
      deliveryHealthEvent(at(2), null) ?? fail(),
    );
    expect(status).toBe("connected");
    expect(await healthOf(id)).toEqual({
      status: "connected",
      lastCheckedAt: at(1),
      lastSuccessAt: at(2),
      lastErrorCode: null,
      lastErrorAt: null,
    });
  });

  it("never lets an older failure overwrite a newer success, nor an older success a newer failure", async () => {
    const { id } = await insertConnection(opened.db, portalId);
    const ref = { id, portalId };
    const network = { kind: "retryable", code: "network" } as const;
    await recordConnectionHealth(opened.db, ref, deliveryHealthEvent(at(10), null) ?? fail());
    // A try that failed at 9:05 is recorded after the success of 9:10: it changes nothing.
    expect(await recordConnectionHealth(opened.db, ref, deliveryHealthEvent(at(5), network) ?? fail())).toBe(
      "connected",
    );
    expect(await healthOf(id)).toMatchObject({ status: "connected", lastSuccessAt: at(10), lastErrorCode: null });

    // A newer failure wins…
    await recordConnectionHealth(opened.db, ref, deliveryHealthEvent(at(20), network) ?? fail());
    expect(await healthOf(id)).toMatchObject({ status: "error", lastErrorCode: "network", lastErrorAt: at(20) });
    // …and a success older than it, recorded late, keeps it (last success never moves back).
    await recordConnectionHealth(opened.db, ref, deliveryHealthEvent(at(15), null) ?? fail());
    expect(await healthOf(id)).toMatchObject({
      status: "error",
      lastSuccessAt: at(15),
      lastErrorCode: "network",
      lastErrorAt: at(20),
    });
    await recordConnectionHealth(opened.db, ref, deliveryHealthEvent(at(12), null) ?? fail());
    expect((await healthOf(id)).lastSuccessAt).toEqual(at(15));
    // An older failure does not replace a newer one either.
    await recordConnectionHealth(
      opened.db,
      ref,
      deliveryHealthEvent(at(18), { kind: "auth", code: "auth_failed" }) ?? fail(),
    );
    expect(await healthOf(id)).toMatchObject({ status: "error", lastErrorCode: "network", lastErrorAt: at(20) });

    // A passing check after all of it: healthy again, and the check stamped (forward only).
    await recordConnectionHealth(opened.db, ref, checkHealthEvent(at(30), null));
    await recordConnectionHealth(opened.db, ref, checkHealthEvent(at(25), null));
    expect(await healthOf(id)).toEqual({
      status: "connected",
      lastCheckedAt: at(30),
      lastSuccessAt: at(30),
      lastErrorCode: null,
      lastErrorAt: null,
    });
  });

  it("leaves a disabled connection alone, and another office's id matches nothing", async () => {
    const { id } = await insertConnection(opened.db, portalId);
    await opened.db.update(connections).set({ status: "disabled" }).where(eq(connections.id, id));
    expect(await recordConnectionHealth(opened.db, { id, portalId }, deliveryHealthEvent(at(40), null) ?? fail())).toBe(
      "disabled",
    );
    expect(await healthOf(id)).toMatchObject({ status: "disabled", lastSuccessAt: null });

    const other = await insertPortal(opened.db, "Kantoor B");
    const { id: mine } = await insertConnection(opened.db, portalId);
    await recordConnectionHealth(opened.db, { id: mine, portalId: other.id }, checkHealthEvent(at(41), null));
    expect(await healthOf(mine)).toMatchObject({ status: "not_checked", lastSuccessAt: null });
  });
});

function fail(): never {
  throw new Error("expected a health event");
}
