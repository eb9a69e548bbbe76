import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { envSchema } from "@/lib/env-schema";

// Reads the production build once (the phone project leaves this file out, playwright.config.ts).

test("every page is rendered per request, so every page can have a nonce", () => {
  // A prerendered page would be served with the proxy's nonce policy but without the nonce on its
  // scripts, and would not run. The build prerenders only these: the manifest (JSON) and Next's
  // last-resort 500 page (the root error page, copied to 500.html), which stays readable without
  // script (docs/architecture.md, "Security headers"). And the help's search index per language
  // (JSON built from the articles at build time, app/help/search-index/[lang]/route.ts): no page.
  const distDir = envSchema.pick({ NEXT_DIST_DIR: true }).parse(process.env).NEXT_DIST_DIR ?? ".next";
  const manifest = JSON.parse(readFileSync(path.join(distDir, "prerender-manifest.json"), "utf8")) as {
    routes: Record<string, unknown>;
    dynamicRoutes: Record<string, unknown>;
  };
  expect(Object.keys(manifest.routes).sort()).toEqual([
    "/_global-error",
    "/favicon.ico",
    "/help/search-index/en",
    "/help/search-index/fr",
    "/help/search-index/nl",
    "/manifest.webmanifest",
  ]);
  expect(Object.keys(manifest.dynamicRoutes)).toEqual(["/help/search-index/[lang]"]);
});
