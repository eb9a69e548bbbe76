import { describe, expect, it } from "vitest";
import { classifyApiAnswer, vendorMessageOf } from "@/lib/connectors/api/exact-online/client";
import type { HttpAnswer } from "@/lib/connectors/transports/http";

const NOW = 1_750_000_000_000;

function answer(status: number, body: unknown = "", headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: new Headers(headers), text: typeof body === "string" ? body : JSON.stringify(body) };
}

const exactError = (value: string) => ({ error: { code: "", message: { lang: "", value } } });

describe("Exact Online: classifying answers", () => {
  it.each([
    [400, true, "permanent", "package_refused"],
    [401, true, "auth", "auth_failed"],
    [403, true, "permanent", "unknown_target"],
    [404, true, "permanent", "unknown_target"],
    [403, false, "auth", "auth_failed"],
    [404, false, "permanent", "invalid_settings"],
    [413, true, "permanent", "file_refused"],
    [409, true, "permanent", "package_refused"],
    [302, true, "permanent", "invalid_settings"],
    [408, true, "retryable", "server_error"],
    [500, true, "retryable", "server_error"],
    [503, false, "retryable", "server_error"],
  ] as const)("%i (division endpoint: %s) → %s %s", (status, isDivisionScoped, kind, code) => {
    expect(classifyApiAnswer(answer(status, exactError("Nope")), { isDivisionScoped }, NOW)).toMatchObject({
      kind,
      code,
    });
  });

  it("keeps Exact's text for the logs only", () => {
    const error = classifyApiAnswer(answer(400, exactError("Onderwerp is verplicht")), { isDivisionScoped: true }, NOW);
    expect(error.vendorDetail).toBe("400 Onderwerp is verplicht");
    expect(error.messageKey).toBe("connectors.errors.package_refused");
  });

  it("429 on the minutely limit waits until X-RateLimit-Minutely-Reset", () => {
    const error = classifyApiAnswer(
      answer(429, exactError("Too many"), {
        "X-RateLimit-Minutely-Limit": "60",
        "X-RateLimit-Minutely-Remaining": "0",
        "X-RateLimit-Minutely-Reset": String(NOW + 42_000),
      }),
      { isDivisionScoped: true },
      NOW,
    );
    expect(error).toMatchObject({ kind: "retryable", code: "rate_limited", retryAfterMs: 42_000 });
  });

  it("429 on the daily limit is quota_exceeded until X-RateLimit-Reset", () => {
    const error = classifyApiAnswer(
      answer(429, "", {
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(NOW + 3 * 3_600_000),
        "X-RateLimit-Minutely-Remaining": "12",
        "X-RateLimit-Minutely-Reset": String(NOW + 10_000),
      }),
      { isDivisionScoped: true },
      NOW,
    );
    expect(error).toMatchObject({ kind: "retryable", code: "quota_exceeded", retryAfterMs: 3 * 3_600_000 });
  });

  it("429 without reset headers honours Retry-After, else waits a minute", () => {
    expect(classifyApiAnswer(answer(429, "", { "Retry-After": "7" }), { isDivisionScoped: true }, NOW)).toMatchObject({
      retryAfterMs: 7_000,
    });
    expect(classifyApiAnswer(answer(429), { isDivisionScoped: true }, NOW)).toMatchObject({ retryAfterMs: 60_000 });
  });

  it("reads token errors and plain text too", () => {
    expect(
      vendorMessageOf(answer(400, { error: "invalid_request", error_description: "The refresh token expired at x" })),
    ).toBe("400 invalid_request: The refresh token expired at x");
    expect(vendorMessageOf(answer(502, "<html>Bad gateway</html>"))).toBe("502 <html>Bad gateway</html>");
  });

  it("429 without reset headers also reads Retry-After as an HTTP date (the shared transport's reading)", () => {
    const at = new Date(NOW + 45_000).toUTCString();
    expect(
      classifyApiAnswer(answer(429, "", { "Retry-After": at }), { isDivisionScoped: true }, NOW).retryAfterMs,
    ).toBe(45_000);
  });
});
