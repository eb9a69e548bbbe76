import { execSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import pg from "pg";
import { NextInstance, processTree, productionEnv } from "../lib/next-instance";

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

/** A running `next start` of the build, as the benches use it. */
export type NextServer = { instance: NextInstance; pid: number; port: number; baseUrl: string; stop(): Promise<void> };

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
  const instance = new NextInstance(
    port,
    { ...productionEnv(port), KOPPEL_SIGNUP: "off", PORT: String(port), ...options.env },
    { label: options.label ?? "next" },
    options.nodeArgs,
  );
  await instance.start();
  return { instance, pid: instance.pid ?? 0, port, baseUrl: instance.url, stop: () => instance.stop() };
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
  return processTree(pid).reduce((total, id) => {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return total + ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
    } catch {
      return total; // Gone meanwhile.
    }
  }, 0);
}
