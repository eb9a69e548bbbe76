import { beforeEach, describe, expect, it, vi } from "vitest";

// The route is thin: the body read once with a limit, the connection id from the query, the
// outcome's status with a text that names nothing. Its decisions have their own tests
// (tests/integration/lib/rejections/exact.test.ts); here only what the route adds.

const processExactWebhook = vi.fn();
vi.mock("@/db", () => ({ getDb: vi.fn(async () => ({})) }));
vi.mock("@/lib/rejections/exact-webhook", () => ({
  EXACT_WEBHOOK_MAX_BYTES: 1024,
  processExactWebhook: (...args: unknown[]) => processExactWebhook(...args),
}));

const { POST } = await import("@/app/api/webhooks/exact-online/route");

const URL_OF = "http://koppel.test/api/webhooks/exact-online?connection=3f2a9c4e-8b1d-4e6f-a2c3-5d7e9f1a3b5c";

beforeEach(() => processExactWebhook.mockReset());

describe("POST /api/webhooks/exact-online", () => {
  it("hands the raw body and the query's connection id over, and answers with the outcome's status", async () => {
    processExactWebhook.mockResolvedValue({ status: 200, handled: "ignored" });
    const body = '{"Content": {"Topic":"Documents"} ,"HashCode":"AB"}';
    const response = await POST(new Request(URL_OF, { method: "POST", body }));
    expect(response.status).toBe(200);
    expect(processExactWebhook).toHaveBeenCalledWith(
      {},
      { connectionId: "3f2a9c4e-8b1d-4e6f-a2c3-5d7e9f1a3b5c", rawBody: body },
    );
    // What was handled is not told to the caller.
    expect(await response.json()).toEqual({ message: "Received." });
  });

  it.each([400, 401, 404])("answers %i with a text that names nothing", async (status) => {
    processExactWebhook.mockResolvedValue({ status });
    const response = await POST(new Request(URL_OF, { method: "POST", body: "{}" }));
    expect(response.status).toBe(status);
    const text = JSON.stringify(await response.json());
    expect(text).not.toMatch(/connection|secret|signature|hash|document/i);
  });

  it("refuses a body over the limit without looking at it", async () => {
    const large = await POST(new Request(URL_OF, { method: "POST", body: "x".repeat(2048) }));
    expect(large.status).toBe(413);
    expect(processExactWebhook).not.toHaveBeenCalled();
  });
});
