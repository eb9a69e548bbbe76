import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";

/**
 * One production instance of the app: `next start` of the build in .next, in a process group of its
 * own so that kill -9 hits every process of it (`next start` may run the server in a child). Used by
 * the fault drill (scripts/drill/run.ts), the two-instance proofs in tests/integration and the
 * benches against the production build (scripts/bench/production.ts).
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The environment every production instance starts from: a clean one, not this process's. */
export function productionEnv(port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    AUTH_URL: `http://127.0.0.1:${port}`,
  };
}

/** Where an instance's output goes: a log file, or this process's stderr with a label per line. */
export type InstanceOutput = { logFile: string } | { label: string };

export class NextInstance {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: InstanceOutput,
    /** Flags for the server's own node (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  /** The id of the instance's first process (its group's leader), while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private get whereToLook(): string {
    return "logFile" in this.output ? `; see ${this.output.logFile}` : "";
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server and resolves once it answers a page (120 s at most). */
  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [...this.nodeArgs, "node_modules/next/dist/bin/next", "start", "-p", String(this.port), "-H", "127.0.0.1"],
      { env: this.env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    if ("logFile" in this.output) {
      const log = createWriteStream(this.output.logFile, { flags: "a" });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    } else {
      const { label } = this.output;
      child.stdout?.resume();
      child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk}`));
    }
    this.child = child;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (!this.isRunning) throw new Error(`the app exited while starting${this.whereToLook}`);
      try {
        const response = await fetch(`${this.url}/sign-in`, { redirect: "manual" });
        await response.body?.cancel();
        if (response.status < 500) return;
      } catch {
        // Not listening yet.
      }
      await sleep(250);
    }
    await this.stop();
    throw new Error(`the app did not start within 120 s${this.whereToLook}`);
  }

  /** kill -9 of the whole process group, as a crash or an OOM kill would end it. */
  killHard(): void {
    if (this.child?.pid) process.kill(-this.child.pid, "SIGKILL");
    this.child = undefined;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    this.child = undefined;
  }

  /**
   * Whether one of this instance's processes holds the TCP connection whose local end is
   * 127.0.0.1:`localPort` — the port a server saw as the client's (Linux /proc).
   */
  holdsConnectionFrom(localPort: number): boolean {
    const inodes = socketInodesOfLocalPort(localPort);
    if (inodes.size === 0 || !this.child?.pid) return false;
    return processTree(this.child.pid).some((pid) => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => {
          const target = safeReadlink(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target ?? "")?.[1];
          return inode !== undefined && inodes.has(inode);
        });
      } catch {
        return false;
      }
    });
  }
}

function safeReadlink(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

/** A process and its descendants (Linux /proc; just `root` where there is none). */
export function processTree(root: number): number[] {
  const pids = [root];
  for (let index = 0; index < pids.length; index += 1) {
    const pid = pids[index] as number;
    try {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Inodes of the TCP sockets (v4 and v6) whose local port is `port`. */
function socketInodesOfLocalPort(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (columns[1]?.endsWith(`:${hex}`) && columns[9]) inodes.add(columns[9]);
    }
  }
  return inodes;
}
