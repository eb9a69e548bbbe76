import { FAKE_RESEND_URL } from "./fake-resend";

/** The app's port in the end-to-end run (E2E_APP_PORT lets a second run share the machine). */
export const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);

/** Signs recognition deliveries in the end-to-end run; the app gets it as RECOGNITION_WEBHOOK_SECRET. */
export const E2E_RECOGNITION_SECRET = "e2e-recognition-webhook-secret-0123456789abcdef";

/** Mail goes to the fake Resend (e2e/fake-resend.ts), where the tests read it. */
export const E2E_RESEND = { apiKey: "re_test", baseUrl: FAKE_RESEND_URL } as const;
