import { describe, expect, it } from "vitest";
import { classifySendError } from "@/lib/connectors/email";
import { EmailSendError } from "@/lib/email/send";

describe("classifying Resend failures", () => {
  it.each([
    [null, "application_error", "retryable", "network"],
    [429, "rate_limit_exceeded", "retryable", "rate_limited"],
    [500, "internal_server_error", "retryable", "server_error"],
    [503, "application_error", "retryable", "server_error"],
    [422, "validation_error", "permanent", "recipient_refused"],
    [400, "invalid_parameter", "permanent", "recipient_refused"],
    [401, "missing_api_key", "permanent", "server_error"],
    [403, "invalid_api_key", "permanent", "server_error"],
  ] as const)("status %s (%s) → %s %s", (status, name, kind, code) => {
    const error = classifySendError(new EmailSendError(status, name));
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
  });

  it("keeps Retry-After on a 429", () => {
    expect(classifySendError(new EmailSendError(429, "rate_limit_exceeded", 2_000)).retryAfterMs).toBe(2_000);
  });

  it("treats anything else as a retryable unknown", () => {
    const error = classifySendError(new Error("boom"));
    expect([error.kind, error.code]).toEqual(["retryable", "unknown"]);
  });
});
