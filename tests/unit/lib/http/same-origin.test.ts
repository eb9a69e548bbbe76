import { describe, expect, it } from "vitest";
import { isSameOriginRequest, isShareTargetRequest } from "@/lib/http/same-origin";

function post(headers: Record<string, string>): Request {
  return new Request("http://internal:3000/api/dossiers/x/documents", { method: "POST", headers });
}

describe("isSameOriginRequest", () => {
  describe("with AUTH_URL", () => {
    const appUrl = "https://koppel.example/";
    it("accepts the app's own origin", () => {
      expect(isSameOriginRequest(post({ origin: "https://koppel.example", host: "internal:3000" }), appUrl)).toBe(true);
    });
    it.each([
      ["another site", "https://evil.example"],
      ["another scheme", "http://koppel.example"],
      ["another port", "https://koppel.example:8443"],
      ["a subdomain", "https://sub.koppel.example"],
      ["a look-alike", "https://koppel.example.evil.example"],
      ["an opaque origin", "null"],
      ["garbage", "not a url"],
    ])("refuses %s", (_, origin) => {
      expect(isSameOriginRequest(post({ origin, host: "koppel.example" }), appUrl)).toBe(false);
    });
    it("ignores a Host header that matches a foreign Origin", () => {
      expect(isSameOriginRequest(post({ origin: "https://evil.example", host: "evil.example" }), appUrl)).toBe(false);
    });
  });

  describe("without AUTH_URL: the Host header", () => {
    it("accepts an Origin whose host is the request's Host, whatever the scheme behind a proxy", () => {
      expect(isSameOriginRequest(post({ origin: "https://localhost:3000", host: "localhost:3000" }), undefined)).toBe(
        true,
      );
    });
    it("refuses another host, and a request without a Host", () => {
      expect(isSameOriginRequest(post({ origin: "https://evil.example", host: "localhost:3000" }), undefined)).toBe(
        false,
      );
      expect(isSameOriginRequest(post({ origin: "https://localhost:3000" }), undefined)).toBe(false);
    });
  });

  describe("without Origin (the share target hook)", () => {
    it("refuses a request that says nothing about where it came from", () => {
      expect(isSameOriginRequest(post({ host: "koppel.example" }), "https://koppel.example")).toBe(false);
    });
    it.each(["cross-site", "same-site", "none"])("refuses Sec-Fetch-Site: %s", (site) => {
      expect(isSameOriginRequest(post({ "sec-fetch-site": site }), "https://koppel.example")).toBe(false);
    });
    it("accepts Sec-Fetch-Site: same-origin, which only the browser can set", () => {
      expect(isSameOriginRequest(post({ "sec-fetch-site": "same-origin" }), "https://koppel.example")).toBe(true);
    });
    it("never lets Sec-Fetch-Site overrule a foreign Origin", () => {
      expect(
        isSameOriginRequest(
          post({ origin: "https://evil.example", "sec-fetch-site": "same-origin" }),
          "https://koppel.example",
        ),
      ).toBe(false);
    });
  });
});

describe("isShareTargetRequest", () => {
  const appUrl = "https://koppel.example";
  it("accepts what isSameOriginRequest accepts", () => {
    expect(isShareTargetRequest(post({ origin: appUrl }), appUrl)).toBe(true);
    expect(isShareTargetRequest(post({ "sec-fetch-site": "same-origin" }), appUrl)).toBe(true);
  });
  it.each([
    ["no Origin", {}],
    ["an opaque Origin", { origin: "null" }],
  ])("accepts a request the browser started itself (Sec-Fetch-Site: none) with %s: the share sheet", (_, headers) => {
    expect(isShareTargetRequest(post({ ...headers, "sec-fetch-site": "none" }), appUrl)).toBe(true);
  });
  it.each([
    ["a foreign Origin, whatever the fetch metadata", { origin: "https://evil.example", "sec-fetch-site": "none" }],
    ["a post from another site", { "sec-fetch-site": "cross-site" }],
    ["a sandboxed frame of another site", { origin: "null", "sec-fetch-site": "cross-site" }],
    ["a sibling site", { origin: "null", "sec-fetch-site": "same-site" }],
    ["a browser without fetch metadata", {}],
    ["an opaque Origin without fetch metadata", { origin: "null" }],
  ])("refuses %s", (_, headers) => {
    expect(isShareTargetRequest(post(headers), appUrl)).toBe(false);
  });
});
