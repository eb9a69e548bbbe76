import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { PERMISSIONS_POLICY, STRICT_TRANSPORT_SECURITY } from "@/lib/security/headers";
import { expect, saveScreenshot, signInAs, test } from "./fixtures";

/**
 * The security headers (lib/security/headers.ts) as the built app sends them: the pages' nonce
 * policy, the headers every response carries, HSTS behind an https proxy, a document file's own
 * policy, and what the policy refuses (a script slipped into a page, a foreign site framing us).
 * Every other spec checks, through the fixture, that no page breaks the policy.
 */

const NONCE = /'nonce-([A-Za-z0-9+/]+={0,2})'/;

function expectEveryResponseHeaders(headers: Record<string, string>) {
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["permissions-policy"]).toBe(PERMISSIONS_POLICY);
  expect(headers["permissions-policy"]).toContain("camera=(self)");
  // Over plain http, as the e2e server runs: no HSTS (see the https test below).
  expect(headers["strict-transport-security"]).toBeUndefined();
}

test("a page gets its own nonce on each request, and Next.js puts it on its scripts", async ({ request }) => {
  const nonces: string[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await request.get("/sign-in");
    expect(response.status()).toBe(200);
    const headers = response.headers();
    expectEveryResponseHeaders(headers);
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    const policy = headers["content-security-policy"] ?? "";
    for (const directive of [
      "script-src 'self' 'nonce-",
      "'strict-dynamic'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "default-src 'self'",
    ]) {
      expect(policy).toContain(directive);
    }
    // A production build: no eval, and no inline script or <style> without the nonce.
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).not.toMatch(/(script|style)-src [^;]*'unsafe-inline'/);
    const nonce = NONCE.exec(policy)?.[1] ?? "";
    expect(nonce.length).toBeGreaterThanOrEqual(22);
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    nonces.push(nonce);
  }
  expect(nonces[0]).not.toBe(nonces[1]);
});

test("responses that are not pages carry the common headers: API JSON, the static manifest, a public file", async ({
  request,
}) => {
  const api = await request.get("/api/v1/openapi.json");
  expect(api.status()).toBe(200);
  expect(api.headers()["content-type"]).toContain("application/json");
  expectEveryResponseHeaders(api.headers());
  expect(api.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // No page, no page policy: proxy.ts does not see api/.
  expect(api.headers()["content-security-policy"]).toBeUndefined();

  // The app's one static route (the build prerenders it; see the next test).
  for (const file of ["/manifest.webmanifest", "/icons/icon.svg"]) {
    const response = await request.get(file);
    expect(response.status()).toBe(200);
    expectEveryResponseHeaders(response.headers());
    expect(response.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  }
});

test("behind an https proxy (X-Forwarded-Proto: https) every response carries HSTS", async ({ request }) => {
  for (const url of ["/sign-in", "/api/v1/openapi.json", "/manifest.webmanifest"]) {
    const response = await request.get(url, { headers: { "x-forwarded-proto": "https" } });
    expect(response.status()).toBe(200);
    expect(response.headers()["strict-transport-security"]).toBe(STRICT_TRANSPORT_SECURITY);
  }
});

test("a script slipped into a page does not run; the page's own scripts do", async ({ page, cspViolations }) => {
  // As stored HTML injection would: an inline script without the nonce, and an event handler.
  await page.route("**/sign-in", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(
      "</body>",
      '<script>window.__injected = "script"</script><img src="/icons/icon.svg" onload="window.__injected = \'handler\'"></body>',
    );
    await route.fulfill({ response, body: html });
  });
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // Next.js's runtime ran (it sets window.next), so the nonce reached its scripts.
  await expect.poll(() => page.evaluate(() => typeof (window as { next?: unknown }).next)).toBe("object");
  expect(await page.evaluate(() => (window as { __injected?: string }).__injected)).toBeUndefined();
  await expect
    .poll(() => cspViolations.filter((text) => text.includes("[csp-violation] script-src")).length)
    .toBeGreaterThanOrEqual(2);
  // Provoked here on purpose: not a failure of the page.
  cspViolations.splice(0);
});

test("another site cannot frame a page", async ({ page, baseURL }) => {
  await page.route("http://framer.example/", (route) =>
    route.fulfill({ contentType: "text/html", body: `<iframe src="${baseURL}/sign-in"></iframe>` }),
  );
  await page.goto("http://framer.example/");
  // Chromium shows its error page in the frame instead of ours (frame-ancestors 'none').
  await expect.poll(() => page.frames().map((frame) => frame.url())).toContain("chrome-error://chromewebdata/");
  expect(page.frames().some((frame) => frame.url().startsWith(`${baseURL}/`))).toBe(false);
});

test("a document's file has its own policy, and the document page frames its PDF", async ({ page }, testInfo) => {
  await signInAs(page, "entrepreneur");
  const dossierPath = new URL(page.url()).pathname;
  const origin = new URL(page.url()).origin;
  const created = await page.request.post(`/api${dossierPath}/documents`, {
    headers: { origin },
    multipart: {
      file: {
        name: "csp.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(buildSamplePdf({ title: `CSP ${testInfo.project.name} ${Date.now()}` })),
      },
    },
  });
  expect(created.status()).toBe(201);
  const documentId = (await created.json()).results[0].document.id as string;

  const file = await page.request.get(`/api/documents/${documentId}/file`);
  expect(file.status()).toBe(200);
  expectEveryResponseHeaders(file.headers());
  // The route's own values win over the common ones: sandboxed, framed by our pages only, and
  // no referrer at all from inside a document.
  expect(file.headers()["content-security-policy"]).toBe("sandbox; frame-ancestors 'self'");
  expect(file.headers()["referrer-policy"]).toBe("no-referrer");

  // Phones show a link instead of the frame.
  if (testInfo.project.name === "desktop") {
    const framed = page.waitForResponse((response) => response.url().endsWith(`/api/documents/${documentId}/file`));
    await page.goto(`${dossierPath}/documents/${documentId}`);
    expect((await framed).status()).toBe(200);
    const frame = page.locator(`iframe[src="/api/documents/${documentId}/file"]`);
    await expect(frame).toBeVisible();
    // Loaded in the frame, not refused: the frame's document is the file.
    await expect
      .poll(() => page.frames().some((f) => f.url().endsWith(`/api/documents/${documentId}/file`)))
      .toBe(true);
    await page.waitForTimeout(1500);
    await saveScreenshot(page, testInfo, "document-pdf-frame");
  }
});
