/**
 * What a file really is, from its bytes and never from its name or the browser's content type:
 * PDF, JPEG, PNG or UBL XML (an Invoice or CreditNote). Anything else is refused. Pure and
 * dependency-free, so the upload form can run the same check before sending a byte.
 */

/** At most 20 MB per document (20 × 1024 × 1024 bytes). */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

export type DocumentFileKind = "pdf" | "jpeg" | "png" | "ubl";

export type DetectedFileType = {
  kind: DocumentFileKind;
  mimeType: string;
  /** The extension a stored file name gets (without the dot). */
  extension: string;
  /** Other extensions that name the same type; a file name ending in one keeps it. */
  alternativeExtensions: readonly string[];
  /** For UBL: which root element. */
  ublDocument?: "Invoice" | "CreditNote";
};

export type SniffRefusal = "empty" | "tooLarge" | "unsupportedType";

/**
 * The stable code of each refusal, as the upload route and the REST API answer it per file (the
 * API's closed set of problem codes includes them).
 */
export const FILE_REFUSAL_CODES = {
  empty: "file_empty",
  tooLarge: "file_too_large",
  unsupportedType: "file_type_unsupported",
} as const satisfies Record<SniffRefusal, string>;
export type FileRefusalCode = (typeof FILE_REFUSAL_CODES)[SniffRefusal];

export type SniffResult = { ok: true; type: DetectedFileType } | { ok: false; reason: SniffRefusal };

/** The stored content type of a UBL e-invoice (the only XML Koppel takes). */
export const UBL_MIME_TYPE = "application/xml";

const TYPES = {
  pdf: { kind: "pdf", mimeType: "application/pdf", extension: "pdf", alternativeExtensions: [] },
  jpeg: { kind: "jpeg", mimeType: "image/jpeg", extension: "jpg", alternativeExtensions: ["jpeg", "jpe"] },
  png: { kind: "png", mimeType: "image/png", extension: "png", alternativeExtensions: [] },
  ubl: { kind: "ubl", mimeType: UBL_MIME_TYPE, extension: "xml", alternativeExtensions: [] },
} as const satisfies Record<DocumentFileKind, DetectedFileType>;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const UBL_NAMESPACES = {
  Invoice: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
  CreditNote: "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
} as const;

/**
 * How far into a file the root element of a UBL document may start. The prolog (declaration,
 * comments) is short in practice; a file whose root starts later is not a document we take.
 */
const XML_HEAD_BYTES = 64 * 1024;

/** How many first bytes of a file sniffDocumentHead needs to judge it as sniffDocument judges the whole file. */
export const SNIFF_HEAD_BYTES = XML_HEAD_BYTES;

function startsWith(content: Uint8Array, magic: readonly number[]): boolean {
  return content.length >= magic.length && magic.every((byte, index) => content[index] === byte);
}

/** Detects the type of a document's bytes, or why it is refused. */
export function sniffDocument(content: Uint8Array): SniffResult {
  return sniffDocumentHead(content.subarray(0, SNIFF_HEAD_BYTES), content.byteLength);
}

/**
 * The same judgement from a file's first SNIFF_HEAD_BYTES (all of it when shorter) and its size,
 * for a file that streams to the store and is never whole in memory.
 */
export function sniffDocumentHead(head: Uint8Array, sizeBytes: number): SniffResult {
  if (sizeBytes === 0) return { ok: false, reason: "empty" };
  if (sizeBytes > MAX_DOCUMENT_BYTES) return { ok: false, reason: "tooLarge" };
  return typeOfHead(head);
}

/** The type the first bytes show, whatever the size (the upload starts storing on this). */
export function typeOfHead(head: Uint8Array): SniffResult {
  if (startsWith(head, PDF_MAGIC)) return { ok: true, type: TYPES.pdf };
  if (startsWith(head, JPEG_MAGIC)) return { ok: true, type: TYPES.jpeg };
  if (startsWith(head, PNG_MAGIC)) return { ok: true, type: TYPES.png };
  const ublDocument = ublRootOf(head);
  if (ublDocument) return { ok: true, type: { ...TYPES.ubl, ublDocument } };
  return { ok: false, reason: "unsupportedType" };
}

/** Decodes the head of an XML file: UTF-8 (with or without BOM) or UTF-16 with its BOM. */
function decodeXmlHead(content: Uint8Array): string | null {
  const head = content.subarray(0, XML_HEAD_BYTES);
  try {
    if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder("utf-16be").decode(head.subarray(2));
    if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder("utf-16le").decode(head.subarray(2));
    const hasUtf8Bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    // Not fatal: the head may end in the middle of a multi-byte character.
    return new TextDecoder("utf-8").decode(hasUtf8Bom ? head.subarray(3) : head);
  } catch {
    return null;
  }
}

const NAME = "[A-Za-z_][\\w.-]*";
const XML_DECLARATION = /^<\?xml\s[^>]*?\?>/;
const PROCESSING_INSTRUCTION = /^<\?[^>]*?\?>/s;
const COMMENT = /^<!--[\s\S]*?-->/;
const ROOT_START = new RegExp(`^<(?:(${NAME}):)?(${NAME})((?:\\s+[^\\s=>/]+\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*/?>`);
const ATTRIBUTE = /([^\s=>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * The root element of a UBL Invoice or CreditNote, or null. Reads only the prolog and the root's
 * start tag with plain string matching: no XML parser runs, so no entity is ever expanded and no
 * external resource is fetched. A document type declaration is refused outright: UBL has none,
 * and it is where entity attacks live.
 */
function ublRootOf(content: Uint8Array): "Invoice" | "CreditNote" | null {
  const head = decodeXmlHead(content);
  if (head === null) return null;
  let rest = head.replace(/^\s+/, "");
  const declaration = XML_DECLARATION.exec(rest);
  if (declaration) rest = rest.slice(declaration[0].length);
  for (;;) {
    rest = rest.replace(/^\s+/, "");
    const skipped = COMMENT.exec(rest) ?? PROCESSING_INSTRUCTION.exec(rest);
    if (!skipped) break;
    rest = rest.slice(skipped[0].length);
  }
  if (rest.startsWith("<!")) return null; // DOCTYPE (or garbage): refused.

  const root = ROOT_START.exec(rest);
  if (!root) return null;
  const [, prefix, localName, attributeText = ""] = root;
  if (localName !== "Invoice" && localName !== "CreditNote") return null;

  const namespaceAttribute = prefix ? `xmlns:${prefix}` : "xmlns";
  for (const attribute of attributeText.matchAll(ATTRIBUTE)) {
    if (attribute[1] === namespaceAttribute) {
      const namespace = (attribute[2] ?? attribute[3] ?? "").trim();
      return namespace === UBL_NAMESPACES[localName] ? localName : null;
    }
  }
  return null;
}
