import { readFileSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { MIGRATIONS_FOLDER } from "@/db";

// For the tests of one migration's data changes: the migrations run as plain SQL, in the
// journal's order, up to the one under test (migrateBefore), then the test writes the rows a
// database of that time held, then the migration itself (applyMigration).

const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};

/** Runs one migration file, statement by statement, as drizzle's migrator splits it. */
export async function applyMigration(db: PGlite, tag: string): Promise<void> {
  const text = readFileSync(path.join(MIGRATIONS_FOLDER, `${tag}.sql`), "utf8");
  for (const statement of text.split("--> statement-breakpoint")) {
    if (statement.trim()) await db.exec(statement);
  }
}

/** Runs every migration before `tag` (which must be in the journal, and not the first). */
export async function migrateBefore(db: PGlite, tag: string): Promise<void> {
  const tags = journal.entries.map((entry) => entry.tag);
  const index = tags.indexOf(tag);
  if (index < 1) throw new Error(`migration ${tag} is not in the journal after the first`);
  for (const earlier of tags.slice(0, index)) await applyMigration(db, earlier);
}

/** An office and its dossiers (named D0, D1, …) as a migration test's rows need them. */
export async function insertMigrationOffice(
  db: PGlite,
  portalId: string,
  dossierIds: readonly string[],
): Promise<void> {
  await db.query(`insert into portals (id, name) values ($1, 'Kantoor')`, [portalId]);
  for (const [d, dossier] of dossierIds.entries()) {
    await db.query(`insert into dossiers (id, portal_id, name, company_number) values ($1, $2, $3, $4)`, [
      dossier,
      portalId,
      `D${d}`,
      `040123456${d}`,
    ]);
  }
}
