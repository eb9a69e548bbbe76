import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

/** One temp dir per run for the migrated PGlite template (tests/helpers/db.ts fills it lazily). */
export default function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide("pgliteTemplateDir", "");
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "koppel-pglite-"));
  project.provide("pgliteTemplateDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
