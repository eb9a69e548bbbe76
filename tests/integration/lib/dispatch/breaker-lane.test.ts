import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { breakerLaneKeySql, breakerLaneOf } from "@/lib/dispatch/breaker";
import { resetEnvCache } from "@/lib/env";
import { createTestDb } from "../../../helpers/db";

// The delivery reads a dispatch with its lane's breaker in one query (gateDispatch), by the lane key
// computed in SQL. It only trusts that join when the key agrees with breakerLaneOf's: here the two
// are compared for every kind of lane, so a disagreement would cost a round trip, never a wrong gate.

const CONNECTION_ID = "0b1f6c1e-2f1a-4d4e-9a51-8d2b7c9e4f10";
const PORTAL_ID = "5c0e2f8a-1b7d-4c3e-8f6a-2d9b1e7c4a35";

let opened: OpenedDb;
const savedResendKey = process.env.RESEND_API_KEY;

beforeAll(async () => {
  opened = await createTestDb();
});

afterAll(async () => {
  await opened.close();
});

afterEach(() => {
  if (savedResendKey === undefined) delete process.env.RESEND_API_KEY;
  else process.env.RESEND_API_KEY = savedResendKey;
  resetEnvCache();
});

async function laneKeyInSql(connectionId: string | null, channel: string | null): Promise<string | null> {
  const result = (await opened.db.execute(
    sql`select ${breakerLaneKeySql({ connectionId: sql`${connectionId}::uuid`, channel: sql`${channel}::text` })} as key`,
  )) as { rows: { key: string | null }[] };
  return result.rows[0]?.key ?? null;
}

describe("breakerLaneKeySql", () => {
  const cases: { name: string; connectionId: string | null; channel: string | null; resend: boolean }[] = [
    { name: "a connection's delivery", connectionId: CONNECTION_ID, channel: "api", resend: false },
    { name: "a connection's mail delivery", connectionId: CONNECTION_ID, channel: "email", resend: true },
    { name: "a free address, mail through Resend", connectionId: null, channel: "email", resend: true },
    { name: "a free address, mail to the local outbox", connectionId: null, channel: "email", resend: false },
    { name: "no connection and no mail", connectionId: null, channel: "ftp", resend: true },
    { name: "no channel at all", connectionId: null, channel: null, resend: true },
  ];

  for (const lane of cases) {
    it(`agrees with breakerLaneOf for ${lane.name}`, async () => {
      if (lane.resend) process.env.RESEND_API_KEY = "re_test";
      else delete process.env.RESEND_API_KEY;
      resetEnvCache();
      const expected = breakerLaneOf({ portalId: PORTAL_ID, connectionId: lane.connectionId, channel: lane.channel });
      expect(await laneKeyInSql(lane.connectionId, lane.channel)).toBe(expected?.key ?? null);
    });
  }
});
