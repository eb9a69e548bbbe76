import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

describe("the help is public", () => {
  it.each(["/help", "/help/sending", "/help/developers/ftp", "/help/search-index/fr"])(
    "lets an anonymous visitor open %s, with the pages' nonce policy",
    (pathname) => {
      const response = proxy(new NextRequest(`http://localhost${pathname}`));
      expect(response.status).toBe(200);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-/);
    },
  );

  it("opens nothing else that merely starts with the word", () => {
    const response = proxy(new NextRequest("http://localhost/helpdesk"));
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("http://localhost/sign-in?callbackUrl=%2Fhelpdesk");
  });
});
