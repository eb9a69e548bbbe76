import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { documents, dossiers } from "@/db/schema";
import { documentFileResponse } from "@/lib/documents/file-response";
import { getDocumentFile } from "@/lib/documents/get";
import { NotFoundError } from "@/lib/errors";
import { getUblPdfView, ublPdfPreviewOf } from "@/lib/ubl/preview";
import { createTestDb } from "../../../helpers/db";
import { insertDocument } from "../../../helpers/fixtures";
import { isPdf } from "../../../helpers/pdf-text";
import { ublBytes } from "../../../helpers/ubl";
import { createWorld, useTempFileStore, type World } from "../documents/setup";

// The document page's PDF of a UBL e-invoice (the file route's ?view=pdf): the PDF it carries,
// else Koppel's rendering in the dossier's language, behind the same checks as the original file.

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

const EMBEDDED_PDF = new TextEncoder().encode("%PDF-1.7\n% the supplier's own invoice\n%%EOF\n");

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  await files?.dispose();
  await opened?.close();
});

async function insertUbl(dossier: { id: string; portalId: string }, content: Uint8Array) {
  const document = await insertDocument(opened.db, dossier);
  await opened.db
    .update(documents)
    .set({ fileName: "factuur-0042.xml", mimeType: "application/xml", sizeBytes: content.byteLength })
    .where(eq(documents.id, document.id));
  await files.store.put(document.storageKey, content, { contentType: "application/xml" });
  return document;
}

const utf16 = (text: string) => Buffer.from(text, "utf16le").swap16();

describe("getUblPdfView", () => {
  it("serves the PDF the XML carries, under the document's name", async () => {
    const document = await insertUbl(world.dossier, ublBytes({ embeddedPdf: EMBEDDED_PDF }));
    for (const who of ["entrepreneur", "accountant", "admin", "token"] as const) {
      const view = await getUblPdfView(opened.db, world.actors[who], document.id);
      expect(view).toMatchObject({ fileName: "factuur-0042.pdf", mimeType: "application/pdf", isRendering: false });
      expect(Buffer.from(view.content).equals(Buffer.from(EMBEDDED_PDF))).toBe(true);
    }
  });

  it("renders the XML when it carries no PDF, in the dossier's language, and names it a rendering", async () => {
    await opened.db.update(dossiers).set({ locale: "fr" }).where(eq(dossiers.id, world.neighbourDossier.id));
    const document = await insertUbl(world.neighbourDossier, ublBytes({ embeddedPdf: null }));
    const view = await getUblPdfView(opened.db, world.actors.accountant, document.id);
    expect(view.isRendering).toBe(true);
    expect(view.fileName).toBe("factuur-0042-rendering.pdf");
    expect(isPdf(view.content)).toBe(true);
    expect(Buffer.from(view.content).includes(utf16("Rendu par Koppel de la facture électronique INV-2026-0042"))).toBe(
      true,
    );
    // The original stays what the plain file URL serves.
    const original = await getDocumentFile(opened.db, world.actors.accountant, document.id);
    expect(original.mimeType).toBe("application/xml");
  });

  it("is served with the original's headers: nosniff and a sandbox", async () => {
    const document = await insertUbl(world.dossier, ublBytes({ embeddedPdf: null }));
    const response = documentFileResponse(await getUblPdfView(opened.db, world.actors.admin, document.id), "inline");
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-security-policy")).toBe("sandbox; frame-ancestors 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-disposition")).toContain("factuur-0042-rendering.pdf");
  });

  it("answers 404 to other offices, other dossiers' entrepreneurs, unknown ids, and documents that are no UBL", async () => {
    const foreign = await insertUbl(world.neighbourDossier, ublBytes());
    await expect(getUblPdfView(opened.db, world.actors.entrepreneur, foreign.id)).rejects.toThrow(NotFoundError);
    await expect(getUblPdfView(opened.db, world.actors.otherAdmin, foreign.id)).rejects.toThrow(NotFoundError);
    await expect(getUblPdfView(opened.db, world.actors.otherToken, foreign.id)).rejects.toThrow(NotFoundError);
    await expect(getUblPdfView(opened.db, world.actors.admin, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(
      NotFoundError,
    );

    const pdf = await insertDocument(opened.db, world.dossier);
    await files.store.put(pdf.storageKey, EMBEDDED_PDF, { contentType: "application/pdf" });
    await expect(getUblPdfView(opened.db, world.actors.admin, pdf.id)).rejects.toThrow(NotFoundError);

    const notUbl = await insertUbl(world.dossier, new TextEncoder().encode("<note>not an invoice</note>"));
    await expect(getUblPdfView(opened.db, world.actors.admin, notUbl.id)).rejects.toThrow(NotFoundError);
  });
});

describe("ublPdfPreviewOf", () => {
  it("tells the page whether the PDF will be a rendering, and null for what is no UBL", () => {
    expect(ublPdfPreviewOf(ublBytes({ embeddedPdf: EMBEDDED_PDF }))).toEqual({ isRendering: false });
    expect(ublPdfPreviewOf(ublBytes({ embeddedPdf: null }))).toEqual({ isRendering: true });
    expect(ublPdfPreviewOf(new TextEncoder().encode("<note/>"))).toBeNull();
  });
});
