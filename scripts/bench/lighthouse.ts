/**
 * Case `lighthouse` — Lighthouse (mobile: its default config, simulated throttling) against the
 * production build on the demo data (scripts/bench/demo-server.ts), in Debian's Chromium with no
 * network of its own, RUNS times per page:
 *
 * - `sign-in`: the public sign-in page (anonymous);
 * - `dossier`: the entrepreneur's dossier page (her documents), signed in as the entrepreneur;
 * - `overview`: the portal overview, signed in as the accountant.
 *
 * Prints per page `bench lighthouse-<page> perf=<median> lcp_ms=<median> runs=5` and the spread of
 * the runs (the score moves ±2 between runs on a shared machine: hence the median).
 *
 * Lighthouse is pinned at 12.2.3: 13 needs Node 22, and npm ci here refuses a lock made with
 * 12.3 to 13.4.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import { CHROMIUM_FLAGS, CHROMIUM_PATH, startDemoServer } from "./demo-server";

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

export async function benchLighthouse(): Promise<void> {
  const demo = await startDemoServer();
  try {
    const entrepreneur = await demo.signIn("entrepreneur");
    const accountant = await demo.signIn("accountant");
    const pages: { name: string; path: string; cookie: string | null }[] = [
      { name: "sign-in", path: "/sign-in", cookie: null },
      { name: "dossier", path: entrepreneur.landing, cookie: entrepreneur.cookie },
      { name: "overview", path: accountant.landing, cookie: accountant.cookie },
    ];
    for (const page of pages) {
      const scores: number[] = [];
      const lcps: number[] = [];
      const chromium = await launchChromium();
      try {
        for (let run = 0; run < RUNS; run++) {
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
          scores.push(Math.round((lhr.categories.performance?.score ?? 0) * 100));
          lcps.push(Math.round(lhr.audits["largest-contentful-paint"]?.numericValue ?? Number.NaN));
          if (run === RUNS - 1) {
            const dom = lhr.audits["dom-size"]?.numericValue;
            const tbt = lhr.audits["total-blocking-time"]?.numericValue;
            const unusedJs = lhr.audits["unused-javascript"]?.details;
            const unusedJsBytes =
              unusedJs && "overallSavingsBytes" in unusedJs ? Number(unusedJs.overallSavingsBytes ?? 0) : 0;
            console.log(
              `  ${page.name} (last run): dom=${dom} tbt_ms=${Math.round(tbt ?? 0)} unused_js_kb=${Math.round(unusedJsBytes / 1024)}`,
            );
          }
        }
      } finally {
        await chromium.stop();
      }
      console.log(
        `bench lighthouse-${page.name} perf=${median(scores)} lcp_ms=${median(lcps)} runs=${RUNS} scores=${scores.join(",")} lcps=${lcps.join(",")}`,
      );
    }
  } finally {
    await demo.stop();
  }
}
