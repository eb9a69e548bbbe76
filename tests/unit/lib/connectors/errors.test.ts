import { describe, expect, it } from "vitest";
import {
  CONNECTOR_ERROR_CODES,
  CONNECTOR_ERROR_KINDS,
  ConnectorError,
  isConnectorError,
  toConnectorError,
} from "@/lib/connectors/errors";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

describe("ConnectorError", () => {
  it("carries kind, code, retry-after and the vendor detail for logs", () => {
    const cause = new Error("socket hang up");
    const error = new ConnectorError("retryable", "rate_limited", { retryAfterMs: 30_000, vendorDetail: "429", cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConnectorError");
    expect(error.kind).toBe("retryable");
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.vendorDetail).toBe("429");
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("retryable: rate_limited (429)");
    expect(isConnectorError(error)).toBe(true);
  });

  it("leaves retry-after and vendor detail out when not given", () => {
    const error = new ConnectorError("permanent", "missing_address");
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.vendorDetail).toBeUndefined();
    expect(error.message).toBe("permanent: missing_address");
  });

  it.each(CONNECTOR_ERROR_CODES)("%s has message key connectors.errors.%s", (code) => {
    expect(new ConnectorError("permanent", code).messageKey).toBe(`connectors.errors.${code}`);
  });

  const cells = LOCALES.flatMap((locale) => CONNECTOR_ERROR_CODES.map((code) => [locale, code] as const));
  it.each(cells)("%s translates connectors.errors.%s", (locale, code) => {
    const message = (MESSAGES[locale].connectors.errors as Record<string, string>)[code];
    expect(typeof message === "string" && message.trim().length > 0).toBe(true);
  });

  it("has exactly the three kinds of the design map", () => {
    expect([...CONNECTOR_ERROR_KINDS].sort()).toEqual(["auth", "permanent", "retryable"]);
  });
});

describe("toConnectorError", () => {
  it("returns a ConnectorError unchanged", () => {
    const original = new ConnectorError("auth", "auth_failed");
    expect(toConnectorError(original)).toBe(original);
  });

  it.each([
    ["an AbortError (signal aborted)", new DOMException("This operation was aborted", "AbortError")],
    ["a TimeoutError (AbortSignal.timeout)", new DOMException("The operation timed out", "TimeoutError")],
    ["an Error named AbortError", Object.assign(new Error("aborted"), { name: "AbortError" })],
  ])("classifies %s as a retryable timeout", (_, thrown) => {
    const error = toConnectorError(thrown);
    expect({ kind: error.kind, code: error.code, messageKey: error.messageKey }).toEqual({
      kind: "retryable",
      code: "timeout",
      messageKey: "connectors.errors.timeout",
    });
    expect(error.cause).toBe(thrown);
  });

  it("classifies the reason of a real AbortSignal.timeout as a retryable timeout", async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    expect(toConnectorError(signal.reason).code).toBe("timeout");
  });

  it.each([
    ["an Error", new Error("fetch failed"), "fetch failed"],
    ["a TypeError", new TypeError("Cannot read properties of undefined"), "Cannot read properties of undefined"],
    ["a string", "boom", "boom"],
    ["undefined", undefined, "undefined"],
    ["an object", { status: 500 }, "[object Object]"],
  ])("turns %s into a retryable unknown error, the text kept for logs only", (_, thrown, detail) => {
    const error = toConnectorError(thrown);
    expect(error.kind).toBe("retryable");
    expect(error.code).toBe("unknown");
    expect(error.messageKey).toBe("connectors.errors.unknown");
    expect(error.vendorDetail).toBe(detail);
    expect(error.cause).toBe(thrown);
  });
});
