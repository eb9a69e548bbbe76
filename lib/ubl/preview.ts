import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { documents, dossiers } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { type DocumentFile, getDocumentFile } from "@/lib/documents/get";
import { NotFoundError } from "@/lib/errors";
import { DEFAULT_LOCALE } from "@/lib/i18n/config";
import { isXmlDocument, pdfOfUbl } from "./delivery-file";
import { readUbl } from "./read";

/**
 * The PDF the document page shows for a UBL e-invoice: the one the XML carries, else Koppel's
 * rendering (marked as one, in the dossier's language), the same PDF a PDF-taking package gets.
 * The XML itself stays the original: its download is unchanged.
 */

/** What the page needs to know before it shows the PDF: whether it is Koppel's rendering. */
export type UblPdfPreview = { isRendering: boolean };

/** For a stored file's bytes: null when it is no UBL e-invoice the reader accepts. */
export function ublPdfPreviewOf(content: Uint8Array): UblPdfPreview | null {
  const read = readUbl(content);
  return read.ok ? { isRendering: read.document.embeddedPdf === null } : null;
}

/**
 * The PDF view of a document, for the file route's `?view=pdf`: with the permission checks of
 * getDocumentFile (unknown, foreign and malformed ids, a missing file: NotFoundError), and
 * NotFoundError too for a document that is no UBL e-invoice (it has no such view).
 */
export async function getUblPdfView(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
): Promise<DocumentFile & { isRendering: boolean }> {
  const file = await getDocumentFile(db, actor, documentId);
  if (!isXmlDocument(file.mimeType)) throw new NotFoundError();
  const read = readUbl(file.content);
  if (!read.ok) throw new NotFoundError();
  // Authorised above; the rendering speaks the dossier's language, like the one sent to its package.
  const [dossier] = await db
    .select({ locale: dossiers.locale })
    .from(documents)
    .innerJoin(dossiers, and(eq(dossiers.id, documents.dossierId), eq(dossiers.portalId, documents.portalId)))
    .where(eq(documents.id, documentId))
    .limit(1);
  const pdf = await pdfOfUbl(read.document, { fileName: file.fileName, locale: dossier?.locale ?? DEFAULT_LOCALE });
  return { fileName: pdf.fileName, mimeType: "application/pdf", content: pdf.content, isRendering: pdf.isRendering };
}
