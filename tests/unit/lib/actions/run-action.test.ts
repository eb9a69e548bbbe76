import { describe, expect, it, vi } from "vitest";
import { toActionFailure } from "@/lib/actions/run-action";
import { NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";

// The session (next-auth) plays no part in mapping an error.
vi.mock("@/lib/auth/session", () => ({ requireActor: vi.fn() }));

describe("toActionFailure: what a failed action tells the browser", () => {
  it("keeps an application error's code and key, and the values its message needs", () => {
    expect(toActionFailure("inviteDossierClients", new RateLimitedError(9 * 60 + 1))).toEqual({
      ok: false,
      error: { code: "rate_limited", messageKey: "rateLimited", messageValues: { minutes: 10 } },
    });
  });

  it("adds no values to messages without placeholders, and keeps field errors", () => {
    expect(toActionFailure("x", new NotFoundError())).toEqual({
      ok: false,
      error: { code: "not_found", messageKey: "notFound" },
    });
    expect(toActionFailure("x", new ValidationError({ emails: ["emails.invalid"] }))).toEqual({
      ok: false,
      error: { code: "validation_failed", messageKey: "validationFailed" },
      fieldErrors: { emails: ["emails.invalid"] },
    });
  });

  it("gives any other error the generic key only, never its text", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const failure = toActionFailure("x", new Error("relation users does not exist"));
      expect(failure).toEqual({ ok: false, error: { code: "internal", messageKey: "generic" } });
      expect(logged).toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });
});
