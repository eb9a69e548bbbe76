import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exactOnlineConnector, resetExactRateLimits, verdictOf } from "@/lib/connectors/api/exact-online";
import { POLL_LIMITS } from "@/lib/connectors/api/exact-online/assumptions";
import { subscribeToDocumentChanges } from "@/lib/connectors/api/exact-online/webhook";
import { ConnectorError } from "@/lib/connectors/errors";
import { type FakeExactOnline, startFakeExactOnline } from "../../../fakes/exact-online";
import { allowCustomApiHosts, contextFor } from "../connectors/exact-online/helpers";

// Exact's pollStatus against the fake: what it asks, how much, and what it makes of the answers.

const DIVISION = 100001;
let fake: FakeExactOnline;

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  resetExactRateLimits();
  // Room for the setup's documents; the limits themselves have their own tests.
  fake = await startFakeExactOnline({ rateLimit: { limit: 500, windowMs: 60_000 } });
});
afterEach(async () => {
  await fake.close();
});

/** Documents as an earlier delivery left them in Exact (one POST each, straight to the fake). */
async function storedDocuments(count: number): Promise<string[]> {
  const { accessToken } = fake.issueGrant();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${fake.url}/api/v1/${DIVISION}/documents/Documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ Subject: `factuur ${i}.pdf [Koppel ${randomUUID()}]`, Type: 20 }),
    });
    ids.push(((await response.json()) as { d: { ID: string } }).d.ID);
  }
  return ids;
}

describe("Exact Online pollStatus", () => {
  it("reads ProposedEntryStatus per Document: 5 rejected, 50 imported, anything else pending", async () => {
    const [rejected, processed, open] = await storedDocuments(3);
    fake.setDocumentStatus(rejected ?? "", 5);
    fake.setDocumentStatus(processed ?? "", 50);
    const states = await exactOnlineConnector.pollStatus(contextFor(fake), [rejected, processed, open] as string[]);
    expect(states).toEqual([
      { packageReference: rejected, state: "rejected" },
      { packageReference: processed, state: "imported" },
      { packageReference: open, state: "pending" },
    ]);
    expect([null, undefined, 0, 10, 20, 30].map(verdictOf)).toEqual(Array(6).fill("pending"));
  });

  it(`asks about at most ${POLL_LIMITS.documentsPerRun} Documents per call; the rest are not reported`, async () => {
    const ids = await storedDocuments(POLL_LIMITS.documentsPerRun + 5);
    const before = fake.counts.byEndpoint["documents/Documents"] ?? 0;
    const states = await exactOnlineConnector.pollStatus(contextFor(fake), ids);
    expect(states.map((state) => state.packageReference)).toEqual(ids.slice(0, POLL_LIMITS.documentsPerRun));
    expect((fake.counts.byEndpoint["documents/Documents"] ?? 0) - before).toBe(POLL_LIMITS.documentsPerRun);
  });

  it("a Document deleted in Exact stays pending, and after a few 404s it stops asking", async () => {
    const [first, second] = await storedDocuments(2);
    const deleted = [randomUUID(), randomUUID(), randomUUID()];
    const asked = [deleted[0], first, deleted[1], deleted[2], second] as string[];
    const states = await exactOnlineConnector.pollStatus(contextFor(fake), asked);
    // First 404 skipped, the next one ends the run: `second` waits for the next run.
    expect(states).toEqual([{ packageReference: first, state: "pending" }]);
    expect(POLL_LIMITS.notFoundPerRun).toBe(2);
  });

  it("its 404s count towards Exact's error block for documents/Documents, like a delivery's errors", async () => {
    const [existing] = await storedDocuments(1);
    // Two 404s per run; the breaker stops an endpoint at 8 errors within the hour.
    for (let run = 0; run < 4; run++) {
      await exactOnlineConnector.pollStatus(contextFor(fake), [randomUUID(), randomUUID()]);
    }
    const blocked = await exactOnlineConnector.pollStatus(contextFor(fake), [existing ?? ""]).catch((e: unknown) => e);
    expect(blocked).toMatchObject({ kind: "retryable", code: "blocked_after_errors" });
  });

  it("a reference that is not a GUID is not sent to Exact", async () => {
    const [id] = await storedDocuments(1);
    const before = fake.counts.apiCalls;
    const states = await exactOnlineConnector.pollStatus(contextFor(fake), ["not-a-guid'or 1 eq 1", id ?? ""]);
    expect(states).toEqual([{ packageReference: id, state: "pending" }]);
    expect(fake.counts.apiCalls - before).toBe(1);
  });

  it("fails when nothing could be asked: no division, or Exact down before any answer", async () => {
    const ids = await storedDocuments(2);
    await expect(exactOnlineConnector.pollStatus(contextFor(fake, { division: null }), ids)).rejects.toMatchObject({
      code: "invalid_settings",
    });
    fake.failNext(1, { status: 503, endpoint: "documents/Documents" });
    const down = await exactOnlineConnector.pollStatus(contextFor(fake), ids).catch((error: unknown) => error);
    expect(down).toBeInstanceOf(ConnectorError);
    expect(down).toMatchObject({ kind: "retryable", code: "server_error" });
  });

  it("subscribes a division's Document changes to a callback (ready for the platform step that does not exist yet)", async () => {
    const callback = "https://koppel.example/api/webhooks/exact-online?connection=3f2a9c4e-8b1d-4e6f-a2c3-5d7e9f1a3b5c";
    const id = await subscribeToDocumentChanges(contextFor(fake), DIVISION, callback);
    expect(fake.subscriptions()).toEqual([{ ID: id, Division: DIVISION, CallbackURL: callback, Topic: "Documents" }]);
  });
});
