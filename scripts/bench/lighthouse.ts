/**
 * Case `lighthouse` — Lighthouse (mobile: its default config, simulated throttling) against the
 * production build on the demo data (scripts/bench/demo-server.ts), in Debian's Chromium with no
 * network of its own, RUNS times per page:
 *
 * - `sign-in`: the public sign-in page (anonymous);
 * - `dossier`: the entrepreneur's dossier page (her documents), signed in as the entrepreneur;
 * - `overview`: the portal overview, signed in as the accountant.
 *
 * Prints per page `bench lighthouse-<page> perf=<median> lcp_ms=<median> js_kb=<median> load=<…>`
 * (the JavaScript transferred, and the 1-minute load average before each run: Lantern, the
 * simulation, derives its times from the observed run, so a busy machine inflates them), the
 * runs' scores and LCPs, and per run what the figures are made of (describeRun): bytes by kind,
 * unused JavaScript, DOM size, each metric's score, what had loaded before the observed paint and
 * the long main-thread tasks. `--pages=sign-in,dossier` measures only those; `--lighthouse-dir=<folder>`
 * keeps every report. The score moves between runs on a shared machine: hence the median.
 *
 * Lighthouse is pinned at 12.2.3: 13 needs Node 22, and npm ci here refuses a lock made with
 * 12.3 to 13.4.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import { CHROMIUM_FLAGS, CHROMIUM_PATH, type DemoServer, startDemoServer } from "./demo-server";

const RUNS = 5;

type Chromium = { port: number; stop(): Promise<void> };

/** A Chromium of its own for Lighthouse to drive over the DevTools protocol. */
async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(path.join(tmpdir(), "koppel-lighthouse-"));
  const child: ChildProcess = spawn(
    CHROMIUM_PATH,
    [...CHROMIUM_FLAGS, "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${output}`)), 30_000);
    child.stderr?.on("data", (chunk) => {
      output += String(chunk);
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}):\n${output}`));
    });
  });
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The load average over the last minute, with one decimal: beside every figure (the machine is shared). */
const load = () => loadavg()[0]?.toFixed(1) ?? "?";

type Lhr = NonNullable<Awaited<ReturnType<typeof lighthouse>>>["lhr"];

const numeric = (lhr: Lhr, audit: string) => Math.round(lhr.audits[audit]?.numericValue ?? Number.NaN);

/** The rows of an audit's table details (or of the tables inside its list details). */
function tableItems(lhr: Lhr, audit: string, table = 0): Record<string, unknown>[] {
  const details = lhr.audits[audit]?.details as
    | { type: string; items?: ({ type?: string; items?: Record<string, unknown>[] } & Record<string, unknown>)[] }
    | undefined;
  if (!details?.items) return [];
  if (details.type === "list") return details.items[table]?.items ?? [];
  return details.items;
}

const kb = (bytes: number) => Math.round(bytes / 1024);

/**
 * What a run's figures are made of. Sizes do not depend on the machine's load: what the
 * JavaScript, CSS, HTML and font weigh on the wire, what of the JavaScript goes unused, the DOM.
 * The rest does, and says where Lantern's estimates come from. Lantern replays the observed run
 * on a simulated phone network: its LCP counts every request that had finished before the page
 * was observed to paint, and every script that had started running by then, so a run where the
 * scripts arrived from the (busy) local server before the first paint pays for all of them
 * (`before_paint`); its TBT replays the observed main-thread tasks four times slower, so a task
 * of 13 ms observed already blocks (`long_tasks`, observed ms).
 *
 * Lighthouse's own LCP-element, LCP-breakdown and render-blocking audits fail with Chromium 156
 * (Lighthouse 12.2.3's trace engine reads a frame field the newer trace no longer has): the LCP
 * element is found in the page instead (lcpElementOf), and the phases are read from the run: time
 * to first byte, then the observed paint.
 */
function describeRun(lhr: Lhr): string[] {
  const requests = tableItems(lhr, "network-requests");
  const sumKb = (items: Record<string, unknown>[]) =>
    kb(items.reduce((sum, request) => sum + Number(request.transferSize ?? 0), 0));
  const ofType = (type: string) => requests.filter((request) => request.resourceType === type);
  const scripts = ofType("Script");
  const unusedJs = lhr.audits["unused-javascript"]?.details as { overallSavingsBytes?: number } | undefined;
  const observed = tableItems(lhr, "metrics")[0] ?? {};
  const paintMs = Math.round(Number(observed.observedLargestContentfulPaint ?? Number.NaN));
  const beforePaint = requests.filter(
    (request) => Number(request.networkEndTime ?? Number.POSITIVE_INFINITY) <= paintMs,
  );
  const beforePaintByType = ["Document", "Stylesheet", "Font", "Script"]
    .map((type) => `${type.toLowerCase()}=${sumKb(beforePaint.filter((request) => request.resourceType === type))}KB`)
    .join(",");
  const longTasks = tableItems(lhr, "main-thread-tasks")
    .map((task) => Math.round(Number(task.duration ?? 0)))
    .filter((duration) => duration * 4 > 50);
  // Each metric's value and score (0–100): the performance score is their weighted sum.
  const metric = (audit: string, name: string) =>
    `${name}=${audit === "cumulative-layout-shift" ? (lhr.audits[audit]?.numericValue ?? 0).toFixed(3) : numeric(lhr, audit)}/${Math.round((lhr.audits[audit]?.score ?? 0) * 100)}`;
  const metrics = [
    metric("first-contentful-paint", "fcp"),
    metric("largest-contentful-paint", "lcp"),
    metric("total-blocking-time", "tbt"),
    metric("cumulative-layout-shift", "cls"),
    metric("speed-index", "si"),
  ].join(" ");
  return [
    `js_kb=${sumKb(scripts)} (${scripts.length} scripts) css_kb=${sumKb(ofType("Stylesheet"))} html_kb=${sumKb(ofType("Document"))} font_kb=${sumKb(ofType("Font"))} total_kb=${kb(numeric(lhr, "total-byte-weight"))} unused_js_kb=${kb(unusedJs?.overallSavingsBytes ?? 0)} dom=${numeric(lhr, "dom-size")}`,
    `metrics (value/score) ${metrics}`,
    `observed ttfb_ms=${numeric(lhr, "server-response-time")} paint_ms=${paintMs} before_paint ${beforePaintByType} (${beforePaint.filter((request) => request.resourceType === "Script").length}/${scripts.length} scripts)`,
    `main_thread_ms=${numeric(lhr, "mainthread-work-breakdown")} bootup_ms=${numeric(lhr, "bootup-time")} long_tasks=[${longTasks.join(",")}] (observed ms; ×4 simulated, above 50 blocks)`,
  ];
}

/** The page's largest contentful paint element on Lighthouse's phone screen, as the browser reports it. */
async function lcpElementOf(demo: DemoServer, pagePath: string, cookie: string | null): Promise<string> {
  const context = await demo.browser.newContext({
    baseURL: demo.baseUrl,
    locale: "nl-BE",
    viewport: { width: 412, height: 823 },
    deviceScaleFactor: 1.75,
    isMobile: true,
    extraHTTPHeaders: cookie ? { cookie } : {},
  });
  try {
    const page = await context.newPage();
    await page.goto(pagePath, { waitUntil: "load" });
    return await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          new PerformanceObserver((list) => {
            const entry = list.getEntries().at(-1) as (PerformanceEntry & { element?: Element | null }) | undefined;
            const element = entry?.element;
            const text = (element?.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
            resolve(
              element ? `<${element.tagName.toLowerCase()}> "${text}" at ${Math.round(entry.startTime)} ms` : "none",
            );
          }).observe({ type: "largest-contentful-paint", buffered: true });
        }),
    );
  } finally {
    await context.close();
  }
}

export async function benchLighthouse(): Promise<void> {
  // `--lighthouse-dir=<folder>` keeps every run's report (JSON) there, to read the audits.
  const reportDir = process.argv.find((arg) => arg.startsWith("--lighthouse-dir="))?.slice("--lighthouse-dir=".length);
  // `--pages=sign-in,dossier` measures only those pages.
  const only = process.argv
    .find((arg) => arg.startsWith("--pages="))
    ?.slice("--pages=".length)
    .split(",");
  const demo = await startDemoServer();
  try {
    const entrepreneur = await demo.signIn("entrepreneur");
    const accountant = await demo.signIn("accountant");
    const pages: { name: string; path: string; cookie: string | null }[] = [
      { name: "sign-in", path: "/sign-in", cookie: null },
      { name: "dossier", path: entrepreneur.landing, cookie: entrepreneur.cookie },
      { name: "overview", path: accountant.landing, cookie: accountant.cookie },
    ].filter((page) => !only || only.includes(page.name));
    for (const page of pages) {
      console.log(`  ${page.name} lcp_element=${await lcpElementOf(demo, page.path, page.cookie)}`);
      const scores: number[] = [];
      const lcps: number[] = [];
      const jsKbs: number[] = [];
      const loads: string[] = [];
      const chromium = await launchChromium();
      try {
        for (let run = 0; run < RUNS; run++) {
          loads.push(load());
          const result = await lighthouse(`${demo.baseUrl}${page.path}`, {
            port: chromium.port,
            output: "json",
            logLevel: "error",
            onlyCategories: ["performance"],
            extraHeaders: page.cookie
              ? { Cookie: page.cookie, "Accept-Language": "nl-BE" }
              : { "Accept-Language": "nl-BE" },
          });
          const lhr = result?.lhr;
          if (!lhr) throw new Error(`no Lighthouse result for ${page.path}`);
          if (lhr.runtimeError) throw new Error(`${page.path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
          if (lhr.finalDisplayedUrl && new URL(lhr.finalDisplayedUrl).pathname !== page.path) {
            throw new Error(`${page.path} ended on ${lhr.finalDisplayedUrl} (not signed in?)`);
          }
          if (reportDir) writeFileSync(path.join(reportDir, `${page.name}-${run + 1}.json`), JSON.stringify(lhr));
          const score = Math.round((lhr.categories.performance?.score ?? 0) * 100);
          scores.push(score);
          lcps.push(numeric(lhr, "largest-contentful-paint"));
          jsKbs.push(
            kb(
              tableItems(lhr, "network-requests")
                .filter((request) => request.resourceType === "Script")
                .reduce((sum, request) => sum + Number(request.transferSize ?? 0), 0),
            ),
          );
          console.log(`  ${page.name} run ${run + 1}: perf=${score} load=${loads[run]}`);
          for (const line of describeRun(lhr)) console.log(`    ${line}`);
        }
      } finally {
        await chromium.stop();
      }
      console.log(
        `bench lighthouse-${page.name} perf=${median(scores)} lcp_ms=${median(lcps)} js_kb=${median(jsKbs)} load=${loads.join(",")} runs=${RUNS} scores=${scores.join(",")} lcps=${lcps.join(",")}`,
      );
    }
  } finally {
    await demo.stop();
  }
}
