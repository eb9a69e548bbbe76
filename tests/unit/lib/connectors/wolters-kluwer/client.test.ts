import { describe, expect, it } from "vitest";
import { classifyApiAnswer, vendorMessageOf } from "@/lib/connectors/api/wolters-kluwer/client";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
  text: typeof body === "string" ? body : JSON.stringify(body),
});
const NOW = Date.parse("2026-01-01T10:00:00Z");

describe("Wolters Kluwer answers", () => {
  it("tell an unknown administration from refused access by where the call went", () => {
    expect(classifyApiAnswer(answer(403, { title: "Forbidden" }), { isAdministrationScoped: true }, NOW)).toMatchObject(
      {
        kind: "permanent",
        code: "unknown_target",
      },
    );
    expect(
      classifyApiAnswer(answer(403, { title: "Forbidden" }), { isAdministrationScoped: false }, NOW),
    ).toMatchObject({
      kind: "auth",
      code: "auth_failed",
    });
    expect(classifyApiAnswer(answer(404, "nope"), { isAdministrationScoped: false }, NOW).code).toBe(
      "invalid_settings",
    );
    expect(classifyApiAnswer(answer(401, ""), { isAdministrationScoped: true }, NOW).kind).toBe("auth");
  });

  it("read refusals, size, limits and outages", () => {
    const scope = { isAdministrationScoped: true };
    expect(classifyApiAnswer(answer(422, { title: "Invalid" }), scope, NOW)).toMatchObject({
      kind: "permanent",
      code: "package_refused",
    });
    expect(classifyApiAnswer(answer(409, {}), scope, NOW).code).toBe("package_refused");
    expect(classifyApiAnswer(answer(413, ""), scope, NOW).code).toBe("file_refused");
    expect(
      classifyApiAnswer(answer(429, "", { "retry-after": "Thu, 01 Jan 2026 10:00:30 GMT" }), scope, NOW),
    ).toMatchObject({
      kind: "retryable",
      code: "rate_limited",
      retryAfterMs: 30_000,
    });
    expect(classifyApiAnswer(answer(429, ""), scope, NOW).retryAfterMs).toBe(60_000);
    expect(classifyApiAnswer(answer(503, ""), scope, NOW)).toMatchObject({ kind: "retryable", code: "server_error" });
    expect(classifyApiAnswer(answer(302, ""), scope, NOW).code).toBe("invalid_settings");
  });

  it("keep the vendor's words for the logs only", () => {
    expect(vendorMessageOf(answer(400, { error: "invalid_grant", error_description: "expired" }))).toBe(
      "400 invalid_grant: expired",
    );
    expect(vendorMessageOf(answer(422, { title: "Unknown document type 'X'" }))).toBe("422 Unknown document type 'X'");
  });
});
