import { describe, expect, it } from "vitest";
import { CONNECTOR_ERROR_CODES } from "@/lib/connectors/errors";
import { DISPATCH_ERROR_CODES } from "@/lib/dispatch/error-codes";
import { SEND_REFUSALS } from "@/lib/documents/refusals";
import {
  FAILURE_GROUP_OF_CODE,
  FAILURE_GROUPS,
  failureGroupOf,
  isRetryableGroup,
  STORED_ERROR_CODES,
} from "@/lib/failures/groups";
import { MESSAGES } from "@/lib/i18n/messages";

// The codes as the three lists have them today, read at run time: a code added to any of them
// without a group in FAILURE_GROUP_OF_CODE fails the first test.
const EVERY_CODE = [...CONNECTOR_ERROR_CODES, ...DISPATCH_ERROR_CODES, ...SEND_REFUSALS];

describe("the code → cause map", () => {
  it.each(EVERY_CODE)("puts %s in a cause", (code) => {
    expect(FAILURE_GROUPS).toContain(FAILURE_GROUP_OF_CODE[code]);
  });

  it("names no code that the connectors, the dispatch flow or requestSend do not have", () => {
    expect(Object.keys(FAILURE_GROUP_OF_CODE).sort()).toEqual([...new Set(EVERY_CODE)].sort());
    expect([...STORED_ERROR_CODES].sort()).toEqual([...new Set(EVERY_CODE)].sort());
  });

  it("groups the codes the failure queue is about as the issue lists them", () => {
    const expected: Record<string, string[]> = {
      reauth: ["auth_failed", "not_authorised", "connection_needs_reauth"],
      settings: ["invalid_settings", "missing_address", "unknown_target", "wrong_region", "integration_incomplete"],
      package_refusal: ["package_refused", "file_refused"],
      file: ["file_missing"],
      unreachable: [
        "network",
        "timeout",
        "host_not_found",
        "connection_refused",
        "tls_failed",
        "server_error",
        "rate_limited",
        "quota_exceeded",
        "blocked_after_errors",
        "job_failed",
        "interrupted",
        "unknown",
      ],
    };
    for (const [group, codes] of Object.entries(expected)) {
      for (const code of codes)
        expect([code, FAILURE_GROUP_OF_CODE[code as keyof typeof FAILURE_GROUP_OF_CODE]]).toEqual([code, group]);
    }
  });

  it("has a title and a hint for every cause in every language", () => {
    for (const messages of Object.values(MESSAGES)) {
      for (const group of FAILURE_GROUPS) {
        expect(messages.failures.groups[group].title.length).toBeGreaterThan(0);
        expect(messages.failures.groups[group].hint.length).toBeGreaterThan(0);
      }
    }
  });
});

describe("failureGroupOf", () => {
  it("files every rejection under package refusal, whatever its code or connection", () => {
    expect(failureGroupOf({ status: "rejected", lastErrorCode: "timeout", connectionStatus: "needs_reauth" })).toBe(
      "package_refusal",
    );
    expect(failureGroupOf({ status: "rejected", lastErrorCode: null, connectionStatus: null })).toBe("package_refusal");
  });

  it("files a failure under re-authorisation while its connection needs it, whatever the last try said", () => {
    expect(failureGroupOf({ status: "failed", lastErrorCode: "timeout", connectionStatus: "needs_reauth" })).toBe(
      "reauth",
    );
  });

  it("keeps a failure whose cause is the document's own (file, package refusal) in that group, whatever the connection", () => {
    for (const connectionStatus of ["needs_reauth", "disabled"] as const) {
      expect(failureGroupOf({ status: "failed", lastErrorCode: "file_refused", connectionStatus })).toBe(
        "package_refusal",
      );
      expect(failureGroupOf({ status: "failed", lastErrorCode: "package_refused", connectionStatus })).toBe(
        "package_refusal",
      );
      expect(failureGroupOf({ status: "failed", lastErrorCode: "file_missing", connectionStatus })).toBe("file");
    }
  });

  it("files a failure of a dossier whose connection is disabled under settings", () => {
    expect(failureGroupOf({ status: "failed", lastErrorCode: "network", connectionStatus: "disabled" })).toBe(
      "settings",
    );
  });

  it("follows the code otherwise, and counts a missing or unknown code as unknown (unreachable)", () => {
    expect(failureGroupOf({ status: "failed", lastErrorCode: "file_missing", connectionStatus: "connected" })).toBe(
      "file",
    );
    expect(failureGroupOf({ status: "failed", lastErrorCode: null, connectionStatus: null })).toBe("unreachable");
    expect(failureGroupOf({ status: "failed", lastErrorCode: "vendor_gibberish", connectionStatus: null })).toBe(
      "unreachable",
    );
    // Inherited object keys are no codes.
    expect(failureGroupOf({ status: "failed", lastErrorCode: "constructor", connectionStatus: null })).toBe(
      "unreachable",
    );
  });
});

describe("which causes offer retry all", () => {
  it("offers it where fixing the cause makes a retry work, not for file problems", () => {
    expect(FAILURE_GROUPS.filter(isRetryableGroup)).toEqual(["reauth", "settings", "package_refusal", "unreachable"]);
  });
});
