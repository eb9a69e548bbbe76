/**
 * A local FTP server for trying FTP delivery end to end: `npm run demo:ftp`, next to `npm run dev`.
 *
 * - ftp://127.0.0.1:2121, user `demo`, password `demo`, plain FTP (no TLS: local only);
 * - passive data ports 30000–30009 on 127.0.0.1;
 * - files land in `.data/ftp/` (or `$KOPPEL_DATA_DIR/ftp/`), so you can watch them arrive.
 *
 * In Koppel, add (or edit) an FTP connection with host 127.0.0.1, port 2121, user demo,
 * security "plain" and password demo. `next dev` allows loopback FTP hosts by default; a
 * production build needs KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1. See the README, "FTP delivery locally".
 *
 * ftp-srv is a devDependency: this is a development tool, never part of the app.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { FtpSrv } from "ftp-srv";
import { describeEnvProblems, envSchema } from "../lib/env-schema";

const HOST = "127.0.0.1";
// Only its own variables: a wrong app setting must not stop the demo server.
const parsed = envSchema.pick({ DEMO_FTP_PORT: true, KOPPEL_DATA_DIR: true }).safeParse(process.env);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => ({ variable: issue.path.join("."), problem: issue.message }));
  console.error(`[demo-ftp] ${describeEnvProblems(problems)}`);
  process.exit(1);
}
const config = parsed.data;
const PORT = config.DEMO_FTP_PORT;
const USER = "demo";
const PASSWORD = "demo";
const root = path.resolve(config.KOPPEL_DATA_DIR ?? ".data", "ftp");
mkdirSync(root, { recursive: true });

const quiet = () => {};
const log: Record<string, unknown> = { trace: quiet, debug: quiet, info: quiet, warn: quiet, fatal: quiet };
log.error = (...args: unknown[]) => console.error("[demo-ftp]", ...args.filter((arg) => typeof arg === "string"));
log.child = () => log;

const server = new FtpSrv({
  url: `ftp://${HOST}:${PORT}`,
  pasv_url: HOST,
  pasv_min: 30_000,
  pasv_max: 30_009,
  anonymous: false,
  greeting: "Koppel demo FTP server",
  log,
});

server.on("login", ({ connection, username, password }, resolve, reject) => {
  if (username !== USER || password !== PASSWORD) {
    console.log(`[demo-ftp] refused login for "${username}"`);
    reject(new Error("Login incorrect"));
    return;
  }
  connection.on("RNTO", (error: Error | null, to: string) => {
    if (!error && !path.posix.basename(to).startsWith(".koppel-probe-")) console.log(`[demo-ftp] received ${to}`);
  });
  resolve({ root, cwd: "/" });
});
server.on("client-error", ({ error }: { error: Error }) => console.error("[demo-ftp] client error:", error.message));

await server.listen();
console.log(`[demo-ftp] ftp://${USER}:${PASSWORD}@${HOST}:${PORT}  →  ${root}`);
console.log(
  `[demo-ftp] In Koppel: host ${HOST}, port ${PORT}, user demo, password demo, security plain. Ctrl+C stops.`,
);
