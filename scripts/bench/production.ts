import { type ChildProcess, execSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * What the benches against the production build share (pages, sustained, auto-send-latency): the
 * build, a `next start` process on a database, and a PostgreSQL database of their own.
 */

/** Runs `next build` when .next holds no build (like `npm run test:e2e`, scripts/ensure-build.mjs). */
export function ensureBuild(log: (message: string) => void): void {
  if (existsSync(".next/BUILD_ID")) return;
  log("no production build in .next: running next build");
  execSync("npx next build", { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

export type NextServer = { child: ChildProcess; port: number; baseUrl: string; stop(): Promise<void> };

/**
 * `next start` on 127.0.0.1:`port` with a clean environment plus `env` (DATABASE_URL, AUTH_SECRET,
 * APP_ENCRYPTION_KEY, KOPPEL_DATA_DIR, …); resolves once it answers a page. `nodeArgs` (e.g.
 * `--cpu-prof`) go to the server's Node.
 */
export async function startNextServer(options: {
  port: number;
  env: Record<string, string>;
  label?: string;
  nodeArgs?: string[];
}): Promise<NextServer> {
  const { port } = options;
  const nextBin = path.join("node_modules", "next", "dist", "bin", "next");
  const args = [...(options.nodeArgs ?? []), nextBin, "start", "-p", String(port), "-H", "127.0.0.1"];
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_URL: `http://127.0.0.1:${port}`,
      KOPPEL_SIGNUP: "off",
      PORT: String(port),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const label = options.label ?? "next";
  child.stdout?.on("data", () => {});
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk}`));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/sign-in`);
      await response.arrayBuffer();
      if (response.status < 500) return { child, port, baseUrl, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error("next start did not answer within 90 s");
}

export type BenchDatabase = { name: string; url: string; drop(): Promise<void> };

/**
 * A database of its own on the local server (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres), named `<prefix>_<pid>`; `drop` removes it (forced).
 */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const adminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `${prefix}_${process.pid}`;
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw error;
  }
  return {
    name,
    url,
    async drop() {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** CPU time (user + system, ms) a process and its descendants used so far, from /proc (Linux). */
export function processTreeCpuMs(pid: number): number {
  const ticksPerSecond = 100;
  let total = 0;
  const visit = (id: number) => {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, "utf8").trim();
        for (const child of children ? children.split(" ") : []) visit(Number(child));
      }
    } catch {
      // Gone meanwhile.
    }
  };
  visit(pid);
  return total;
}
