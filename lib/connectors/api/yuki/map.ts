import { createHash } from "node:crypto";
import type { DocumentCategory } from "@/lib/packages/catalog";
import type { DeliveryDocument, DossierChoices } from "../../types";
import type { YukiAdministration, YukiFolder } from "./client";
import type { YukiDossierSettings } from "./config";

/** Pure mapping from our documents and settings to what Yuki receives, and back for the picker. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The reference a file name carries: "KP" and the dispatch id's 32 hex digits (one word, so an
 * archive search finds it whole). A key that is not a UUID is hashed to the same length, which
 * keeps it unique per dispatch.
 */
export function referenceTokenOf(idempotencyKey: string): string {
  const hex = UUID.test(idempotencyKey)
    ? idempotencyKey.replace(/-/g, "")
    : createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32);
  return `KP${hex.toLowerCase()}`;
}

const MAX_STEM_LENGTH = 60;

/** Letters without accents, digits, "-" and "_": what every archive and file system accepts. */
function sanitiseStem(name: string): string {
  const stem = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, MAX_STEM_LENGTH)
    .replace(/[-_]+$/, "");
  return stem || "document";
}

function splitName(fileName: string): { stem: string; extension: string | null } {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return { stem: base, extension: null };
  const extension = base.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(extension)
    ? { stem: base.slice(0, dot), extension }
    : { stem: base.slice(0, dot), extension: null };
}

const EXTENSION_BY_MIME: Record<string, string> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/tiff": "tif",
  "application/xml": "xml",
  "text/xml": "xml",
};

/**
 * The deterministic name a document gets in Yuki: its own name (sanitised, shortened), then our
 * reference, e.g. `factuur-maart_KP7d0c9a52….pdf`. Test documents start with TEST_. The same
 * dispatch always gives the same name, which is how a retry finds an upload whose answer was lost.
 */
export function yukiFileNameOf(
  document: Pick<DeliveryDocument, "fileName" | "mimeType" | "isTest">,
  idempotencyKey: string,
): string {
  const { stem, extension } = splitName(document.fileName);
  const suffix = extension ?? EXTENSION_BY_MIME[document.mimeType.toLowerCase()] ?? "pdf";
  const prefix = document.isTest ? "TEST_" : "";
  return `${prefix}${sanitiseStem(stem)}_${referenceTokenOf(idempotencyKey)}.${suffix}`;
}

/** The UBL companion's name: the document's name with .xml, so both carry the reference. */
export function yukiCompanionFileNameOf(documentFileName: string): string {
  return `${documentFileName.replace(/\.[A-Za-z0-9]+$/, "")}.xml`;
}

/** The archive folder a category goes to; null when the dossier has none for it ("other" is optional). */
export function folderForCategory(settings: YukiDossierSettings, category: DocumentCategory): number | null {
  switch (category) {
    case "purchase":
      return settings.purchaseFolderId;
    case "sales":
      return settings.salesFolderId;
    case "other":
      return settings.otherFolderId ?? null;
  }
}

/** The picker's lists: administrations (suggested by VAT number) and one folder list per category. */
export function dossierChoicesOf(administrations: YukiAdministration[], folders: YukiFolder[]): DossierChoices {
  // The number as detail tells apart two folders with the same name.
  const folderChoices = folders.map((folder) => ({
    value: String(folder.id),
    label: folder.name,
    detail: String(folder.id),
  }));
  return {
    administrationId: administrations.map((administration) => ({
      value: administration.id,
      label: administration.name,
      detail: administration.city,
      vatNumber: administration.vatNumber,
    })),
    purchaseFolderId: folderChoices,
    salesFolderId: folderChoices,
    otherFolderId: folderChoices,
  };
}
