import { readFileSync } from "node:fs";
import path from "node:path";
import { listServerActions } from "../tests/helpers/server-actions";
import { expect, test } from "./fixtures";

// The cross-office test (tests/integration/cross-office/server-actions.test.ts) calls every server
// action it finds in the source. The build is what runs: every action in its manifest must be one
// the source list has, so none escapes that test.
test("every server action of the build is one the cross-office test calls", async () => {
  const manifest = JSON.parse(
    readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as { node: Record<string, { filename: string; exportedName: string }>; edge: Record<string, unknown> };
  const built = Object.values(manifest.node).map(
    (entry) => `${entry.filename.replace(/^app\//, "")}#${entry.exportedName}`,
  );
  expect(built.length).toBeGreaterThan(0);
  expect(Object.keys(manifest.edge)).toEqual([]);
  expect([...new Set(built)].sort()).toEqual(listServerActions());
});
