import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
/** Folders that hold no sources of ours: dependencies and what builds and test runs leave behind (.gitignore). */
const NOT_OURS = new Set(["node_modules", "test-results", "playwright-report", "coverage"]);

function subfolders(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && !NOT_OURS.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** The README's layout block: "name/   description" lines, continuation lines indented, as a map. */
function layoutBlock(): Map<string, string> {
  const block = /^```\n(app\/\s[\s\S]*?)^```/m.exec(README)?.[1];
  if (!block) throw new Error("README has no layout block (a fenced block listing app/, lib/, …)");
  const entries = new Map<string, string>();
  let current = "";
  for (const line of block.split("\n")) {
    const entry = /^([a-z][\w-]*)\/\s+(.*)$/.exec(line);
    if (entry?.[1]) {
      current = entry[1];
      entries.set(current, entry[2] ?? "");
    } else if (current && line.trim()) {
      entries.set(current, `${entries.get(current) ?? ""} ${line.trim()}`);
    }
  }
  return entries;
}

describe("the README's layout block", () => {
  it("lists exactly the repository's top-level folders", () => {
    expect([...layoutBlock().keys()].sort()).toEqual(subfolders(""));
  });

  it("names exactly lib's folders on the lib/ line", () => {
    const named = (layoutBlock().get("lib") ?? "")
      .split(/[,\s]+/)
      .filter(Boolean)
      .sort();
    expect(named).toEqual(subfolders("lib"));
  });

  it("names only routes that exist on the app/ line", () => {
    const routes = (layoutBlock().get("app") ?? "").replace(/^routes:\s*/, "").split(/,\s*/);
    expect(routes.length).toBeGreaterThan(3);
    for (const route of routes) expect(existsSync(path.join(ROOT, "app", route.trim())), route).toBe(true);
  });
});

describe("the README's links", () => {
  it("point inside the repository: architecture in docs/architecture.md, nothing in ../", () => {
    expect(README).not.toMatch(/\.\.\/shared|\]\(\.\.\//);
    expect(README).toContain("(docs/architecture.md)");
    expect(existsSync(path.join(ROOT, "docs", "architecture.md"))).toBe(true);
    for (const [, target] of README.matchAll(/\]\(((?:docs|lib)\/[^)#]+)\)/g)) {
      expect(existsSync(path.join(ROOT, target ?? "")), target).toBe(true);
    }
  });
});

describe("the README's job list", () => {
  it("names every job in lib/jobs/definitions, and only those", () => {
    const ids = readdirSync(path.join(ROOT, "lib/jobs/definitions"))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => /id: "([a-z-]+)"/.exec(readFileSync(path.join(ROOT, "lib/jobs/definitions", file), "utf8"))?.[1])
      .sort();
    const start = README.indexOf("Jobs (`lib/jobs/definitions/`");
    const end = README.indexOf("Without any of these the jobs run inside the app process.");
    expect(start).toBeGreaterThan(0);
    const section = README.slice(start, end);
    const listed = [...section.matchAll(/`([a-z-]+)`/g)]
      .map((match) => match[1])
      .filter((name) => name !== undefined && ids.includes(name));
    expect([...new Set(listed)].sort()).toEqual(ids);
    const bulletIds = [...section.matchAll(/^- `([a-z-]+)`/gm)].map((match) => match[1]);
    for (const id of bulletIds) expect(ids, `README lists a job "${id}" that is not defined`).toContain(id);
  });
});

describe("the recognition examples", () => {
  it("sign the installation-wide endpoint with RECOGNITION_WEBHOOK_SECRET, the variable's real name", () => {
    const text = readFileSync(path.join(ROOT, "docs/api/recognition-webhook.md"), "utf8");
    expect(text).toContain("RECOGNITION_WEBHOOK_SECRET");
    expect(text).not.toContain("KOPPEL_WEBHOOK_SECRET");
  });

  // The office's page signs with the office's own key, which is not the operator's variable: its
  // example keeps the key in a shell variable of another name (tests/unit/lib/i18n/no-env-names.test.ts
  // holds every message free of our variables' names).
  it.each([
    "app/(app)/portals/[portalId]/settings/webhook/page.tsx",
    "lib/i18n/messages/nl/recognition.json",
    "lib/i18n/messages/fr/recognition.json",
    "lib/i18n/messages/en/recognition.json",
  ])("sign an office's endpoint with the office's key, never the operator's variable: %s", (file) => {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    expect(text).toContain("KOPPEL_OFFICE_SECRET");
    expect(text).not.toContain("RECOGNITION_WEBHOOK_SECRET");
  });
});
