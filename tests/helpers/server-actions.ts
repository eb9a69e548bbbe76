import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Every server action of the app, read from the source: each exported async function of a module
 * that starts with "use server", as "<module path under app/>#<name>". The cross-office tests
 * enumerate them, so a new action without a row fails the run; the e2e suite checks that the
 * build's server-reference manifest holds no action this list misses.
 */
export function listServerActions(root = path.join(process.cwd(), "app")): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|tsx)$/.test(entry)) {
        const source = readFileSync(full, "utf8");
        if (!/^\s*["']use server["'];?/.test(source)) continue;
        for (const match of source.matchAll(/export\s+async\s+function\s+(\w+)/g)) {
          found.push(`${path.relative(root, full).split(path.sep).join("/")}#${match[1]}`);
        }
      }
    }
  };
  walk(root);
  return found.sort();
}
