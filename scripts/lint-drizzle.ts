// `npm run lint` (after biome): fails when a drizzle update/delete has no .where( in its chain.
// The rule itself is in lint-drizzle-rules.ts (unit-tested); this walks the source folders.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  DOCUMENT_LIFE_MODULE,
  findDocumentWrites,
  findUnscopedMutations,
  tableNamesFromSchema,
} from "./lint-drizzle-rules";

const ROOT = process.cwd();
const FOLDERS = ["app", "components", "db", "inngest", "lib", "scripts"];
const SKIP = new Set(["node_modules", "migrations"]);

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry) || entry.startsWith(".")) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx)$/.test(entry) && !entry.endsWith(".d.ts")) yield full;
  }
}

const schemaDir = path.join(ROOT, "db", "schema");
const tableNames = readdirSync(schemaDir)
  .filter((file) => file.endsWith(".ts"))
  .flatMap((file) => tableNamesFromSchema(readFileSync(path.join(schemaDir, file), "utf8")));

let fileCount = 0;
const offences: string[] = [];
const documentWrites: string[] = [];
for (const folder of FOLDERS) {
  const dir = path.join(ROOT, folder);
  if (!existsSync(dir)) continue;
  for (const file of sourceFiles(dir)) {
    fileCount++;
    const source = readFileSync(file, "utf8");
    const relative = path.relative(ROOT, file).split(path.sep).join("/");
    if (relative !== DOCUMENT_LIFE_MODULE) {
      for (const found of findDocumentWrites(source)) {
        documentWrites.push(`${relative}:${found.line}:${found.column}  ${found.snippet}`);
      }
    }
    for (const found of findUnscopedMutations(source, { tableNames })) {
      offences.push(
        `${path.relative(ROOT, file)}:${found.line}:${found.column}  ${found.method} without .where(: ${found.snippet}`,
      );
    }
  }
}

if (documentWrites.length > 0) {
  console.error(`lint-drizzle: ${documentWrites.length} writes of documents outside ${DOCUMENT_LIFE_MODULE}:`);
  for (const write of documentWrites) console.error(`  ${write}`);
  console.error(
    "Documents change only through the document life (its rules and events go with every change): add or use a transition there.",
  );
}
if (offences.length > 0) {
  console.error(`lint-drizzle: ${offences.length} update/delete without .where( (conventions §7):`);
  for (const offence of offences) console.error(`  ${offence}`);
  console.error("Add a where, or `// lint-drizzle-ignore: <reason>` when the chain gets it elsewhere.");
}
if (offences.length > 0 || documentWrites.length > 0) process.exit(1);
console.log(
  `lint-drizzle: ${fileCount} files, no update/delete without .where(, documents written only by ${DOCUMENT_LIFE_MODULE}`,
);
