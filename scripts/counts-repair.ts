// `npm run counts:repair [-- --check]`: recounts every dossier's documents per status and archived
// and compares with the kept counts the tabs and the overview show (document_counts, kept by the
// database's triggers: lib/documents/counts.ts). Prints each difference; without --check it also
// corrects them, in the same snapshot, so the counts are right from then on. A difference means
// someone changed document_counts by hand or switched the triggers off (a restore with
// session_replication_role = replica does): exits 1 when one was found, so a scheduled check alerts.
// On PGlite stop `npm run dev` first (one process per data dir).
import { openDb } from "@/db";
import { recountDocumentCounts } from "@/lib/documents/counts";
import { env } from "@/lib/env";

const repair = !process.argv.includes("--check");
const { db, driver, close } = await openDb({ url: env().DATABASE_URL });
try {
  const { states, differences } = await recountDocumentCounts(db, { repair });
  for (const d of differences) {
    console.error(
      `[koppel] dossier ${d.dossierId} (office ${d.portalId}), ${d.status}${d.isArchived ? ", archived" : ""}: ` +
        `kept ${d.kept}, counted ${d.actual}${repair ? " — corrected" : ""}`,
    );
  }
  console.log(
    `[koppel] document counts (${driver}): ${states} states checked, ${differences.length} ${differences.length === 1 ? "difference" : "differences"}${repair && differences.length > 0 ? " corrected" : ""}`,
  );
  if (differences.length > 0) process.exitCode = 1;
} finally {
  await close();
}
