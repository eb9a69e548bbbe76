import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { APP_PORT } from "./e2e-env";
import { USERS } from "./fixtures";

// A production server of its own (fresh, so its peak memory says what this upload cost): a signed-in
// entrepreneur sends 600 MB as a chunked body (no Content-Length) to the upload route. The server
// must refuse it with 413 after reading one upload's worth, and its peak resident memory (VmHWM of
// every process of `next start`) must grow by less than 64 MB. Before the fix it grew by 1.2 GB.
const PORT = APP_PORT + 23;
const ORIGIN = `http://localhost:${PORT}`;
const DATA_DIR = ".data/e2e-upload-memory";
const MB = 1024 * 1024;

let server: ChildProcess | undefined;

test.beforeAll(async () => {
  rmSync(DATA_DIR, { recursive: true, force: true });
  server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
    cwd: process.cwd(),
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      KOPPEL_DEMO: "1",
      KOPPEL_DATA_DIR: DATA_DIR,
      AUTH_URL: ORIGIN,
    },
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${ORIGIN}/sign-in`).then(
      (answer) => answer.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`next start on ${PORT} did not answer within 60 s`);
});

test.afterAll(() => {
  if (server?.pid) process.kill(-server.pid, "SIGKILL");
  rmSync(DATA_DIR, { recursive: true, force: true });
});

/** The server's process and its descendants (`next start` may run the server in a child). */
function processTree(root: number): number[] {
  const pids = [root];
  for (let index = 0; index < pids.length; index += 1) {
    const pid = pids[index] as number;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    }
  }
  return pids;
}

/** Peak resident memory (VmHWM) in bytes of each process of the tree. */
function peakMemory(root: number): Map<number, number> {
  const peaks = new Map<number, number>();
  for (const pid of processTree(root)) {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (match) peaks.set(pid, Number(match[1]) * 1024);
  }
  return peaks;
}

/** Sends `totalBytes` chunked (no Content-Length) and resolves with the status, whatever the server does to the rest. */
function postChunked(path: string, headers: Record<string, string>, totalBytes: number): Promise<number> {
  const chunk = Buffer.alloc(MB, 0x41);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${ORIGIN}${path}`, { method: "POST", headers }, (answer) => {
      answer.resume();
      resolve(answer.statusCode ?? 0);
      outgoing.destroy();
    });
    outgoing.on("error", (error) => reject(error));
    outgoing.write(`--x\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n\r\n%PDF-1.7\n`);
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes && !outgoing.destroyed) {
        sent += chunk.byteLength;
        if (!outgoing.write(chunk)) return void outgoing.once("drain", pump);
      }
      if (!outgoing.destroyed) outgoing.end("\r\n--x--\r\n");
    };
    pump();
  });
}

test("a 600 MB chunked upload is refused at the limit without the server holding it", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(`${ORIGIN}/sign-in`);
  await page.getByRole("button", { name: new RegExp(USERS.entrepreneur.email.replace(/\./g, "\\.")) }).click();
  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}/);
  const dossierId = /\/dossiers\/([0-9a-f-]{36})/.exec(page.url())?.[1];
  const cookie = (await page.context().cookies(ORIGIN)).map(({ name, value }) => `${name}=${value}`).join("; ");
  const headers = { cookie, origin: ORIGIN };

  // Warm up the route (its code loaded, one real upload stored) before the peak is read.
  const form = new FormData();
  form.append("file", new File([Buffer.from(buildSamplePdf({ title: "warm-up" }))], "warm-up.pdf"));
  const warmUp = await fetch(`${ORIGIN}/api/dossiers/${dossierId}/documents`, { method: "POST", body: form, headers });
  expect(warmUp.status).toBe(201);

  const pid = server?.pid as number;
  const before = peakMemory(pid);
  const status = await postChunked(
    `/api/dossiers/${dossierId}/documents`,
    { ...headers, "content-type": "multipart/form-data; boundary=x", "transfer-encoding": "chunked" },
    600 * MB,
  );
  expect(status).toBe(413);
  // The server is still there and answers.
  expect((await fetch(`${ORIGIN}/sign-in`)).status).toBe(200);

  const after = peakMemory(pid);
  const growths = [...after].map(([child, peak]) => ({ pid: child, growthMb: (peak - (before.get(child) ?? 0)) / MB }));
  console.log(`[upload-memory] peak memory growth per process: ${JSON.stringify(growths)}`);
  for (const { growthMb } of growths) expect(growthMb).toBeLessThan(64);
});
