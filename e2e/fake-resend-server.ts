// Runs the fake Resend API for the end-to-end run (playwright.config.ts starts it before the app).
import { FAKE_RESEND_PORT, startFakeResendServer } from "./fake-resend";

const port = Number(process.env.FAKE_RESEND_PORT ?? FAKE_RESEND_PORT);
const server = await startFakeResendServer(port);
console.log(`[fake-resend] listening on http://127.0.0.1:${port}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
