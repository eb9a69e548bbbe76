// Imports the module named on the command line in a fresh process and prints, as JSON, the
// project files (relative paths) that importing it loaded. See tests/helpers/module-graph/index.ts.
import path from "node:path";
import { fileURLToPath } from "node:url";

declare global {
  var __loadedModuleUrls: () => Promise<string[]>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
await import(process.argv[2] as string);
const files = (await globalThis.__loadedModuleUrls())
  .filter((url) => url.startsWith("file:"))
  .map((url) => path.relative(root, fileURLToPath(url)))
  .filter((file) => !file.startsWith("..") && !file.startsWith("node_modules") && !file.startsWith("tests/"));
process.stdout.write(JSON.stringify(files));
