import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { loadavg } from "node:os";
import { expect, type Page, test } from "@playwright/test";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { APP_PORT } from "./e2e-env";
import { USERS } from "./fixtures";

// A production server of its own (fresh, so its peak memory says what an upload cost), as a
// signed-in entrepreneur:
// - ten near-maximum files (19 MB each, 190 MB in all) uploaded at once are accepted, and the peak
//   resident memory (VmHWM of every process of `next start`) grows by less than 64 MB: each file
//   streams to the store, none is held whole (before uploads were streamed it grew by the bytes sent
//   and more);
// - 600 MB sent as a chunked body (no Content-Length) is refused with 413 after reading one
//   upload's worth, and the peak grows by less than 64 MB (before the fix it grew by 1.2 GB).
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

/**
 * Starts each process's peak afresh at its present size (writing 5 to /proc/<pid>/clear_refs), so
 * one test's peak does not hide the next one's. Where the kernel refuses, the peak stays as it was
 * and a growth can only read smaller: the limits below still hold or fail as they should for the
 * first test of the file.
 */
function resetPeaks(root: number): void {
  for (const pid of processTree(root)) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch (error) {
      console.log(`[upload-memory] could not reset the peak of ${pid}: ${String(error)}`);
    }
  }
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

/** Signs in as the demo entrepreneur: the cookie and Origin an upload sends, and the dossier's id. */
async function signIn(page: Page): Promise<{ headers: Record<string, string>; dossierId: string }> {
  await page.goto(`${ORIGIN}/sign-in`);
  await page.getByRole("button", { name: new RegExp(USERS.entrepreneur.email.replace(/\./g, "\\.")) }).click();
  await page.waitForURL(/\/dossiers\/[0-9a-f-]{36}/);
  const dossierId = /\/dossiers\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? "";
  const cookie = (await page.context().cookies(ORIGIN)).map(({ name, value }) => `${name}=${value}`).join("; ");
  return { headers: { cookie, origin: ORIGIN }, dossierId };
}

/** Loads the route's code and stores one real upload, so the peak read next is the upload's own. */
async function warmUp(dossierId: string, headers: Record<string, string>, title: string): Promise<void> {
  const form = new FormData();
  form.append("file", new File([Buffer.from(buildSamplePdf({ title }))], `${title}.pdf`));
  const answer = await fetch(`${ORIGIN}/api/dossiers/${dossierId}/documents`, { method: "POST", body: form, headers });
  expect(answer.status).toBe(201);
}

/** How much each process's peak grew since `before`, in MB, printed with the machine's load. */
function growthSince(before: Map<number, number>, pid: number, label: string): number[] {
  const after = peakMemory(pid);
  const growths = [...after].map(([child, peak]) => ({ pid: child, growthMb: (peak - (before.get(child) ?? 0)) / MB }));
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  console.log(`[upload-memory] ${label}: peak memory growth per process ${JSON.stringify(growths)} (load ${load})`);
  return growths.map(({ growthMb }) => growthMb);
}

/** A PDF-looking file of `bytes` bytes, different for each `seed` (the same file twice is a duplicate). */
function nearMaxFile(bytes: number, seed: number): File {
  const content = Buffer.alloc(bytes, 0x20 + (seed % 90));
  content.write(`%PDF-1.7\n% upload ${seed} ${Date.now()}\n`, 0, "latin1");
  return new File([content], `groot-${seed}.pdf`, { type: "application/pdf" });
}

test("ten near-maximum uploads at once are stored without the server holding them", async ({ page }) => {
  test.setTimeout(240_000);
  const { headers, dossierId } = await signIn(page);
  await warmUp(dossierId, headers, "warm-up-accepted");

  const UPLOADS = 10;
  const FILE_BYTES = 19 * MB;
  const forms = Array.from({ length: UPLOADS }, (_, seed) => {
    const form = new FormData();
    form.append("file", nearMaxFile(FILE_BYTES, seed));
    return form;
  });
  const pid = server?.pid as number;
  resetPeaks(pid);
  const before = peakMemory(pid);
  const answers = await Promise.all(
    forms.map((body) => fetch(`${ORIGIN}/api/dossiers/${dossierId}/documents`, { method: "POST", body, headers })),
  );
  const bodies = await Promise.all(answers.map((answer) => answer.json() as Promise<{ results: { ok: boolean }[] }>));
  expect(answers.map((answer) => answer.status)).toEqual(Array(UPLOADS).fill(201));
  expect(bodies.every((body) => body.results[0]?.ok === true)).toBe(true);

  const growths = growthSince(
    before,
    pid,
    `${UPLOADS} × ${FILE_BYTES / MB} MB accepted at once (${(UPLOADS * FILE_BYTES) / MB} MB sent)`,
  );
  for (const growthMb of growths) expect(growthMb).toBeLessThan(64);
});

test("a 600 MB chunked upload is refused at the limit without the server holding it", async ({ page }) => {
  test.setTimeout(180_000);
  const { headers, dossierId } = await signIn(page);
  await warmUp(dossierId, headers, "warm-up");

  const pid = server?.pid as number;
  resetPeaks(pid);
  const before = peakMemory(pid);
  const status = await postChunked(
    `/api/dossiers/${dossierId}/documents`,
    { ...headers, "content-type": "multipart/form-data; boundary=x", "transfer-encoding": "chunked" },
    600 * MB,
  );
  expect(status).toBe(413);
  // The server is still there and answers.
  expect((await fetch(`${ORIGIN}/sign-in`)).status).toBe(200);

  for (const growthMb of growthSince(before, pid, "600 MB chunked, refused")) expect(growthMb).toBeLessThan(64);
});
