import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { dossiers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { resetKeyringCache } from "@/lib/crypto/secrets";
import type { DossierScope } from "@/lib/dossiers/get";
import { resetEnvCache } from "@/lib/env";
import type { LocalDiskFileStore } from "@/lib/storage/local-disk";

/** What the bench cases that deliver through the app's dispatch share (ftp-bulk, exact-rate). */

export type Rows<T> = { rows: T[] };

export async function createDossier(
  db: Db,
  portalId: string,
  name: string,
  companyNumber: string,
): Promise<DossierScope> {
  const [row] = await db.insert(dossiers).values({ portalId, name, companyNumber }).returning({ id: dossiers.id });
  if (!row) throw new Error("dossier not created");
  return { portalId, dossierId: row.id };
}

/**
 * The environment the app's deliveries need in this process: loopback FTP hosts and custom API
 * hosts allowed (the fakes run on 127.0.0.1), an encryption key of its own (nothing read from or
 * written to .data), the in-process job driver (no Inngest), and `getDb()` answering with the
 * bench's database.
 */
export function prepareBenchEnvironment(db: Db, close: () => Promise<void>): void {
  process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS = "1";
  process.env.KOPPEL_ALLOW_CUSTOM_API_HOSTS = "1";
  process.env.APP_ENCRYPTION_KEY = `v1:${randomBytes(32).toString("base64")}`;
  delete process.env.APP_ENCRYPTION_KEYS_PREVIOUS;
  for (const key of ["INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"]) delete process.env[key];
  resetEnvCache();
  resetKeyringCache();
  globalThis.__koppelDb = Promise.resolve({ db, driver: "pglite", close });
}

/** An accountant of the portal, as lib/auth builds the actor from the memberships. */
export async function createBenchAccountant(db: Db, portalId: string, caseName: string): Promise<Actor> {
  const [user] = await db
    .insert(users)
    .values({ email: `bench-${caseName}@koppel.example`, name: `Bench accountant (${caseName})` })
    .returning({ id: users.id });
  if (!user) throw new Error("user not created");
  return { kind: "user", userId: user.id, portalRoles: { [portalId]: "accountant" }, dossiers: {} };
}

/**
 * `count` recognised inbox documents of mixed types (purchase, sales, receipt, other, credit
 * note) in the dossier, each with a PDF-like file of about `sizeBytes` in the store. With
 * `isRecognised: false` they are uploads still awaiting recognition (no type, no fields).
 * `firstNumber` (default 1) numbers them on from an earlier call in the same dossier.
 */
export async function insertDocumentsWithFiles(
  db: Db,
  store: LocalDiskFileStore,
  scope: DossierScope,
  options: { count: number; namePrefix: string; sizeBytes: number; isRecognised?: boolean; firstNumber?: number },
): Promise<{ id: string; storageKey: string }[]> {
  const isRecognised = options.isRecognised ?? true;
  const first = options.firstNumber ?? 1;
  const inserted = (await db.execute(sql`
    insert into documents (portal_id, dossier_id, source, file_name, mime_type, size_bytes, sha256, storage_key, -- lint-documents-ignore: benchmark fixtures
      document_type, recognised_fields, status)
    select ${scope.portalId}::uuid, ${scope.dossierId}::uuid, 'upload', ${options.namePrefix} || g || '.pdf', 'application/pdf',
      ${options.sizeBytes} + g, md5(g::text) || md5(g::text), ${`${scope.portalId}/${scope.dossierId}/`} || g,
      case when ${isRecognised} then (array['purchase_invoice', 'sales_invoice', 'receipt', 'other', 'purchase_credit_note'])[1 + g % 5]::document_type end,
      case when ${isRecognised} then jsonb_build_object('supplierName', 'Supplier ' || (g % 97), 'invoiceNumber', 'F-' || g,
        'invoiceDate', '2025-03-' || lpad((1 + g % 28)::text, 2, '0')) else '{}'::jsonb end, 'inbox'
    from generate_series(${first}::int, ${first + options.count - 1}::int) as g
    returning id, storage_key, size_bytes`)) as unknown as Rows<{
    id: string;
    storage_key: string;
    size_bytes: number;
  }>;
  for (const row of inserted.rows) {
    const content = new Uint8Array(Number(row.size_bytes));
    content.set(new TextEncoder().encode(`%PDF-1.4\n% ${row.id}\n`));
    for (let i = 64; i < content.length; i++) content[i] = (i * 31 + content.length) % 251;
    await store.put(row.storage_key, content, { contentType: "application/pdf" });
  }
  return inserted.rows.map((row) => ({ id: row.id, storageKey: row.storage_key }));
}
