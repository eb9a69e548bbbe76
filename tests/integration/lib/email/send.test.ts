import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { outboxEmails } from "@/db/schema";
import { classifySendError } from "@/lib/connectors/email";
import { EmailSendError, sendEmail } from "@/lib/email/send";
import { resetEnvCache } from "@/lib/env";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

let opened: OpenedDb;
beforeAll(async () => {
  opened = await createTestDb();
  // lib/email/send.ts asks getDb() for the database; hand it this file's test database.
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterEach(() => setEnv({}));
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("sendEmail without RESEND_API_KEY (local outbox)", () => {
  it("stores the mail in the outbox", async () => {
    setEnv({ EMAIL_FROM: "Koppel <noreply@koppel.test>" });
    const sent = await sendEmail({
      to: ["an@example.com"],
      subject: "Welkom",
      text: "Hallo",
      html: "<p>Hallo</p>",
      idempotencyKey: "welcome-1",
    });
    expect(sent.via).toBe("outbox");
    const rows = await opened.db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, "welcome-1"));
    expect(rows).toMatchObject([
      {
        id: sent.id,
        from: "Koppel <noreply@koppel.test>",
        to: ["an@example.com"],
        subject: "Welkom",
        text: "Hallo",
        html: "<p>Hallo</p>",
      },
    ]);
  });

  it("stores one row for two sends with the same idempotency key, and keeps the first", async () => {
    setEnv({});
    const mail = { to: ["eva@example.com"], subject: "Aanmelden", text: "Link 1", idempotencyKey: "sign-in-42" };
    const first = await sendEmail(mail);
    const second = await sendEmail({ ...mail, text: "Link 2" });
    expect(second).toEqual(first);
    const rows = await opened.db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, "sign-in-42"));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.text).toBe("Link 1");
  });

  it("stores two rows for two different keys", async () => {
    setEnv({});
    const a = await sendEmail({ to: ["a@example.com"], subject: "A", text: "a", idempotencyKey: "key-a" });
    const b = await sendEmail({ to: ["a@example.com"], subject: "A", text: "a", idempotencyKey: "key-b" });
    expect(a.id).not.toBe(b.id);
  });
});

describe("sendEmail with RESEND_API_KEY (against a fake Resend)", () => {
  let resend: Awaited<ReturnType<typeof startFakeResend>>;
  beforeAll(async () => {
    resend = await startFakeResend();
  });
  afterEach(() => {
    resend.requests.length = 0;
    resend.respondWith(undefined);
  });
  afterAll(async () => {
    await resend?.close();
  });

  it("posts the mail as JSON with the bearer key and the Idempotency-Key header", async () => {
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url, EMAIL_FROM: "Koppel <noreply@koppel.test>" });
    const outboxBefore = (await opened.db.select().from(outboxEmails)).length;
    const sent = await sendEmail({
      to: ["bram@example.com", "an@example.com"],
      subject: "Document geweigerd",
      text: "Het pakket weigerde het document.",
      html: "<p>Het pakket weigerde het document.</p>",
      idempotencyKey: "dispatch-7f3c",
    });
    expect(sent).toEqual({ id: "re_fake_1", via: "resend" });
    expect(resend.requests).toHaveLength(1);
    const [request] = resend.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/emails");
    expect(request?.headers.authorization).toBe("Bearer re_test_123");
    expect(request?.headers["idempotency-key"]).toBe("dispatch-7f3c");
    expect(request?.headers["content-type"]).toMatch(/^application\/json/);
    expect(request?.body).toEqual({
      from: "Koppel <noreply@koppel.test>",
      to: ["bram@example.com", "an@example.com"],
      subject: "Document geweigerd",
      text: "Het pakket weigerde het document.",
      html: "<p>Het pakket weigerde het document.</p>",
    });
    // Resend configured: nothing goes to the local outbox.
    expect(await opened.db.select().from(outboxEmails)).toHaveLength(outboxBefore);
  });

  it("sends the same key again on a repeat, so Resend can replay instead of mailing twice", async () => {
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    const mail = { to: ["eva@example.com"], subject: "S", text: "t", idempotencyKey: "sign-in-99" };
    await sendEmail(mail);
    await sendEmail(mail);
    expect(resend.requests.map((request) => request.headers["idempotency-key"])).toEqual(["sign-in-99", "sign-in-99"]);
  });

  it("throws when Resend refuses the mail, without leaking the message text", async () => {
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    resend.respondWith({
      status: 422,
      body: { name: "validation_error", message: "The `to` field is invalid: secret@example.com", statusCode: 422 },
    });
    const attempt = sendEmail({ to: ["not-an-address"], subject: "S", text: "t", idempotencyKey: "bad-1" });
    await expect(attempt).rejects.toThrow("Resend refused the mail: validation_error");
    await expect(attempt).rejects.not.toThrow(/secret@example\.com/);
  });

  // Outages: the HTTP status decides, the body only names it (a drill saw 500s recorded as "network").
  it.each([
    { answer: { status: 500, body: { message: "Internal error" } }, status: 500, code: "server_error" },
    { answer: { status: 502, text: "<html>Bad gateway</html>" }, status: 502, code: "server_error" },
    { answer: { status: 503, body: { name: "application_error" } }, status: 503, code: "server_error" },
    { answer: { status: 400, body: { message: "bad" } }, status: 400, code: "recipient_refused" },
  ])("classifies an answer $answer.status by its status: $code", async ({ answer, status, code }) => {
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    resend.respondWith(answer);
    const error = await sendEmail({ to: ["a@example.com"], subject: "S", text: "t", idempotencyKey: "outage-1" }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EmailSendError);
    expect((error as EmailSendError).statusCode).toBe(status);
    expect(classifySendError(error)).toMatchObject({ code });
  });

  it("reads Retry-After of a 429", async () => {
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    resend.respondWith({ status: 429, body: { name: "rate_limit_exceeded" }, headers: { "retry-after": "7" } });
    const error = await sendEmail({ to: ["a@example.com"], subject: "S", text: "t", idempotencyKey: "busy-1" }).catch(
      (caught: unknown) => caught,
    );
    expect(classifySendError(error)).toMatchObject({ kind: "retryable", code: "rate_limited", retryAfterMs: 7000 });
  });

  it("a service that does not answer at all is a network error", async () => {
    const closed = await startFakeResend();
    await closed.close();
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: closed.url });
    const error = await sendEmail({ to: ["a@example.com"], subject: "S", text: "t", idempotencyKey: "down-1" }).catch(
      (caught: unknown) => caught,
    );
    expect((error as EmailSendError).statusCode).toBeNull();
    expect((error as EmailSendError).providerCode).toBe("ECONNREFUSED");
    expect(classifySendError(error)).toMatchObject({ kind: "retryable", code: "network" });
  });

  it("sends attachments base64-encoded with their content type", async () => {
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url });
    await sendEmail({
      to: ["a@example.com"],
      subject: "S",
      text: "t",
      idempotencyKey: "attach-1",
      attachments: [
        { filename: "factuur.pdf", content: new Uint8Array([37, 80, 68, 70]), contentType: "application/pdf" },
      ],
    });
    const [request] = resend.requests;
    expect((request?.body as { attachments?: unknown } | undefined)?.attachments).toEqual([
      { filename: "factuur.pdf", content: "JVBERg==", content_type: "application/pdf" },
    ]);
  });
});
