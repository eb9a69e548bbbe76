import { createHash, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { connections, dispatches, documents, dossiers, portals } from "@/db/schema";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";

// Minimal rows for tests that need a tenant, a dossier or a document and nothing else.

let companyBase = 5_000_000;

export async function insertPortal(db: DbOrTx, name = "Test office") {
  const [row] = await db.insert(portals).values({ name }).returning();
  if (!row) throw new Error("portal not inserted");
  return row;
}

export async function insertDossier(db: DbOrTx, portalId: string, values: { companyNumber?: string } = {}) {
  const companyNumber = values.companyNumber ?? companyNumberFromBase(companyBase++);
  const [row] = await db
    .insert(dossiers)
    .values({ portalId, name: `Dossier ${companyNumber}`, companyNumber })
    .returning();
  if (!row) throw new Error("dossier not inserted");
  return row;
}

export async function insertConnection(db: DbOrTx, portalId: string, values: { packageId?: string } = {}) {
  const [row] = await db
    .insert(connections)
    .values({ portalId, packageId: values.packageId ?? "exact-online", channel: "api", label: "Exact Online" })
    .returning();
  if (!row) throw new Error("connection not inserted");
  return row;
}

export async function insertDocument(db: DbOrTx, dossier: { id: string; portalId: string }) {
  const id = randomUUID();
  const [row] = await db
    .insert(documents)
    .values({
      id,
      portalId: dossier.portalId,
      dossierId: dossier.id,
      source: "upload",
      fileName: `${id}.pdf`,
      mimeType: "application/pdf",
      sizeBytes: 1234,
      // A file of its own: the same file twice in one dossier is refused.
      sha256: createHash("sha256").update(id).digest("hex"),
      storageKey: `test/${id}.pdf`,
      documentType: "purchase_invoice",
    })
    .returning();
  if (!row) throw new Error("document not inserted");
  return row;
}

export function dispatchValues(
  document: { id: string; portalId: string; dossierId: string },
  status: "queued" | "running" | "succeeded" | "failed" = "queued",
): typeof dispatches.$inferInsert {
  return {
    portalId: document.portalId,
    dossierId: document.dossierId,
    documentId: document.id,
    trigger: "manual",
    status,
  };
}

/**
 * What an attempt copies from its dispatch and document (the writers in lib copy them in the
 * statement that inserts the attempt), for tests that insert attempts directly.
 */
export async function attemptCopiesOf(db: DbOrTx, dispatchId: string) {
  const [row] = await db
    .select({
      dossierId: dispatches.dossierId,
      fileName: documents.fileName,
      requestedByUserId: dispatches.requestedByUserId,
    })
    .from(dispatches)
    .leftJoin(documents, and(eq(documents.id, dispatches.documentId), eq(documents.portalId, dispatches.portalId)))
    .where(eq(dispatches.id, dispatchId));
  if (!row) throw new Error(`no dispatch ${dispatchId}`);
  return row;
}

/** The PostgreSQL error code (SQLSTATE) and constraint of a failed query, through drizzle's wrapping. */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string } {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return {
        code: candidate.code,
        constraint: typeof candidate.constraint === "string" ? candidate.constraint : undefined,
      };
    }
    current = candidate.cause;
  }
  return {};
}

/** Awaits a query that must fail and returns its PostgreSQL error. */
export async function expectPgError(query: PromiseLike<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await query;
  } catch (error) {
    return pgErrorOf(error);
  }
  throw new Error("expected the query to fail");
}

export const UNIQUE_VIOLATION = "23505";
export const CHECK_VIOLATION = "23514";
export const FOREIGN_KEY_VIOLATION = "23503";
/**
 * ON DELETE RESTRICT refusing to delete a referenced row: PostgreSQL 15 reports a plain
 * foreign_key_violation, newer servers (PGlite's) the dedicated restrict_violation.
 */
export const RESTRICT_VIOLATIONS = ["23503", "23001"];
