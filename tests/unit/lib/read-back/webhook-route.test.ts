import { beforeEach, describe, expect, it, vi } from "vitest";
import { EXACT_WEBHOOK_MAX_BYTES } from "@/lib/connectors/api/exact-online/webhook";

// The route is thin and the same for every package: the package's receiver (its connector's
// webhook, found through the real registry), the body read once with that connector's limit, the
// connection id from the query, the outcome's status with a text that names nothing. What happens
// with a notification has its own tests (tests/integration/lib/rejections/exact.test.ts); here
// only what the route adds.

const processPackageWebhook = vi.fn();
vi.mock("@/db", () => ({ getDb: vi.fn(async () => ({})) }));
// The bad-signature limit counts in the database; it has its own test
// (tests/integration/lib/webhooks/bad-signature-limit.test.ts).
vi.mock("@/lib/rate-limit/bad-signatures", () => ({
  withBadSignatureLimit: (_request: Request, _route: string, handle: () => Promise<Response>) => handle(),
}));
vi.mock("@/lib/read-back/webhook", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/read-back/webhook")>()),
  processPackageWebhook: (...args: unknown[]) => processPackageWebhook(...args),
}));

const { POST } = await import("@/app/api/webhooks/[packageId]/route");

const CONNECTION_ID = "3f2a9c4e-8b1d-4e6f-a2c3-5d7e9f1a3b5c";

function post(packageId: string, body: string) {
  const request = new Request(`http://koppel.test/api/webhooks/${packageId}?connection=${CONNECTION_ID}`, {
    method: "POST",
    body,
  });
  return POST(request, { params: Promise.resolve({ packageId }) });
}

beforeEach(() => {
  processPackageWebhook.mockReset();
});

describe("POST /api/webhooks/[packageId]", () => {
  it("hands Exact Online's receiver, the raw body and the query's connection id over, and answers with the outcome's status", async () => {
    processPackageWebhook.mockResolvedValue({ status: 200, handled: "ignored" });
    const body = '{"Content": {"Topic":"Documents"} ,"HashCode":"AB"}';
    const response = await post("exact-online", body);
    expect(response.status).toBe(200);
    expect(processPackageWebhook).toHaveBeenCalledWith(
      {},
      {
        receiver: expect.objectContaining({ packageId: "exact-online", webhook: expect.any(Object) }),
        connectionId: CONNECTION_ID,
        rawBody: body,
      },
    );
    // What was handled is not told to the caller.
    expect(await response.json()).toEqual({ message: "Received." });
  });

  it.each([400, 401, 404])("answers %i with a text that names nothing", async (status) => {
    processPackageWebhook.mockResolvedValue({ status });
    const response = await post("exact-online", "{}");
    expect(response.status).toBe(status);
    const text = JSON.stringify(await response.json());
    expect(text).not.toMatch(/connection|secret|signature|hash|document/i);
  });

  it("refuses a body over the connector's limit without looking at it", async () => {
    const large = await post("exact-online", "x".repeat(EXACT_WEBHOOK_MAX_BYTES + 1));
    expect(large.status).toBe(413);
    expect(processPackageWebhook).not.toHaveBeenCalled();
  });

  it.each(["yuki", "expert-m", "clearfacts", "not-a-package", "EXACT-ONLINE"])(
    "answers 404 for %s, a package without a webhook hook (or none at all), without reading the body",
    async (packageId) => {
      const response = await post(packageId, '{"Content":{},"HashCode":"AB"}');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: "Not found." });
      expect(processPackageWebhook).not.toHaveBeenCalled();
    },
  );

  it("answers 500 without the error's words when processing fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    processPackageWebhook.mockImplementation(async () => {
      throw new Error('relation "connections" does not exist');
    });
    const response = await post("exact-online", "{}");
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("relation");
    error.mockRestore();
  });
});
