// `npm run db:seed`: rebuilds the demo data. Stop `npm run dev` first when on PGlite, which
// one process at a time may open.
import { openDb } from "@/db";
import { clearDatabase, seedDemo } from "@/db/seed";
import { env } from "@/lib/env";

const { db, driver, close } = await openDb({ url: env().DATABASE_URL });
await db.transaction(async (tx) => {
  await clearDatabase(tx);
  await seedDemo(tx);
});
console.log(`[koppel] demo data rebuilt (${driver})`);
await close();
