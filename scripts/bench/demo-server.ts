import { type ChildProcess, execSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { envSchema } from "@/lib/env-schema";

/**
 * What the page-weight cases (`html`, `lighthouse`) share: the production build started on the
 * demo data in a fresh data folder of its own (KOPPEL_DEMO=1 seeds it on start, as in the e2e run:
 * an office of 12 dossiers, a bulk dossier with 60 recognised documents in its Inbox, a second
 * office), and signed-in sessions of the demo users taken through the sign-in page's demo buttons.
 */

const env = envSchema.pick({ CHROMIUM_PATH: true, NEXT_DIST_DIR: true }).parse(process.env);

export const CHROMIUM_PATH = env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags every Chromium of the bench starts with: no network of its own, no GPU, no sandbox (root). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export type DemoUser = "admin" | "accountant" | "entrepreneur";

const DEMO_EMAILS: Record<DemoUser, string> = {
  admin: "an.admin@demo.koppel.example",
  accountant: "bram.accountant@demo.koppel.example",
  entrepreneur: "eva.ondernemer@demo.koppel.example",
};

/** The name of the demo's bulk dossier (db/seed.ts BULK_DEMO_DOSSIER): 60 documents in its Inbox. */
export const BULK_DOSSIER_NAME = "Drukkerij Van Damme BV";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type DemoServer = {
  baseUrl: string;
  browser: Browser;
  /** A signed-in session: the Cookie header and the page the user lands on after signing in. */
  signIn(user: DemoUser): Promise<{ cookie: string; landing: string }>;
  stop(): Promise<void>;
};

/** Builds first when there is no production build (like `npm run test:e2e`). */
function ensureBuild(): void {
  const distDir = env.NEXT_DIST_DIR ?? ".next";
  if (existsSync(path.join(distDir, "BUILD_ID"))) return;
  console.log(`no production build in ${distDir}: running next build`);
  execSync("npx next build", { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

export async function startDemoServer(): Promise<DemoServer> {
  ensureBuild();
  const port = await freePort();
  // Auth.js takes its base URL as localhost (Next rewrites 127.0.0.1): browse with localhost.
  const baseUrl = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-bench-web-"));
  const server: ChildProcess = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      KOPPEL_DEMO: "1",
      KOPPEL_DATA_DIR: dataDir,
      AUTH_URL: baseUrl,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  server.stdout?.on("data", (chunk) => {
    output += String(chunk);
  });
  server.stderr?.on("data", (chunk) => {
    output += String(chunk);
  });
  const stopServer = async () => {
    if (server.exitCode === null && server.pid) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  // The sign-in page answers once migrations and the demo seed are done (instrumentation).
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (server.exitCode !== null) {
      await stopServer();
      throw new Error(`next start exited (${server.exitCode}):\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/sign-in`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopServer();
      throw new Error(`next start did not answer within 120 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  return {
    baseUrl,
    browser,
    async signIn(user) {
      const context = await browser.newContext({ baseURL: baseUrl, locale: "nl-BE" });
      try {
        const page = await context.newPage();
        await page.goto("/sign-in");
        await page.getByRole("button", { name: new RegExp(DEMO_EMAILS[user].replace(/\./g, "\\.")) }).click();
        await page.waitForURL(/\/(portals|dossiers)\/[0-9a-f-]{36}/);
        const cookies = await context.cookies(baseUrl);
        return {
          cookie: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; "),
          landing: new URL(page.url()).pathname,
        };
      } finally {
        await context.close();
      }
    },
    async stop() {
      await browser.close();
      await stopServer();
    },
  };
}

/** The path of a link on a signed-in page, found by its accessible name. */
export async function findLink(
  demo: DemoServer,
  cookie: string,
  pagePath: string,
  name: RegExp | string,
): Promise<string> {
  const context = await demo.browser.newContext({ baseURL: demo.baseUrl, locale: "nl-BE" });
  try {
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const [cookieName = "", ...value] = pair.split("=");
        return { name: cookieName, value: value.join("="), url: demo.baseUrl };
      }),
    );
    const page = await context.newPage();
    await page.goto(pagePath);
    const href = await page.getByRole("link", { name }).first().getAttribute("href");
    if (!href) throw new Error(`no link ${String(name)} on ${pagePath}`);
    return new URL(href, demo.baseUrl).pathname + new URL(href, demo.baseUrl).search;
  } finally {
    await context.close();
  }
}
