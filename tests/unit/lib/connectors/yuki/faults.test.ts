import { describe, expect, it } from "vitest";
import { classifyFault, classifyHttpStatus, msUntilNextUtcMidnight } from "@/lib/connectors/api/yuki/client";
import { ConnectorError } from "@/lib/connectors/errors";

const ASMX = "System.Web.Services.Protocols.SoapException: Server was unable to process request. ---> ";

function kindAndCode(fault: ReturnType<typeof classifyFault>) {
  return fault instanceof ConnectorError ? [fault.kind, fault.code] : fault;
}

describe("Yuki fault classification", () => {
  it.each([
    ["Authentication failed", ["auth", "auth_failed"]],
    [`${ASMX}Authentication failed.`, ["auth", "auth_failed"]],
    ["Invalid web service access key", ["auth", "auth_failed"]],
    [`${ASMX}Administration not found.`, ["permanent", "unknown_target"]],
    [`${ASMX}Domain has no active database.`, ["permanent", "wrong_region"]],
    [`${ASMX}The maximum number of API calls per day has been exceeded.`, ["retryable", "quota_exceeded"]],
    ["Daily limit exceeded", ["retryable", "quota_exceeded"]],
    ["Quota reached for today", ["retryable", "quota_exceeded"]],
    [`${ASMX}Session expired or invalid session ID.`, "session_expired"],
    ["Invalid session", "session_expired"],
    ["The session does not exist", "session_expired"],
    [`${ASMX}Object reference not set to an instance of an object.`, ["permanent", "package_refused"]],
    ["", ["permanent", "package_refused"]],
  ] as const)("%s → %j", (faultString, expected) => {
    expect(kindAndCode(classifyFault(faultString))).toEqual(expected);
  });

  it("keeps the vendor text for logs only, shortened", () => {
    const fault = classifyFault(`${ASMX}Administration not found.${"x".repeat(1_000)}`);
    expect(fault).toBeInstanceOf(ConnectorError);
    if (fault instanceof ConnectorError) {
      expect(fault.vendorDetail?.length).toBe(500);
      expect(fault.messageKey).toBe("connectors.errors.unknown_target");
    }
  });

  it("retries a used-up quota at the next midnight UTC", () => {
    const now = new Date("2025-03-15T21:30:00.000Z");
    const fault = classifyFault("Daily limit exceeded", now);
    expect(fault instanceof ConnectorError && fault.retryAfterMs).toBe(2.5 * 60 * 60 * 1000);
  });

  it("counts to midnight UTC across month and year ends", () => {
    expect(msUntilNextUtcMidnight(new Date("2025-12-31T23:59:59.000Z"))).toBe(1_000);
    expect(msUntilNextUtcMidnight(new Date("2025-02-28T00:00:00.000Z"))).toBe(24 * 60 * 60 * 1000);
  });
});

describe("Yuki HTTP answers without a fault", () => {
  it.each([
    [500, ["retryable", "server_error"]],
    [502, ["retryable", "server_error"]],
    [503, ["retryable", "server_error"]],
    [429, ["retryable", "rate_limited"]],
    [408, ["retryable", "timeout"]],
    [421, ["retryable", "server_error"]],
    [425, ["retryable", "server_error"]],
    [451, ["retryable", "server_error"]],
    [404, ["permanent", "invalid_settings"]],
    [400, ["permanent", "package_refused"]],
  ] as const)("HTTP %i → %j", (status, expected) => {
    const error = classifyHttpStatus(status);
    expect([error.kind, error.code]).toEqual(expected);
  });
});
