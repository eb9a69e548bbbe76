import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { documents, emailWebhookDeliveries } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { createTestDb } from "../../../helpers/db";
import {
  eventBody,
  nowSeconds,
  PERMANENT_BOUNCE,
  post,
  SECRET,
  sentByMail,
  stateOf,
  svixSignature,
} from "./webhook-setup";

// The Resend webhook end to end below HTTP: the route handler with Svix-signed requests (signed as
// in webhook-setup.ts, from Svix's recipe), against this file's database.

const ENV_KEYS = ["RESEND_WEBHOOK_SECRET", "DATABASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let db: Db;

function setSecret(value: string | undefined) {
  if (value === undefined) delete process.env.RESEND_WEBHOOK_SECRET;
  else process.env.RESEND_WEBHOOK_SECRET = value;
  resetEnvCache();
}

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  setSecret(SECRET);
  opened = await createTestDb();
  db = opened.db;
  // The route handler asks getDb() for the database: hand it this file's test database.
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("POST /api/webhooks/resend: signature", () => {
  it("accepts a valid signature, also next to a stale one during a secret rotation", async () => {
    const sent = await sentByMail(db);
    const body = eventBody("email.delivered", sent.emailId);
    const id = `msg_${randomUUID()}`;
    const timestamp = String(nowSeconds());
    const oldKey = randomBytes(24);
    const header = `${svixSignature(id, timestamp, body, oldKey)} ${svixSignature(id, timestamp, body)}`;

    const response = await post(body, { id, timestamp, signature: header });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ result: "unchanged", documentId: sent.document.id });
  });

  it("refuses a forged signature, a body changed after signing, and a missing header with 401", async () => {
    const sent = await sentByMail(db);
    const body = eventBody("email.bounced", sent.emailId, PERMANENT_BOUNCE);
    const id = `msg_${randomUUID()}`;
    const timestamp = String(nowSeconds());

    const forged = await post(body, { id, timestamp, signature: svixSignature(id, timestamp, body, randomBytes(24)) });
    const tampered = await post(body.replace("Permanent", "Transient"), {
      id,
      timestamp,
      signature: svixSignature(id, timestamp, body),
    });
    const unsigned = await post(body, { signature: null });
    const noId = await post(body, { omit: "svix-id" });

    for (const response of [forged, tampered, unsigned, noId]) {
      expect(response.status).toBe(401);
      expect(response.json.type).toBe("urn:koppel:problem:resend-webhook:bad-signature");
    }
    const state = await stateOf(db, sent);
    expect(state.document?.status).toBe("sent");
    expect(state.history).toHaveLength(1);
    const recorded = await db.select().from(emailWebhookDeliveries).where(eq(emailWebhookDeliveries.messageId, id));
    expect(recorded).toEqual([]);
  });

  it("refuses a timestamp more than five minutes away, signed or not, with 401", async () => {
    const sent = await sentByMail(db);
    const body = eventBody("email.bounced", sent.emailId, PERMANENT_BOUNCE);

    const old = await post(body, { timestamp: String(nowSeconds() - 6 * 60) });
    const future = await post(body, { timestamp: String(nowSeconds() + 6 * 60) });

    for (const response of [old, future]) {
      expect(response.status).toBe(401);
      expect(response.json.type).toBe("urn:koppel:problem:resend-webhook:stale-timestamp");
    }
    expect((await stateOf(db, sent)).document?.status).toBe("sent");
  });

  it("answers 400 to a signed body that is not a Resend event", async () => {
    const notJson = await post("not json");
    const noData = await post(JSON.stringify({ type: "email.bounced" }));

    expect(notJson.status).toBe(400);
    expect(noData.status).toBe(400);
    expect(noData.json.type).toBe("urn:koppel:problem:resend-webhook:malformed");
  });

  it("answers 500, and logs why, when the configured secret is not one the SDK can use", async () => {
    // Passes the env check (base64 characters) but is not valid base64: no message can be verified.
    setSecret("whsec_abc");
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const response = await post(eventBody("email.delivered", randomUUID()));
      expect(response.status).toBe(500);
      expect(response.json.type).toBe("urn:koppel:problem:resend-webhook:internal");
      expect(logged).toHaveBeenCalledWith("[resend webhook] failed", expect.any(Error));
    } finally {
      logged.mockRestore();
      setSecret(SECRET);
    }
  });

  it("answers 503 with the reason when no secret is configured", async () => {
    setSecret(undefined);
    try {
      const response = await post(eventBody("email.delivered", randomUUID()));
      expect(response.status).toBe(503);
      expect(response.json.detail).toContain("RESEND_WEBHOOK_SECRET");
    } finally {
      setSecret(SECRET);
    }
  });
});

describe("POST /api/webhooks/resend: events", () => {
  it("marks a sent document failed once on a bounce, with the lead, the code and a history line", async () => {
    const sent = await sentByMail(db);
    const body = eventBody("email.bounced", sent.emailId, PERMANENT_BOUNCE);

    const first = await post(body);
    const state = await stateOf(db, sent);

    expect(first.status).toBe(200);
    expect(first.json).toEqual({ result: "failed", documentId: sent.document.id });
    expect(state.document).toMatchObject({
      status: "failed",
      lastErrorCode: "recipient_refused",
      lastErrorReason: "dispatch.bounce.bounced",
      failureGroup: "settings",
    });
    expect(state.dispatch?.status).toBe("failed");
    expect(state.history.map((a) => [a.number, a.outcome])).toEqual([
      [1, "succeeded"],
      [2, "permanent_error"],
    ]);
    expect(state.history[1]).toMatchObject({
      connector: "email",
      errorCode: "recipient_refused",
      reason: "Permanent · General: 550 5.1.1 The email account does not exist.",
      packageReference: sent.emailId,
      // The bounce's line carries the copies of the delivered try (what the delivery log reads).
      dossierId: sent.document.dossierId,
      fileName: sent.document.fileName,
      requestedByUserId: state.history[0]?.requestedByUserId,
    });

    // Svix redelivers the same message: 200, nothing changes.
    const replay = await post(body, { id: first.id });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ result: "duplicate" });
    // A second, different message about the same bounce finds the document failed already.
    const again = await post(body);
    expect(again.json).toEqual({ result: "unchanged", documentId: sent.document.id });

    const after = await stateOf(db, sent);
    expect(after.history).toHaveLength(2);
    expect(after.document?.updatedAt).toEqual(state.document?.updatedAt);
  });

  it("marks a document failed on a complaint, with the complaint lead in the history", async () => {
    const sent = await sentByMail(db);

    const response = await post(eventBody("email.complained", sent.emailId));
    const state = await stateOf(db, sent);

    expect(response.json.result).toBe("failed");
    expect(state.document).toMatchObject({
      status: "failed",
      lastErrorCode: "package_refused",
      lastErrorReason: "dispatch.bounce.complained",
      failureGroup: "package_refusal",
    });
    expect(state.history[1]?.reason).toBe("dispatch.bounce.complained");
  });

  it("leaves a delivered document sent", async () => {
    const sent = await sentByMail(db);

    const response = await post(eventBody("email.delivered", sent.emailId));
    const state = await stateOf(db, sent);

    expect(response.json).toEqual({ result: "unchanged", documentId: sent.document.id });
    expect(state.document?.status).toBe("sent");
    expect(state.dispatch?.status).toBe("succeeded");
    expect(state.history).toHaveLength(1);
  });

  it("does not undo a later send of the same document with a bounce of an older mail", async () => {
    const sent = await sentByMail(db);
    // Sent again since (a retry after a correction): the document now carries the new mail's id.
    await db
      .update(documents)
      .set({ packageReference: randomUUID() })
      .where(and(eq(documents.id, sent.document.id)));

    const response = await post(eventBody("email.bounced", sent.emailId, PERMANENT_BOUNCE));

    expect(response.json.result).toBe("unchanged");
    expect((await stateOf(db, sent)).document?.status).toBe("sent");
  });

  it("answers 200 and ignores events about mails that carried no document", async () => {
    const signInMail = await post(eventBody("email.bounced", randomUUID(), PERMANENT_BOUNCE));
    const noEmailId = await post(JSON.stringify({ type: "domain.updated", data: { id: "d_1" } }));

    expect(signInMail).toMatchObject({ status: 200, json: { result: "ignored" } });
    expect(noEmailId).toMatchObject({ status: 200, json: { result: "ignored" } });
  });
});
