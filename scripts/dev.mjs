// `npm run dev`: the Next.js dev server plus, unless KOPPEL_DEMO_FTP=0, the local demo FTP server
// (scripts/demo-ftp.ts, ftp://demo:demo@127.0.0.1:2121 into .data/ftp) that the seeded Expert/M
// connection delivers to, so FTP delivery works end to end on a fresh clone.
import { spawn } from "node:child_process";

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1" };
const next = spawn("npx", ["next", "dev", ...process.argv.slice(2)], { stdio: "inherit", env });
const helpers = [];
if (process.env.KOPPEL_DEMO_FTP !== "0") {
  const ftp = spawn("npx", ["tsx", "scripts/demo-ftp.ts"], { stdio: "inherit", env });
  // The app runs without it (e.g. port 2121 taken): FTP sends then fail with a clear reason.
  ftp.on("exit", (code) => {
    if (code) console.error(`[dev] demo FTP server stopped (exit ${code}); the app keeps running`);
  });
  helpers.push(ftp);
}

const stop = (signal) => {
  for (const child of [next, ...helpers]) if (child.exitCode === null) child.kill(signal);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
next.on("exit", (code) => {
  stop("SIGTERM");
  process.exit(code ?? 0);
});
