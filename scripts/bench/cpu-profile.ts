/**
 * Where a server's CPU time went, from a V8 .cpuprofile (what `node --cpu-prof` writes): the
 * busy time per request by part of the stack, and the functions with the most self time. Used by
 * `npm run bench -- pages --cpu-prof=<dir>`; also on its own:
 * `npx tsx scripts/bench/cpu-profile.ts <file.cpuprofile> <requests>`.
 *
 * Native frames (socket writes, zlib, crypto) count for the nearest JavaScript frame that called
 * them, so they land in the part that caused them. "(program)" is V8 outside any JavaScript frame
 * (inline caches, the compilers' main-thread work); the compilers' and the concurrent marker's own
 * threads are not in the profile at all, so the busy time here is below the process's CPU time.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Parts of the stack, first match wins; by the script's URL (Next's bundles keep the package in it). */
const PARTS: { name: string; url: RegExp }[] = [
  { name: "React/Next rendering", url: /next-server\/app-(page|route)-turbo/ },
  { name: "next-intl", url: /(next-intl|use-intl|intl-messageformat|@formatjs)/ },
  { name: "Auth.js", url: /(next-auth|@auth|jose|@panva|node:internal\/crypto)/ },
  { name: "drizzle + pg", url: /(drizzle-orm|node_modules\/pg|pg-protocol|pg-pool)/ },
  { name: "Next server", url: /next\/dist\// },
  { name: "Node (sockets, streams, zlib, async hooks)", url: /^node:/ },
];

export type CpuSummary = { busyMs: number; parts: [string, number][]; functions: [string, number][] };

export function summarizeCpuProfile(profile: CpuProfile, requests: number, top = 15): CpuSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    busyMs += ms;
    let owner: number | undefined = id;
    while (owner !== undefined && !byId.get(owner)?.callFrame.url) owner = parentOf.get(owner);
    const url = owner === undefined ? "" : (byId.get(owner)?.callFrame.url ?? "");
    const part =
      url === ""
        ? frame.functionName
        : (PARTS.find((candidate) => candidate.url.test(url))?.name ?? "app and other bundles");
    add(parts, part, ms);
    add(
      functions,
      `${frame.functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${frame.lineNumber}`,
      ms,
    );
  }
  const perRequest = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]): [string, number] => [key, ms / requests]);
  return { busyMs: busyMs / requests, parts: perRequest(parts), functions: perRequest(functions) };
}

export function printCpuSummary(label: string, summary: CpuSummary): void {
  const ms = (value: number) => value.toFixed(1);
  console.log(
    `bench cpu-profile-${label} busy_ms=${ms(summary.busyMs)} ${summary.parts.map(([part, value]) => `${part}=${ms(value)}`).join(" | ")}`,
  );
  for (const [name, value] of summary.functions) console.log(`  ${ms(value).padStart(6)} ms  ${name}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file, requests] = process.argv.slice(2);
  if (!file) throw new Error("usage: cpu-profile.ts <file.cpuprofile> [requests]");
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  printCpuSummary("file", summarizeCpuProfile(profile, Number(requests ?? 1)));
}
