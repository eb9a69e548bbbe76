import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { API_OPERATIONS } from "@/lib/api/operations";

/**
 * The generated OpenAPI document passes Redocly's recommended rules (redocly.yaml) with neither
 * an error nor a warning. Redocly's CLI runs from node_modules, offline: telemetry and the update
 * notice are off, and nothing it needs is fetched.
 */
const ROOT = path.resolve(__dirname, "../../../..");
const REDOCLY = path.join(ROOT, "node_modules/.bin/redocly");
const dir = mkdtempSync(path.join(tmpdir(), "koppel-openapi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type LintReport = { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };

async function lint(document: unknown, name: string): Promise<LintReport> {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2));
  const { stdout } = await promisify(execFile)(
    REDOCLY,
    ["lint", file, "--config", path.join(ROOT, "redocly.yaml"), "--format=json"],
    {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
      timeout: 60_000,
    },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return JSON.parse(stdout.slice(stdout.indexOf("{"))) as LintReport;
}

describe("the OpenAPI document", () => {
  it("passes Redocly's recommended rules without an error or a warning", async () => {
    const report = await lint(buildOpenApiDocument(API_OPERATIONS), "openapi");
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("would fail the lint with a problem in it (the check can fail)", async () => {
    const document = structuredClone(buildOpenApiDocument(API_OPERATIONS)) as unknown as {
      tags?: { name: string; description?: string }[];
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    for (const tag of document.tags ?? []) delete tag.description;
    const [first] = Object.values(document.paths);
    const [operation] = Object.values(first ?? {});
    if (operation) delete operation.operationId;
    const report = await lint(document, "broken");
    const rules = report.problems.map((problem) => problem.ruleId);
    expect(rules).toContain("tag-description");
    expect(rules).toContain("operation-operationId");
  });
});
