import { posix } from "node:path";
import type { DocumentCategory, FtpProfile } from "@/lib/packages/catalog";
import type { DeliveryDocument, DeliveryDossier } from "../types";

/**
 * Where a document lands on the server and under which name, as pure functions of the package's
 * profile, the connection's overrides, the dossier and the document. Nothing here talks to a
 * server, so every rule is unit-tested (tests/unit/lib/connectors/ftp/paths.test.ts).
 *
 * Names are derived from the document only, never from the clock or the try: a retry, or a new
 * dispatch of the same document, writes the same name, so it replaces instead of duplicating.
 */

/** Longest folder name or name part we write; servers and Windows importers cope with far more. */
const SEGMENT_MAX_LENGTH = 80;
const EXTENSION_MAX_LENGTH = 8;
/** 12 hex digits of the document id (48 random bits of a v4 UUID): unique enough next to name and time. */
const SHORT_ID_LENGTH = 12;

const MIME_EXTENSIONS: Record<string, string> = {
  "application/pdf": "pdf",
  "application/xml": "xml",
  "text/xml": "xml",
  "image/jpeg": "jpg",
  "image/png": "png",
};

/**
 * One path segment that is safe on any FTP server and for Windows-based importers: accents are
 * dropped (é → e), everything but letters, digits, ".", "_" and "-" becomes "-", runs collapse,
 * separators at the ends go, and the length is bounded. Control characters, "/", "\" and ".."
 * cannot survive this, so a segment can never climb out of its folder. Empty → `fallback`.
 */
export function sanitizeSegment(value: string, fallback: string, maxLength = SEGMENT_MAX_LENGTH): string {
  const cleaned = value
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/([._-])[._-]+/g, "$1")
    .replace(/^[._-]+|[._-]+$/g, "")
    .slice(0, maxLength)
    .replace(/[._-]+$/g, "");
  return cleaned === "" ? fallback : cleaned;
}

/**
 * A folder name typed by a person (dossier code, category folder, base folder part): kept as
 * written where that is safe (spaces and accents are allowed there, offices name folders
 * "Aankoop 2025"), with control and invisible characters, separators and Windows-reserved
 * characters replaced, dots and spaces trimmed at the ends, and the length bounded. "." and ".."
 * become the fallback.
 */
export function sanitizeFolderName(value: string, fallback: string): string {
  const cleaned = value
    .normalize("NFC")
    // Control and invisible formatting characters (bidi overrides, zero-width) and line separators.
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, " ")
    .replace(/[/\\:*?"<>|]/g, "_")
    .replace(/\s+/g, " ")
    .replace(/^[\s.]+|[\s.]+$/g, "")
    .slice(0, SEGMENT_MAX_LENGTH)
    .replace(/[\s.]+$/g, "");
  return cleaned === "" ? fallback : cleaned;
}

/** A base folder as typed: absolute or relative to the login folder; every segment sanitised. */
export function normalizeBaseFolder(value: string | undefined): { isAbsolute: boolean; segments: string[] } {
  const raw = (value ?? "").trim();
  const segments = raw
    .split("/")
    .map((segment) => segment.trim())
    .filter((segment) => segment !== "" && segment !== "." && segment !== "..")
    .map((segment) => sanitizeFolderName(segment, "_"));
  return { isAbsolute: raw.startsWith("/"), segments };
}

/** The dossier folder a profile uses when the dossier gives none: enterprise or VAT number. */
export function defaultDossierFolder(
  profile: Pick<FtpProfile, "dossierFolderDefault">,
  dossier: Pick<DeliveryDossier, "companyNumber" | "vatNumber">,
): string {
  switch (profile.dossierFolderDefault) {
    case "companyNumber":
      return dossier.companyNumber;
    case "vatNumber": {
      const vat = (dossier.vatNumber ?? "").replace(/[\s.-]/g, "").toUpperCase();
      // A Belgian VAT number is BE + the enterprise number.
      return vat !== "" ? vat : `BE${dossier.companyNumber}`;
    }
    case "none":
      return "";
  }
}

/** The layout and folder names one connection uses: the profile's, with the connection's overrides. */
export type EffectiveLayout = {
  layout: string;
  categoryFolders: Readonly<Record<DocumentCategory, string>>;
};

export function effectiveLayout(
  profile: Pick<FtpProfile, "layout" | "categoryFolders">,
  overrides: { layout?: string; categoryFolders?: Partial<Record<DocumentCategory, string>> } = {},
): EffectiveLayout {
  const layout = overrides.layout?.trim() ? overrides.layout.trim() : profile.layout;
  return { layout, categoryFolders: { ...profile.categoryFolders, ...overrides.categoryFolders } };
}

/** The year a document belongs to: its invoice date's, else the day it arrived in Koppel (UTC). */
export function documentYear(document: Pick<DeliveryDocument, "recognisedFields" | "receivedAt">): string {
  const fromInvoice = /^(\d{4})-\d{2}-\d{2}$/.exec(document.recognisedFields.invoiceDate ?? "")?.[1];
  if (fromInvoice) return fromInvoice;
  // Without either (a caller that does not pass receivedAt yet) the current year is the best guess.
  return String((document.receivedAt ?? new Date()).getUTCFullYear());
}

/**
 * The folder for one document, relative to the base folder: the layout's segments with
 * {dossierFolder}, {category} and {year} filled in and each segment sanitised. A segment that
 * ends up empty (a profile without a dossier folder) is left out. Throws when the layout needs a
 * dossier folder and there is none: files of different dossiers must never mix by accident.
 */
export function relativeFolderFor(input: {
  layout: EffectiveLayout;
  dossierFolder: string;
  category: DocumentCategory;
  year: string;
}): string[] {
  const { layout, category } = input;
  const dossierFolder = sanitizeFolderName(input.dossierFolder, "");
  if (layout.layout.includes("{dossierFolder}") && dossierFolder === "") {
    throw new MissingDossierFolderError();
  }
  const values: Record<string, string> = {
    dossierFolder,
    category: sanitizeFolderName(layout.categoryFolders[category], category),
    year: sanitizeFolderName(input.year, "year"),
  };
  return layout.layout
    .split("/")
    .map((segment) => segment.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? ""))
    .map((segment) => sanitizeFolderName(segment, ""))
    .filter((segment) => segment !== "");
}

export class MissingDossierFolderError extends Error {
  constructor() {
    super("the layout needs a dossier folder and the dossier has none");
    this.name = "MissingDossierFolderError";
  }
}

function extensionOf(document: Pick<DeliveryDocument, "fileName" | "mimeType">): string {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(document.fileName.trim());
  if (match?.[1]) return match[1].toLowerCase();
  return MIME_EXTENSIONS[document.mimeType.toLowerCase()] ?? "bin";
}

/** 2025-03-14T09:05:07.123Z → 20250314-090507 (UTC, sorts as text). */
function sortableTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
}

/**
 * The final file name of a document: a sortable timestamp (when it arrived in Koppel, else its
 * invoice date), the sanitised original name, and 12 hex digits of the document id; e.g.
 * `20250314-090507_factuur-maart_3f2a9c1be4d0.pdf`. Importers that read in name order then take
 * documents in arrival order. Test sends start with `KOPPEL-TEST_` so an office recognises them.
 */
export function finalFileName(
  document: Pick<DeliveryDocument, "id" | "fileName" | "mimeType" | "recognisedFields" | "receivedAt" | "isTest">,
): string {
  const extension = extensionOf(document);
  const stem = document.fileName.trim().replace(/\.[A-Za-z0-9]{1,8}$/, "");
  const invoiceDate = /^(\d{4})-(\d{2})-(\d{2})$/.exec(document.recognisedFields.invoiceDate ?? "");
  const stamp = document.receivedAt
    ? sortableTimestamp(document.receivedAt)
    : invoiceDate
      ? `${invoiceDate[1]}${invoiceDate[2]}${invoiceDate[3]}-000000`
      : null;
  const shortId = sanitizeSegment(document.id.replace(/-/g, "").toLowerCase(), "document").slice(0, SHORT_ID_LENGTH);
  const parts = [document.isTest ? "KOPPEL-TEST" : null, stamp, sanitizeSegment(stem, "document"), shortId].filter(
    (part): part is string => part !== null,
  );
  return `${parts.join("_")}.${sanitizeSegment(extension, "bin", EXTENSION_MAX_LENGTH).toLowerCase()}`;
}

/**
 * The name of a file that accompanies a document (the UBL XML of a PDF): the document's final name
 * with `.xml`, so importers that pair files by name (the XML and "its" PDF) find them together.
 */
export function companionFileName(finalName: string): string {
  return `${finalName.replace(/\.[a-z0-9]{1,8}$/, "")}.xml`;
}

/**
 * The name a file is written under before it is renamed to its final name. Derived from the
 * final name, so a retry overwrites the half-written file of the try before it instead of leaving
 * one behind; the leading dot and the `.part` ending keep importers (which watch for *.pdf,
 * *.xml…) from picking it up.
 */
export function temporaryFileName(finalName: string): string {
  return `.${finalName}.part`;
}

/** Joins an absolute folder and names into one absolute POSIX path. */
export function joinRemote(folder: string, ...names: string[]): string {
  return posix.join(folder, ...names);
}

/** Everything a delivery needs to know about where a document goes. */
export type DeliveryPlan = {
  /** Folder relative to the base folder, as segments. */
  folderSegments: string[];
  finalName: string;
  temporaryName: string;
};

export function planDelivery(input: {
  profile: Pick<FtpProfile, "layout" | "categoryFolders" | "dossierFolderDefault">;
  overrides: { layout?: string; categoryFolders?: Partial<Record<DocumentCategory, string>> };
  dossier: Pick<DeliveryDossier, "companyNumber" | "vatNumber"> | null;
  dossierFolder: string | undefined;
  document: Pick<
    DeliveryDocument,
    "id" | "fileName" | "mimeType" | "recognisedFields" | "receivedAt" | "isTest" | "category"
  >;
}): DeliveryPlan {
  const given = input.dossierFolder?.trim() ?? "";
  const dossierFolder = given !== "" ? given : input.dossier ? defaultDossierFolder(input.profile, input.dossier) : "";
  const folderSegments = relativeFolderFor({
    layout: effectiveLayout(input.profile, input.overrides),
    dossierFolder,
    category: input.document.category,
    year: documentYear(input.document),
  });
  const finalName = finalFileName(input.document);
  return { folderSegments, finalName, temporaryName: temporaryFileName(finalName) };
}
