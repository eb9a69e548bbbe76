import "server-only";
import { isDemoEnabled } from "@/lib/env";
import { getDb } from ".";
import { ensureDemoSeeded } from "./seed";

/** Applies migrations (getDb does) and, with the demo on, seeds it when missing or incomplete. */
export async function prepareDatabaseOnStart(): Promise<void> {
  const db = await getDb();
  if (!isDemoEnabled()) return;
  const outcome = await ensureDemoSeeded(db);
  if (outcome === "seeded") console.log("[koppel] seeded the demo portal into the empty database");
  if (outcome === "reseeded") console.log("[koppel] seeded the demo portal again over an incomplete earlier seed");
}
