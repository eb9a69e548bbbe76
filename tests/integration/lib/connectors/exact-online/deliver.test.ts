import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exactOnlineConnector, resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { ConnectorError } from "@/lib/connectors/errors";
import { type FakeExactOnline, startFakeExactOnline } from "../../../../fakes/exact-online";
import {
  allowCustomApiHosts,
  contextFor,
  documentFor,
  type ExactTestContext,
  grantedSecrets,
  memorySecrets,
  pdfBytes,
} from "./helpers";

let fake: FakeExactOnline;
const DIVISION = 100001;

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  resetExactRateLimits();
  fake = await startFakeExactOnline();
});
afterEach(async () => {
  await fake.close();
});

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the delivery to fail");
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("Exact Online deliver", () => {
  it("creates the Document with its type and our reference, then the attachment with the file", async () => {
    const ctx = contextFor(fake);
    const content = pdfBytes("verkoop");
    const receipt = await exactOnlineConnector.deliver(
      ctx,
      documentFor({ documentType: "sales_credit_note", category: "sales", fileName: "creditnota 7.pdf" }),
      { content },
    );

    const [stored] = fake.documents(DIVISION);
    expect(fake.documents()).toHaveLength(1);
    expect(stored).toMatchObject({ Type: 10, Subject: `creditnota 7.pdf [Koppel ${ctx.idempotencyKey}]` });
    expect(stored?.attachments).toHaveLength(1);
    expect(stored?.attachments[0]).toMatchObject({ FileName: "creditnota 7.pdf", FileSize: content.length });
    expect(new Uint8Array(stored?.attachments[0]?.content ?? [])).toEqual(content);
    expect(receipt).toEqual({ packageReference: stored?.ID, target: { division: DIVISION, isAlreadyThere: false } });
    // A first try posts straight away: no lookups.
    expect(fake.counts.byEndpoint).toEqual({ "documents/Documents": 1, "documents/DocumentAttachments": 1 });
  });

  it("a response lost after Exact stored the Document: the retry finds it and adds only the attachment", async () => {
    const key = "0b9d6c8e-3f1a-4d2b-8c7e-5a6b7c8d9e0f";
    const document = documentFor({ fileName: "l'eau d'Anvers.pdf" });
    fake.loseResponseAfterStore("documents/Documents");
    const first = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake, { idempotencyKey: key }), document, { content: pdfBytes() }),
    );
    expect(first).toMatchObject({ kind: "retryable", code: "network" });
    expect(fake.documents()).toHaveLength(1);
    expect(fake.documents()[0]?.attachments).toHaveLength(0);

    const receipt = await exactOnlineConnector.deliver(
      contextFor(fake, { idempotencyKey: key, isFirstTry: false }),
      document,
      { content: pdfBytes() },
    );
    expect(fake.documents()).toHaveLength(1);
    expect(fake.documents()[0]?.attachments).toHaveLength(1);
    expect(receipt).toEqual({
      packageReference: fake.documents()[0]?.ID,
      target: { division: DIVISION, isAlreadyThere: true },
    });
  });

  it("an attachment that failed: the retry adds it to the Document made before", async () => {
    const key = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    fake.failNext(1, { status: 500, endpoint: "documents/DocumentAttachments" });
    const first = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake, { idempotencyKey: key }), documentFor(), { content: pdfBytes() }),
    );
    expect(first).toMatchObject({ kind: "retryable", code: "server_error" });

    await exactOnlineConnector.deliver(contextFor(fake, { idempotencyKey: key, isFirstTry: false }), documentFor(), {
      content: pdfBytes(),
    });
    expect(fake.documents()).toHaveLength(1);
    expect(fake.documents()[0]?.attachments).toHaveLength(1);
  });

  it("an attachment stored but its answer lost: the retry creates nothing", async () => {
    const key = "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a";
    fake.loseResponseAfterStore("documents/DocumentAttachments");
    await failureOf(
      exactOnlineConnector.deliver(contextFor(fake, { idempotencyKey: key }), documentFor(), { content: pdfBytes() }),
    );
    const postsBefore = { ...fake.counts.byEndpoint };
    const receipt = await exactOnlineConnector.deliver(
      contextFor(fake, { idempotencyKey: key, isFirstTry: false }),
      documentFor(),
      { content: pdfBytes() },
    );
    expect(fake.documents()).toHaveLength(1);
    expect(fake.documents()[0]?.attachments).toHaveLength(1);
    expect(receipt.target).toEqual({ division: DIVISION, isAlreadyThere: true });
    // One lookup each, no post.
    expect(fake.counts.byEndpoint["documents/Documents"]).toBe((postsBefore["documents/Documents"] ?? 0) + 1);
    expect(fake.counts.byEndpoint["documents/DocumentAttachments"]).toBe(
      (postsBefore["documents/DocumentAttachments"] ?? 0) + 1,
    );
  });

  it("a retry of another dispatch does not take this one's Document", async () => {
    await exactOnlineConnector.deliver(contextFor(fake), documentFor({ fileName: "a.pdf" }), { content: pdfBytes() });
    await exactOnlineConnector.deliver(contextFor(fake, { isFirstTry: false }), documentFor({ fileName: "a.pdf" }), {
      content: pdfBytes(),
    });
    expect(fake.documents()).toHaveLength(2);
  });

  it("5xx is retryable and leaves nothing behind", async () => {
    fake.failNext(1, { status: 503 });
    const error = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "retryable", code: "server_error" });
    expect(fake.documents()).toHaveLength(0);
  });

  it("a refused document is permanent, with Exact's text for the logs only", async () => {
    fake.refuseNextDocument("Het documenttype is ongeldig");
    const error = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "permanent", code: "package_refused" });
    expect(error.vendorDetail).toContain("Het documenttype is ongeldig");
    expect(error.messageKey).toBe("connectors.errors.package_refused");
  });

  it("a division the user cannot reach is a permanent unknown_target", async () => {
    const error = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake, { division: 999_999 }), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "permanent", code: "unknown_target" });
  });

  it("stops calling an endpoint after 8 refusals within the hour, before Exact blocks the key", async () => {
    fake.failNext(20, { status: 400, message: "Onderwerp ongeldig", endpoint: "documents/Documents", method: "POST" });
    for (let i = 0; i < 8; i++) {
      const error = await failureOf(
        exactOnlineConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
      );
      expect(error.code).toBe("package_refused");
    }
    const blocked = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect(blocked).toMatchObject({ kind: "retryable", code: "blocked_after_errors" });
    expect(blocked.retryAfterMs).toBeGreaterThan(59 * 60_000);
    expect(fake.counts.byEndpoint["documents/Documents"]).toBe(8);
  });

  it("a connection that was never authorised does not call Exact", async () => {
    const ctx = contextFor(fake, { secrets: memorySecrets({ clientSecret: "own-secret" }) });
    const error = await failureOf(exactOnlineConnector.deliver(ctx, documentFor(), { content: pdfBytes() }));
    expect(error).toMatchObject({ kind: "auth", code: "not_authorised" });
    const health = await exactOnlineConnector.check(ctx);
    expect(health).toMatchObject({ ok: false, error: { kind: "auth", code: "not_authorised" } });
    expect(fake.counts.apiCalls + fake.counts.unauthorised).toBe(0);
  });
});

describe("Exact Online tokens during delivery", () => {
  it("refreshes an access token that is about to expire before calling, and stores the rotated grant", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    const oldRefreshToken = secrets.current.refreshToken ?? "";
    await exactOnlineConnector.deliver(contextFor(fake, { secrets }), documentFor(), { content: pdfBytes() });
    expect(fake.counts).toMatchObject({ refreshes: 1, unauthorised: 0 });
    expect(secrets.current.refreshToken).not.toBe(oldRefreshToken);
    expect(fake.isRefreshTokenActive(secrets.current.refreshToken ?? "")).toBe(true);
    expect(fake.isRefreshTokenActive(oldRefreshToken)).toBe(false);
  });

  it("an access token Exact no longer accepts (401): one refresh, the call repeated, delivered", async () => {
    const secrets = memorySecrets(grantedSecrets(fake));
    fake.expireAccessTokens();
    const receipt = await exactOnlineConnector.deliver(contextFor(fake, { secrets }), documentFor(), {
      content: pdfBytes(),
    });
    expect(receipt.packageReference).toBe(fake.documents()[0]?.ID);
    expect(fake.counts).toMatchObject({ unauthorised: 1, refreshes: 1 });
    expect(secrets.stored).toBe(1);
  });

  it("a refused refresh token is auth_failed (the connection needs re-authorisation) and stores nothing", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    const before = secrets.current;
    fake.expireRefreshTokens();
    const error = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake, { secrets }), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed" });
    expect(error.vendorDetail).toContain("invalid_request");
    expect(secrets.current).toEqual(before);
    expect(fake.documents()).toHaveLength(0);
  });

  it("two deliveries that need a refresh at once refresh once; the second uses the first one's token", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    const contexts: ExactTestContext[] = [contextFor(fake, { secrets }), contextFor(fake, { secrets })];
    await Promise.all(contexts.map((ctx) => exactOnlineConnector.deliver(ctx, documentFor(), { content: pdfBytes() })));
    expect(fake.counts).toMatchObject({ refreshes: 1, refusedRefreshes: 0 });
    expect(fake.documents()).toHaveLength(2);
  });
});

describe("Exact Online rate limits", () => {
  it("a 429 (someone else spent the division's minute) is retryable until the minutely reset", async () => {
    await fake.close();
    fake = await startFakeExactOnline({ rateLimit: { limit: 3, windowMs: 60_000 } });
    // Another app on the same division spends the minute; this connection's limiter cannot know.
    const otherApp = contextFor(fake, { clientId: "another-app" });
    await exactOnlineConnector.deliver(otherApp, documentFor(), { content: pdfBytes() });
    expect(await exactOnlineConnector.check(otherApp)).toMatchObject({ ok: true });

    const error = await failureOf(
      exactOnlineConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "retryable", code: "rate_limited" });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(fake.counts.tooManyRequests).toBeGreaterThanOrEqual(1);
  });

  it("waits for the next window instead of drawing a 429 when its own budget is spent", async () => {
    await fake.close();
    fake = await startFakeExactOnline({ rateLimit: { limit: 4, windowMs: 1_000 } });
    const ctx = contextFor(fake);
    for (let i = 0; i < 5; i++) {
      await exactOnlineConnector.deliver({ ...ctx, idempotencyKey: `${i}` }, documentFor(), { content: pdfBytes() });
    }
    expect(fake.documents()).toHaveLength(5);
    expect(fake.counts.tooManyRequests).toBe(0);
    const usage = fake.usage(DIVISION);
    expect(usage.reduce((sum, window) => sum + window.calls, 0)).toBe(10);
    expect(usage.every((window) => window.calls <= 4)).toBe(true);
  });
});
