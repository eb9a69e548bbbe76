import { getScriptNonceFromHeader } from "next/dist/server/app-render/get-script-nonce-from-header";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import {
  BACK_FORWARD_CACHEABLE_CACHE_CONTROL,
  generateNonce,
  HSTS_FORWARDED_PROTO_PATTERN,
  NO_REFERRER_SOURCES,
  PERMISSIONS_POLICY,
  pageContentSecurityPolicy,
  SECURITY_HEADERS,
  STRICT_TRANSPORT_SECURITY,
} from "@/lib/security/headers";
import nextConfig from "@/next.config";
import { proxy } from "@/proxy";

const directives = (policy: string) =>
  new Map(policy.split("; ").map((directive) => [directive.split(" ")[0], directive.split(" ").slice(1)]));

describe("the pages' Content-Security-Policy", () => {
  it("allows scripts by nonce only, and nothing to frame, embed or rebase the page", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "abc123==", isDevelopment: false }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'nonce-abc123=='"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    // Only style attributes may be inline; nothing may be eval'd in production.
    const unsafe = [...policy].filter(([, sources]) => sources?.some((source) => source.startsWith("'unsafe-")));
    expect(unsafe).toEqual([["style-src-attr", ["'unsafe-inline'"]]]);
  });

  it("lets React's development build use eval and Next's dev tools add styles, in development only", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "n", isDevelopment: true }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-n'", "'strict-dynamic'", "'unsafe-eval'"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("draws a new nonce each time, in the form Next.js reads back from the policy", () => {
    const nonces = new Set(Array.from({ length: 50 }, () => generateNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      expect(getScriptNonceFromHeader(pageContentSecurityPolicy({ nonce, isDevelopment: false }))).toBe(nonce);
    }
  });
});

describe("proxy.ts", () => {
  const signedIn = { cookie: "authjs.session-token=x" };

  it("gives a page the same policy on its request (for Next.js) and on its response", () => {
    const response = proxy(new NextRequest("http://localhost/portals/1", { headers: signedIn }));
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]+={0,2}' 'strict-dynamic'/);
    // NextResponse.next({ request: { headers } }) hands the request headers on this way.
    expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    const next = proxy(new NextRequest("http://localhost/portals/1", { headers: signedIn }));
    expect(next.headers.get("content-security-policy")).not.toBe(policy);
  });

  it("leaves the API reference its own policy, and sends anonymous visitors to sign in", () => {
    const reference = proxy(new NextRequest("http://localhost/docs/api"));
    expect(reference.headers.get("content-security-policy")).toBeNull();
    expect(reference.headers.get("x-middleware-request-content-security-policy")).toBeNull();
    const anonymous = proxy(new NextRequest("http://localhost/portals/1?tab=x"));
    expect(anonymous.status).toBe(307);
    expect(anonymous.headers.get("location")).toBe("http://localhost/sign-in?callbackUrl=%2Fportals%2F1%3Ftab%3Dx");
    const signIn = proxy(new NextRequest("http://localhost/sign-in"));
    expect(signIn.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });
});

describe("the back/forward cache", () => {
  const signedIn = { cookie: "authjs.session-token=x" };

  it("is open to the public sign-in and sign-up pages: revalidated and private, but not no-store", () => {
    for (const path of ["/sign-in", "/sign-in/check-email", "/sign-up", "/sign-up/check-email"]) {
      const response = proxy(new NextRequest(`http://localhost${path}`));
      expect(response.headers.get("cache-control"), path).toBe(BACK_FORWARD_CACHEABLE_CACHE_CONTROL);
    }
    expect(BACK_FORWARD_CACHEABLE_CACHE_CONTROL).not.toContain("no-store");
    expect(BACK_FORWARD_CACHEABLE_CACHE_CONTROL).toContain("private");
    expect(BACK_FORWARD_CACHEABLE_CACHE_CONTROL).toContain("no-cache");
  });

  it("stays closed to private pages and the invitation page: Next.js's no-store is left alone", () => {
    for (const path of ["/portals/1", "/dossiers/1", "/dossiers/1/documents/2", "/invitations/abc", "/no-access"]) {
      const response = proxy(new NextRequest(`http://localhost${path}`, { headers: signedIn }));
      expect(response.headers.get("cache-control"), path).toBeNull();
    }
  });
});

describe("next.config.ts headers()", () => {
  it("sends nosniff, the referrer and permissions policies everywhere, and HSTS only behind https", async () => {
    const rules = (await nextConfig.headers?.()) ?? [];
    const everywhere = rules[0];
    const https = rules.at(-1);
    expect(rules).toHaveLength(2 + NO_REFERRER_SOURCES.length);
    expect(everywhere?.source).toBe("/:path*");
    expect(everywhere?.has).toBeUndefined();
    expect(Object.fromEntries(everywhere?.headers.map((header) => [header.key, header.value]) ?? [])).toEqual({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "Permissions-Policy": PERMISSIONS_POLICY,
    });
    expect(SECURITY_HEADERS.map((header) => header.key)).not.toContain("Strict-Transport-Security");
    expect(https?.source).toBe("/:path*");
    expect(https?.headers).toEqual([{ key: "Strict-Transport-Security", value: STRICT_TRANSPORT_SECURITY }]);
    expect(https?.has).toEqual([{ type: "header", key: "x-forwarded-proto", value: HSTS_FORWARDED_PROTO_PATTERN }]);
  });

  it("keeps no-referrer on the routes that set it: a later rule of next.config.ts wins", async () => {
    const rules = (await nextConfig.headers?.()) ?? [];
    const common = rules.findIndex((rule) => rule.headers.some((header) => header.key === "Referrer-Policy"));
    for (const source of ["/api/documents/:documentId/file", "/api/v1/documents/:documentId/file", "/docs/api"]) {
      const index = rules.findIndex((rule) => rule.source === source);
      expect(index).toBeGreaterThan(common);
      expect(rules[index]?.headers).toEqual([{ key: "Referrer-Policy", value: "no-referrer" }]);
    }
  });

  it("recognises https as the proxy reports it, the way Next.js matches `has` (the whole value)", () => {
    const matches = (value: string) => new RegExp(`^${HSTS_FORWARDED_PROTO_PATTERN}$`).test(value);
    expect(matches("https")).toBe(true);
    expect(matches("https, http")).toBe(true);
    expect(matches("http")).toBe(false);
    expect(matches("http, https")).toBe(false);
    expect(matches("httpsx")).toBe(false);
  });

  it("grants the camera to our own pages only", () => {
    expect(PERMISSIONS_POLICY.split(", ")).toContain("camera=(self)");
    expect(PERMISSIONS_POLICY).not.toMatch(/\*/);
  });
});
