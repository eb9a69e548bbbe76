import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");

/**
 * The project files (paths from the repository root, node_modules left out) that importing
 * `specifier` evaluates, measured in a fresh Node process (tsx, with the react-server condition as
 * the app's scripts run), so nothing an earlier test imported counts.
 */
export async function projectFilesLoadedBy(specifier: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      "--import",
      path.join(here, "register.mjs"),
      path.join(here, "probe.ts"),
      specifier,
    ],
    { cwd: root, env: { ...process.env, NODE_OPTIONS: "" } },
  );
  return JSON.parse(stdout) as string[];
}
