import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { YUKI_RESULT_SHAPES } from "./assumptions";

/**
 * Yuki's SOAP 1.1 plumbing: envelopes built from typed input in WSDL order with fast-xml-parser's
 * XMLBuilder (which escapes the text), and responses read with its XMLParser. Sources (reference §2.1, §2.4, §2.7): the operations and their parameter
 * orders come from a client generated from the live WSDL (github.com/BartPeirens/yuki-mcp,
 * src/YukiMcp/Yuki/Archive/ArchiveClient.cs); Backoffice.GetWorkflow from
 * github.com/CodeMill-Solutions/yuki-mcp, src/tools/backoffice.ts.
 */

export const YUKI_NAMESPACE = "http://www.theyukicompany.com/";

/** The XML Schema types our operations use. */
export type SoapType = "string" | "int" | "decimal" | "base64Binary" | "dateTime";

type ValueOf<T extends SoapType> = T extends "base64Binary"
  ? Uint8Array
  : T extends "int" | "decimal"
    ? number
    : string;

type OperationDefinition = {
  service: "Archive" | "Backoffice";
  /** Parameter names and types in WSDL sequence order. Casing matters: Archive says sessionID. */
  parameters: readonly (readonly [name: string, type: SoapType])[];
};

/**
 * The operations Koppel calls, each with its parameters in WSDL order — defined once; the
 * envelope is written in this order whatever order the input object has. General operations
 * (Authenticate, Administrations) exist on every service; we call them on Archive.
 */
export const YUKI_OPERATIONS = {
  Authenticate: { service: "Archive", parameters: [["accessKey", "string"]] },
  Administrations: { service: "Archive", parameters: [["sessionID", "string"]] },
  DocumentFolders: { service: "Archive", parameters: [["sessionID", "string"]] },
  UploadDocument: {
    service: "Archive",
    parameters: [
      ["sessionID", "string"],
      ["fileName", "string"],
      ["data", "base64Binary"],
      ["folder", "int"],
      ["administrationID", "string"],
    ],
  },
  UploadDocumentWithAttachment: {
    service: "Archive",
    parameters: [
      ["sessionID", "string"],
      ["fileName1", "string"],
      ["data1", "base64Binary"],
      ["fileName2", "string"],
      ["data2", "base64Binary"],
      ["folder", "int"],
      ["administrationID", "string"],
      ["currency", "string"],
      ["amount", "decimal"],
      ["costCategory", "string"],
      ["paymentMethod", "int"],
      ["project", "string"],
      ["remarks", "string"],
    ],
  },
  FindDocument: {
    service: "Archive",
    parameters: [
      ["sessionID", "string"],
      ["documentID", "string"],
    ],
  },
  SearchDocuments: {
    service: "Archive",
    parameters: [
      ["sessionID", "string"],
      ["searchOption", "string"],
      ["searchText", "string"],
      ["folderID", "int"],
      ["tabID", "int"],
      ["sortOrder", "string"],
      ["startDate", "dateTime"],
      ["endDate", "dateTime"],
      ["numberOfRecords", "int"],
      ["startRecord", "int"],
    ],
  },
  GetWorkflow: {
    service: "Backoffice",
    parameters: [
      ["sessionID", "string"],
      ["administrationID", "string"],
    ],
  },
} as const satisfies Record<string, OperationDefinition>;

export type YukiOperation = keyof typeof YUKI_OPERATIONS;

/** The typed input of one operation: every WSDL parameter, by name. */
export type OperationInput<Op extends YukiOperation> = {
  [P in (typeof YUKI_OPERATIONS)[Op]["parameters"][number] as P[0]]: ValueOf<P[1]>;
};

/** The service path of an operation, relative to the base URL. */
export function servicePathOf(operation: YukiOperation): string {
  return `/ws/${YUKI_OPERATIONS[operation].service}.asmx`;
}

export function soapActionOf(operation: YukiOperation): string {
  return `${YUKI_NAMESPACE}${operation}`;
}

// XML 1.0 allows tab, LF, CR and everything from U+0020 except lone surrogates and U+FFFE/U+FFFF.
// Other characters cannot be written at all, not even escaped: they are dropped before the builder
// (which escapes markup) sees the text.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function serialise(operation: string, name: string, type: SoapType, value: unknown): string {
  switch (type) {
    case "base64Binary":
      if (!(value instanceof Uint8Array)) throw new TypeError(`${operation}.${name} must be bytes`);
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    case "int":
      if (typeof value !== "number" || !Number.isSafeInteger(value))
        throw new TypeError(`${operation}.${name} must be an integer`);
      return String(value);
    case "decimal":
      if (typeof value !== "number" || !Number.isFinite(value))
        throw new TypeError(`${operation}.${name} must be a finite number`);
      return String(value);
    case "string":
    case "dateTime":
      if (typeof value !== "string") throw new TypeError(`${operation}.${name} must be text`);
      return value.replace(NOT_XML_CHAR, "");
  }
}

// Escapes &, <, >, " and ' in text and attribute values (processEntities, its default); every
// value reaches it as a string, so nothing is turned into a number or a bare attribute.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  processEntities: true,
  suppressBooleanAttributes: false,
  suppressEmptyNode: false,
});

/**
 * The SOAP 1.1 envelope of one call, its parameters in WSDL order. A missing or mistyped
 * parameter is a programming error and throws before anything is sent.
 */
export function buildEnvelope<Op extends YukiOperation>(operation: Op, input: OperationInput<Op>): string {
  const values = input as Record<string, unknown>;
  // The builder writes children in the object's key order: insertion order, WSDL order (no
  // parameter name looks like an array index, which JavaScript would move to the front).
  const call: Record<string, string> = { "@_xmlns": YUKI_NAMESPACE };
  for (const [name, type] of YUKI_OPERATIONS[operation].parameters) {
    if (!(name in values)) throw new TypeError(`${operation}.${name} is missing`);
    call[name] = serialise(operation, name, type, values[name]);
  }
  return builder.build({
    "?xml": { "@_version": "1.0", "@_encoding": "utf-8" },
    "soap:Envelope": {
      "@_xmlns:soap": "http://schemas.xmlsoap.org/soap/envelope/",
      "soap:Body": { [operation]: call },
    },
  });
}

/** Elements that may repeat in results: always read as arrays so one item looks like many. */
const REPEATING = new Set<string>([
  "Administration",
  ...YUKI_RESULT_SHAPES.folderElements,
  ...YUKI_RESULT_SHAPES.documentElements,
]);

// Values stay text: GUIDs, VAT and folder numbers must not turn into numbers (leading zeros).
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && REPEATING.has(name),
});

/** A parsed XML node as fast-xml-parser gives it: text, or an object of children and "@_" attributes. */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

/** What a SOAP response said: the operation's result element, or a fault. */
export type SoapOutcome = { kind: "result"; result: XmlNode | undefined } | { kind: "fault"; faultString: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a SOAP response. Returns null when the text is not a SOAP envelope at all (an HTML error
 * page, a proxy's answer), so the caller can fall back on the HTTP status.
 */
export function parseSoapResponse(operation: YukiOperation, xml: string): SoapOutcome | null {
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch {
    return null;
  }
  const body = isRecord(document) && isRecord(document.Envelope) ? document.Envelope.Body : undefined;
  if (!isRecord(body)) return null;
  if ("Fault" in body) {
    const fault = body.Fault;
    const faultString = isRecord(fault) ? textOf(fault.faultstring as XmlNode | undefined) : null;
    return { kind: "fault", faultString: faultString ?? "" };
  }
  const response = body[`${operation}Response`];
  if (response === undefined) return null;
  if (!isRecord(response)) return { kind: "result", result: undefined };
  return { kind: "result", result: response[`${operation}Result`] as XmlNode | undefined };
}

/** The text of a node: a plain string, or the "#text" of an element that has attributes. */
export function textOf(node: XmlNode | XmlNode[] | undefined): string | null {
  if (node === undefined) return null;
  if (typeof node === "string") return node.trim();
  if (Array.isArray(node)) return textOf(node[0]);
  const text = node["#text"];
  return typeof text === "string" ? text.trim() : null;
}

/** The first of `names` that a node has as attribute or child, as text. */
export function fieldOf(node: XmlNode, names: readonly string[]): string | null {
  if (typeof node === "string") return names.includes("#text") ? node.trim() : null;
  for (const name of names) {
    const value = textOf(node[name]);
    if (value) return value;
  }
  return null;
}

/** Every element called one of `names` anywhere under `node` (results wrap their lists differently). */
export function findElements(node: XmlNode | XmlNode[] | undefined, names: readonly string[]): XmlNode[] {
  if (node === undefined || typeof node === "string") return [];
  if (Array.isArray(node)) return node.flatMap((child) => findElements(child, names));
  const found: XmlNode[] = [];
  for (const [name, child] of Object.entries(node)) {
    if (name.startsWith("@_") || child === undefined) continue;
    if (names.includes(name)) found.push(...(Array.isArray(child) ? child : [child]));
    else found.push(...findElements(child, names));
  }
  return found;
}
