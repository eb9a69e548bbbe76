import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { emailWebhookDeliveries } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { createTestDb } from "../../../helpers/db";
import { eventBody, nowSeconds, PERMANENT_BOUNCE, post, SECRET, sentByMail, stateOf } from "./webhook-setup";

// Concurrent webhook calls need real connections: PGlite runs one statement at a time. This file
// runs only with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

const saved = process.env.RESEND_WEBHOOK_SECRET;
let opened: OpenedDb;

beforeAll(async () => {
  process.env.RESEND_WEBHOOK_SECRET = SECRET;
  resetEnvCache();
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterAll(async () => {
  if (saved === undefined) delete process.env.RESEND_WEBHOOK_SECRET;
  else process.env.RESEND_WEBHOOK_SECRET = saved;
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("concurrent Resend webhook calls (real PostgreSQL)", () => {
  it("apply one Svix message once: one result, every other copy a duplicate", async () => {
    const sent = await sentByMail(opened.db);
    const body = eventBody("email.bounced", sent.emailId, PERMANENT_BOUNCE);
    const id = `msg_${randomUUID()}`;
    const timestamp = String(nowSeconds());

    const responses = await Promise.all(Array.from({ length: 8 }, () => post(body, { id, timestamp })));

    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(responses.filter((r) => r.json.result === "failed")).toHaveLength(1);
    expect(responses.filter((r) => r.json.result === "duplicate")).toHaveLength(7);
    const recorded = await opened.db
      .select()
      .from(emailWebhookDeliveries)
      .where(eq(emailWebhookDeliveries.messageId, id));
    expect(recorded).toHaveLength(1);
  });

  it("fail a document once when different messages report the same bounce at the same time", async () => {
    const sent = await sentByMail(opened.db);
    const body = eventBody("email.bounced", sent.emailId, PERMANENT_BOUNCE);

    const responses = await Promise.all(Array.from({ length: 8 }, () => post(body)));

    expect(responses.filter((r) => r.json.result === "failed")).toHaveLength(1);
    expect(responses.filter((r) => r.json.result === "unchanged")).toHaveLength(7);
    const state = await stateOf(opened.db, sent);
    expect(state.document?.status).toBe("failed");
    expect(state.history.map((a) => a.outcome)).toEqual(["succeeded", "permanent_error"]);
  });
});
