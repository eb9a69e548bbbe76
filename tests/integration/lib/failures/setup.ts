import { createHash, randomUUID } from "node:crypto";
import type { DbOrTx } from "@/db";
import { documents } from "@/db/schema";
import { storedFailureGroupOf } from "@/lib/failures/groups";

type Status = NonNullable<(typeof documents.$inferInsert)["status"]>;

/**
 * Documents that ended failed or rejected (or anything else), written straight into the table:
 * the failure queue only reads them. One row per entry, in one insert; `updatedAt` orders the queue.
 */
export async function insertFailedDocuments(
  db: DbOrTx,
  dossier: { id: string; portalId: string },
  entries: {
    status?: Status;
    code?: string | null;
    reason?: string | null;
    fileName?: string;
    updatedAt?: Date;
    archivedAt?: Date | null;
  }[],
) {
  if (entries.length === 0) return [];
  const base = Date.now();
  return db
    .insert(documents)
    .values(
      entries.map((entry, index) => {
        const id = randomUUID();
        const status = entry.status ?? "failed";
        const lastErrorCode = entry.code === undefined ? (status === "failed" ? "timeout" : null) : entry.code;
        return {
          id,
          portalId: dossier.portalId,
          dossierId: dossier.id,
          source: "upload" as const,
          fileName: entry.fileName ?? `factuur-${id.slice(0, 8)}.pdf`,
          mimeType: "application/pdf",
          sizeBytes: 1234,
          // A file of its own: the same file twice in one dossier is refused.
          sha256: createHash("sha256").update(id).digest("hex"),
          storageKey: `test/${id}.pdf`,
          documentType: "purchase_invoice" as const,
          status,
          archivedAt: entry.archivedAt ?? null,
          lastErrorCode,
          // What lib/documents/life.ts stores where it records a failure.
          failureGroup:
            status === "failed" || status === "rejected" ? storedFailureGroupOf(status, lastErrorCode) : null,
          lastErrorReason:
            entry.reason === undefined ? (entry.code ? `connectors.errors.${entry.code}` : null) : entry.reason,
          // Distinct, decreasing times unless given: the first entry is the newest.
          updatedAt: entry.updatedAt ?? new Date(base - index * 1000),
        };
      }),
    )
    .returning({ id: documents.id, status: documents.status, updatedAt: documents.updatedAt });
}
