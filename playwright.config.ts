import { defineConfig, devices } from "@playwright/test";
import { APP_PORT, E2E_RECOGNITION_SECRET, E2E_RESEND } from "./e2e/e2e-env";
import { FAKE_RESEND_PORT, FAKE_RESEND_URL } from "./e2e/fake-resend";
import { envSchema } from "./lib/env-schema";

const PORT = APP_PORT;
const { CHROMIUM_PATH } = envSchema.pick({ CHROMIUM_PATH: true }).parse(process.env);

/**
 * End-to-end tests against the production build (`next build` first; `npm run test:e2e` does it
 * when no build exists) in Debian's Chromium. Each run starts from an empty embedded database that
 * the server seeds with the demo portal (KOPPEL_DEMO=1 turns the demo on in a production build).
 * Mail goes through a fake Resend API (e2e/fake-resend.ts), started first, where the tests read
 * sign-in links and delivered documents.
 */
export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "./test-results",
  use: {
    baseURL: `http://localhost:${PORT}`,
    // A Belgian browser; the sign-in page follows Accept-Language until a user picks a language.
    locale: "nl-BE",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    {
      name: "desktop",
      // The help's in-context links are checked at phone size only (the issue asks for a phone).
      testIgnore: ["help.spec.ts"],
      use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 } },
    },
    {
      name: "phone",
      // Specs that check the build or a script's flow, with no page layout to see: desktop runs them once.
      // invitations.spec.ts makes its own phone-size browser for the entrepreneur.
      testIgnore: [
        "env-check.spec.ts",
        "server-actions.spec.ts",
        "partner-api.spec.ts",
        "invitations.spec.ts",
        "client-messages.spec.ts",
        "build-output.spec.ts",
        "upload-memory.spec.ts",
        // The budget is of the HTML, which is the same on every screen (one table that CSS lays out
        // as cards on a phone), and the bulk dossier's Inbox is sent by e2e/sending.spec.ts on the
        // desktop run before the phone run would look at it.
        "page-weight.spec.ts",
        // Takes the help's screenshots in every language once, with its own phone browser.
        "help-screenshots.spec.ts",
      ],
      use: {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        userAgent: devices["Pixel 7"].userAgent,
      },
    },
  ],
  webServer: [
    {
      command: "npx tsx e2e/fake-resend-server.ts",
      url: `${FAKE_RESEND_URL}/__sent`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { FAKE_RESEND_PORT: String(FAKE_RESEND_PORT) },
    },
    {
      command: `rm -rf .data/e2e && npx next start -p ${PORT} -H 127.0.0.1`,
      url: `http://localhost:${PORT}/sign-in`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        NEXT_TELEMETRY_DISABLED: "1",
        KOPPEL_DEMO: "1",
        KOPPEL_DATA_DIR: ".data/e2e",
        AUTH_URL: `http://localhost:${PORT}`,
        RESEND_API_KEY: E2E_RESEND.apiKey,
        RESEND_BASE_URL: E2E_RESEND.baseUrl,
        RECOGNITION_WEBHOOK_SECRET: E2E_RECOGNITION_SECRET,
        // e2e/ftp.spec.ts runs its FTP server on 127.0.0.1.
        KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: "1",
        // e2e/api-integrations.spec.ts runs fakes of Exact Online and Yuki on 127.0.0.1.
        KOPPEL_ALLOW_CUSTOM_API_HOSTS: "1",
        // e2e/outage.spec.ts: an FTP server down then back; retry backoff and probes 50× faster
        // (30 s → 0.6 s, capped at 18 s; the 24-hour horizon → 29 minutes).
        KOPPEL_RETRY_TIME_SCALE: "0.02",
      },
    },
  ],
});
