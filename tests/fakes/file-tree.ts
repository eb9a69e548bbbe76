import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * What the in-process file servers (ftp-server.ts, sftp-server.ts) share about the folder they
 * serve: the files as clients see them, and the read-only prefixes tests set.
 */

/** Every file under `root`, as client paths ("/a/b.pdf"), sorted. */
export function listClientFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const clientPath = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), clientPath);
      else out.push(clientPath);
    }
  };
  walk(root, "");
  return out.sort();
}

/** Whether a client path is one of the prefixes or inside one ("/readonly" covers "/readonly/x"). */
export function isUnder(clientPath: string, prefixes: Set<string>): boolean {
  for (const prefix of prefixes) {
    const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    if (clientPath === base || clientPath.startsWith(`${base}/`)) return true;
  }
  return false;
}
