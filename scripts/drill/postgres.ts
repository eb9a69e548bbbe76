import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A PostgreSQL server of the drill's own: initdb into a temporary folder, on a free port, so the
 * drill may stop, start and restart it as it likes. Binaries from /usr/lib/postgresql/<newest>/bin.
 * PostgreSQL refuses to run as root: when the drill runs as root it runs them as `postgres`.
 */
export type DrillPostgres = {
  url: string;
  port: number;
  start(): void;
  stop(): void;
  restart(): void;
  destroy(): void;
};

function binDir(): string {
  const versions = readdirSync("/usr/lib/postgresql")
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("no PostgreSQL under /usr/lib/postgresql");
  return path.join("/usr/lib/postgresql", versions[0], "bin");
}

export function createDrillPostgres(port: number): DrillPostgres {
  const bin = binDir();
  const isRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), "koppel-drill-pg-"));
  const data = path.join(dir, "data");
  const log = path.join(dir, "server.log");
  if (isRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) =>
    execFileSync(
      isRoot ? "runuser" : path.join(bin, tool),
      isRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args,
      {
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 120_000,
      },
    );
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  writeFileSync(
    path.join(data, "postgresql.auto.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "fsync = off",
      "synchronous_commit = off",
      "max_connections = 100",
    ].join("\n"),
  );
  const pgCtl = (...args: string[]) => run("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", ...args]);
  let isRunning = false;
  const server: DrillPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start() {
      pgCtl("start");
      isRunning = true;
    },
    stop() {
      pgCtl("stop", "-m", "fast");
      isRunning = false;
    },
    restart() {
      pgCtl("restart", "-m", "fast");
      isRunning = true;
    },
    destroy() {
      if (isRunning) {
        try {
          server.stop();
        } catch {
          // Gone already.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
