import { expect, saveScreenshot, test } from "./fixtures";

/**
 * The API reference at /docs/api: public (no sign-in), Swagger UI from our own build rendering
 * /api/v1/openapi.json, every operation shown, nothing loaded from another host and nothing the
 * page's Content-Security-Policy refuses.
 */
type OpenApiPaths = Record<string, Record<string, { operationId: string; tags: string[] }>>;

test("the API reference shows every operation, loads only from this host and passes its CSP", async ({
  page,
  request,
  baseURL,
}, testInfo) => {
  // Every operation of the served document must be on the page (anonymous, like the page itself).
  const openapi = await request.get("/api/v1/openapi.json");
  expect(openapi.status()).toBe(200);
  const operations = Object.values(((await openapi.json()) as { paths: OpenApiPaths }).paths).flatMap((methods) =>
    Object.values(methods),
  );
  expect(operations.length).toBeGreaterThan(0);

  const problems: string[] = [];
  const origins = new Set<string>();
  page.on("console", (message) => {
    if (message.type() === "error" || /Content.Security.Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:") origins.add(url.origin);
  });

  const response = await page.goto("/docs/api");
  expect(response?.status()).toBe(200);
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
  expect(new URL(page.url()).pathname).toBe("/docs/api");

  await expect(page.getByRole("heading", { name: /Koppel API/ })).toBeVisible();
  // Swagger UI's ids: operations-<tag with spaces as _>-<operationId>.
  for (const operation of operations) {
    await expect(
      page.locator(`#operations-${operation.tags[0]?.replace(/ /g, "_")}-${operation.operationId}`),
    ).toBeVisible();
  }
  await page.locator(`#operations-Dossiers-listDossiers .opblock-summary-control`).click();
  await expect(page.getByText("nextCursor").first()).toBeVisible();

  expect(problems).toEqual([]);
  expect([...origins]).toEqual([new URL(baseURL ?? "").origin]);
  await saveScreenshot(page, testInfo, "api-reference");
});

test("the reference's assets are an allow-list", async ({ request }) => {
  expect((await request.get("/docs/api/assets/swagger-ui-bundle.js")).status()).toBe(200);
  expect((await request.get("/docs/api/assets/package.json")).status()).toBe(404);
  expect((await request.get("/docs/api/assets/..%2F..%2Fpackage.json")).status()).toBe(404);
});
