import "server-only";
import { sql } from "drizzle-orm";
import { isDemoEnabled } from "@/lib/env";
import { getDb } from ".";
import { portals } from "./schema";
import { seedDemo } from "./seed";

/** Applies migrations (getDb does) and seeds the demo portal into an empty demo database. */
export async function prepareDatabaseOnStart(): Promise<void> {
  const db = await getDb();
  if (!isDemoEnabled()) return;
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(portals);
  if ((row?.count ?? 0) === 0) {
    await seedDemo(db);
    console.log("[koppel] seeded the demo portal into the empty database");
  }
}
