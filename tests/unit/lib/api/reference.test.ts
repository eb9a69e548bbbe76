import { describe, expect, it } from "vitest";
import {
  isReferenceAssetName,
  REFERENCE_ASSETS,
  REFERENCE_CONTENT_SECURITY_POLICY,
  readReferenceAsset,
} from "@/lib/api/reference/assets";
import { referencePageHtml } from "@/lib/api/reference/page";
import { isPublicPath } from "@/lib/auth/auth.config";
import { translatorFor } from "@/lib/i18n/translator";

describe("the API reference page", () => {
  it("loads its scripts from files only, so the CSP needs no 'unsafe-inline'", () => {
    const html = referencePageHtml("en");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((match) => match[1]?.trim())).toEqual([
      'src="/docs/api/assets/swagger-ui-bundle.js"',
      'src="/docs/api/assets/init.js"',
    ]);
    expect(scripts.every((match) => match[2] === "")).toBe(true);
    expect(html).not.toMatch(/\sstyle=|<style|https?:\/\//);
    expect(REFERENCE_CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    expect(REFERENCE_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
  });

  it("says its own words in the reader's language", () => {
    for (const locale of ["nl", "fr", "en"] as const) {
      const title = translatorFor(locale)("common.apiReference.title").replace(/'/g, "&#39;");
      expect(referencePageHtml(locale)).toContain(`<title>${title}</title>`);
    }
  });

  it("serves only its allow-listed files, which exist", async () => {
    for (const name of ["../package.json", "package.json", "constructor", "__proto__", "swagger-ui.js"]) {
      expect(isReferenceAssetName(name), name).toBe(false);
    }
    for (const name of Object.keys(REFERENCE_ASSETS)) {
      expect(isReferenceAssetName(name)).toBe(true);
      expect((await readReferenceAsset(name as keyof typeof REFERENCE_ASSETS)).byteLength).toBeGreaterThan(100);
    }
  });

  it("is public, like the OpenAPI document, and nothing else under /docs is", () => {
    expect(isPublicPath("/docs/api")).toBe(true);
    expect(isPublicPath("/docs/api/assets/init.js")).toBe(true);
    expect(isPublicPath("/docs/apikeys")).toBe(false);
    expect(isPublicPath("/docs")).toBe(false);
  });
});
