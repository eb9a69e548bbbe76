/**
 * A small, strict, non-validating XML reader for UBL files: one linear pass over the text, no
 * recursion, namespaces resolved to their URIs, and nothing else XML can do.
 *
 * Why not fast-xml-parser (the dependency the Yuki connector uses)? Measured on this machine with
 * v5.12.1: parsing a 20 MB UBL whose embedded PDF is one long base64 text took 5 s (it gathers text
 * one character at a time), its XMLValidator accepts undefined entity references (`&foo;`) and two
 * root elements, and it does not resolve namespace prefixes to URIs, which UBL matching needs. This
 * reader jumps from `<` to `<` with indexOf (20 MB in tens of milliseconds) and refuses more.
 *
 * What it refuses (as "malformed" unless said otherwise):
 * - any DOCTYPE or ENTITY declaration ("forbiddenDeclaration"; the caller checks first): there is no
 *   DTD, so no entity is ever declared, expanded or fetched;
 * - references other than the five predefined entities and numeric character references;
 * - nesting deeper than `maxDepth` ("tooDeep"), counted while reading, before any tree walk;
 * - more than `maxNodes` elements and attributes together ("tooManyNodes"): 20 MB of `<a/>`
 *   would otherwise be five million tree nodes (measured before this limit: 27 s and 1.5 GB);
 * - mismatched, unclosed or stray tags, text or a second element outside the root, duplicate
 *   attributes, `<` in attribute values, `--` inside comments, characters XML forbids, unbound
 *   namespace prefixes.
 * Comments and processing instructions are skipped as a whole, so nothing inside them is read as
 * an element; CDATA sections are text.
 */

/** An element with its namespace URI resolved ("" for no namespace). */
export type XmlElement = {
  namespace: string;
  localName: string;
  /**
   * Attributes without a prefix (the only ones UBL's basic components use), entity-decoded, as
   * name, value, name, value…: a flat array is the cheapest per element (a Map per element made a
   * quarter of a million elements take seconds). Read them with attributeValue.
   */
  attributes: readonly string[];
  children: XmlElement[];
  /** The element's own character data (text and CDATA, without its children's), decoded. */
  text: string;
};

export type XmlReadResult =
  | { ok: true; root: XmlElement }
  | { ok: false; reason: "malformed" | "tooDeep" | "tooManyNodes" };

/** What the reader allows: nesting depth, and elements plus attributes in all (each costs memory). */
export type XmlLimits = { maxDepth: number; maxNodes: number };

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

// XML 1.0 names, simplified to the BMP ranges a real file uses; a colon splits prefix and local name.
const NAME_START =
  "A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD";
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
const QNAME = `(?:${NCNAME}:)?${NCNAME}`;
const START_TAG_NAME = new RegExp(`(${QNAME})`, "y");
const ATTRIBUTE = new RegExp(`[ \\t\\r\\n]+(${QNAME})[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"([^"<]*)"|'([^'<]*)')`, "y");
const TAG_END = /[ \t\r\n]*(\/?)>/y;
const END_TAG = new RegExp(`</(${QNAME})[ \\t\\r\\n]*>`, "y");
const PI_TARGET = new RegExp(`^${NCNAME}$`);
const WHITESPACE_ONLY = /^[ \t\r\n]*$/;
/** Characters XML 1.0 does not allow anywhere in a document. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: XML forbids them.
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const REFERENCE = /&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));|&/g;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

class Malformed extends Error {}
class TooDeep extends Error {}
class TooManyNodes extends Error {}

/** Shared by every element without attributes. */
const NO_ATTRIBUTES: readonly string[] = Object.freeze([]);

/** The value of an unprefixed attribute of `element`, or undefined. */
export function attributeValue(element: XmlElement, name: string): string | undefined {
  const { attributes } = element;
  for (let index = 0; index < attributes.length; index += 2) {
    if (attributes[index] === name) return attributes[index + 1];
  }
  return undefined;
}

function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Replaces the five predefined entities and numeric references; any other `&` is malformed. */
function decodeReferences(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(REFERENCE, (whole, hex: string | undefined, decimal: string | undefined, name?: string) => {
    if (name) return PREDEFINED[name] as string;
    if (hex === undefined && decimal === undefined) throw new Malformed(`stray & in ${whole}`);
    const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
    if (!isXmlCharacter(code)) throw new Malformed("reference to a character XML forbids");
    return String.fromCodePoint(code);
  });
}

type OpenElement = {
  qualifiedName: string;
  element: XmlElement;
  /**
   * The prefixes this element declares ("" for a default namespace), or null. A prefix resolves
   * by walking up the open elements (at most maxDepth), never by copying maps down: copying let a
   * root with many declarations make every child expensive.
   */
  declared: Map<string, string> | null;
};

/** Prefixes bound without a declaration. */
const PREDECLARED = new Map([
  ["xml", XML_NAMESPACE],
  ["xmlns", XMLNS_NAMESPACE],
]);

/** How many more elements and attributes the tree may take. */
type Budget = { nodes: number };

/**
 * Reads `xml` (already decoded, without a byte order mark) into a tree. The caller should have
 * refused DOCTYPE and ENTITY declarations first; this reader treats any `<!` other than a comment
 * or a CDATA section as malformed anyway. Depth is counted while scanning, so a file nested
 * deeper than `maxDepth` is refused at the element that crosses it, in time linear in what was
 * read, and every tree handed out is at most `maxDepth` deep (safe to walk recursively).
 */
export function readXml(xml: string, limits: XmlLimits): XmlReadResult {
  try {
    return readOrThrow(xml, limits);
  } catch (error) {
    if (error instanceof TooDeep) return { ok: false, reason: "tooDeep" };
    if (error instanceof TooManyNodes) return { ok: false, reason: "tooManyNodes" };
    if (error instanceof Malformed) return { ok: false, reason: "malformed" };
    throw error;
  }
}

function readOrThrow(xml: string, { maxDepth, maxNodes }: XmlLimits): XmlReadResult {
  if (FORBIDDEN_CHARACTERS.test(xml)) throw new Malformed("forbidden character");
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  // Elements and attributes count alike: each is memory in the tree.
  const budget: Budget = { nodes: maxNodes };
  let position = 0;

  // The XML declaration may only open the document.
  if (xml.startsWith("<?xml") && /^<\?xml[ \t\r\n]/.test(xml)) {
    const end = xml.indexOf("?>");
    if (end < 0) throw new Malformed("unclosed XML declaration");
    checkDeclaration(xml.slice(0, end + 2));
    position = end + 2;
  }

  while (position < xml.length) {
    const next = xml.indexOf("<", position);
    const textEnd = next < 0 ? xml.length : next;
    if (textEnd > position) {
      const raw = xml.slice(position, textEnd);
      const open = stack[stack.length - 1];
      if (open) {
        if (raw.includes("]]>")) throw new Malformed("]]> in text");
        open.element.text += decodeReferences(raw);
      } else if (!WHITESPACE_ONLY.test(raw)) {
        throw new Malformed("text outside the root element");
      }
    }
    if (next < 0) break;
    position = next;

    if (xml.startsWith("<!--", position)) {
      const end = xml.indexOf("-->", position + 4);
      if (end < 0) throw new Malformed("unclosed comment");
      // "--" may not appear inside a comment, nor may the comment end in "-" ("--->").
      if (xml.slice(position + 4, end).includes("--") || (end > position + 4 && xml[end - 1] === "-")) {
        throw new Malformed("-- inside a comment");
      }
      position = end + 3;
    } else if (xml.startsWith("<![CDATA[", position)) {
      const open = stack[stack.length - 1];
      if (!open) throw new Malformed("CDATA outside the root element");
      const end = xml.indexOf("]]>", position + 9);
      if (end < 0) throw new Malformed("unclosed CDATA section");
      open.element.text += xml.slice(position + 9, end);
      position = end + 3;
    } else if (xml.startsWith("<!", position)) {
      throw new Malformed("declaration");
    } else if (xml.startsWith("<?", position)) {
      const end = xml.indexOf("?>", position + 2);
      if (end < 0) throw new Malformed("unclosed processing instruction");
      const target = /^<\?([^ \t\r\n?]+)/.exec(xml.slice(position, Math.min(end + 2, position + 200)))?.[1];
      if (!target || !PI_TARGET.test(target) || target.toLowerCase() === "xml") {
        throw new Malformed("bad processing instruction");
      }
      position = end + 2;
    } else if (xml.startsWith("</", position)) {
      END_TAG.lastIndex = position;
      const match = END_TAG.exec(xml);
      const open = stack.pop();
      if (!match || !open || match[1] !== open.qualifiedName) throw new Malformed("mismatched end tag");
      position = END_TAG.lastIndex;
    } else {
      if (root && stack.length === 0) throw new Malformed("a second root element");
      if (stack.length >= maxDepth) throw new TooDeep();
      const opened = readStartTag(xml, position, stack, budget);
      position = opened.end;
      const parent = stack[stack.length - 1];
      if (parent) parent.element.children.push(opened.open.element);
      else root = opened.open.element;
      if (!opened.selfClosing) stack.push(opened.open);
    }
  }
  if (stack.length > 0 || !root) throw new Malformed("unclosed element or no root");
  return { ok: true, root };
}

/** The XML declaration: version 1.0, and an encoding we decode (UTF-8 or UTF-16) when named. */
function checkDeclaration(declaration: string): void {
  if (!/^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1/.test(declaration)) {
    throw new Malformed("bad XML declaration");
  }
  const encoding = /encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/.exec(declaration)?.[2];
  if (encoding !== undefined && !/^utf-?(8|16)$/i.test(encoding)) throw new Malformed("unsupported encoding");
}

function spend(budget: Budget): void {
  budget.nodes -= 1;
  if (budget.nodes < 0) throw new TooManyNodes();
}

function readStartTag(
  xml: string,
  start: number,
  stack: readonly OpenElement[],
  budget: Budget,
): { open: OpenElement; end: number; selfClosing: boolean } {
  spend(budget);
  START_TAG_NAME.lastIndex = start + 1;
  const nameMatch = START_TAG_NAME.exec(xml);
  if (!nameMatch) throw new Malformed("bad element name");
  const qualifiedName = nameMatch[1] as string;
  let position = START_TAG_NAME.lastIndex;

  // Unprefixed attributes as name, value, name, value… (see XmlElement.attributes).
  let attributes: string[] | null = null;
  let declared: Map<string, string> | null = null;
  let prefixedNames: string[] | null = null;
  // Every attribute name seen, for the duplicate check once there are more than a few.
  let seen: Set<string> | null = null;
  const names: string[] = [];
  let selfClosing = false;
  for (;;) {
    TAG_END.lastIndex = position;
    const tagEnd = TAG_END.exec(xml);
    if (tagEnd) {
      position = TAG_END.lastIndex;
      selfClosing = tagEnd[1] === "/";
      break;
    }
    ATTRIBUTE.lastIndex = position;
    const attribute = ATTRIBUTE.exec(xml);
    if (!attribute) throw new Malformed("bad attribute or unclosed start tag");
    position = ATTRIBUTE.lastIndex;
    spend(budget);

    const name = attribute[1] as string;
    if (seen ? seen.has(name) : names.includes(name)) throw new Malformed("duplicate attribute");
    names.push(name);
    if (!seen && names.length > 8) seen = new Set(names);
    else seen?.add(name);

    const value = decodeReferences(attribute[2] ?? attribute[3] ?? "");
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      const prefix = name === "xmlns" ? "" : name.slice(6);
      if (prefix === "xml" || prefix === "xmlns") throw new Malformed("reserved prefix declared");
      if (prefix !== "" && value === "") throw new Malformed("prefix undeclared");
      declared ??= new Map();
      declared.set(prefix, value);
    } else if (name.includes(":")) {
      prefixedNames ??= [];
      prefixedNames.push(name);
    } else {
      attributes ??= [];
      attributes.push(name, value);
    }
  }

  for (const name of prefixedNames ?? []) {
    if (resolvePrefix(name.slice(0, name.indexOf(":")), declared, stack) === undefined) {
      throw new Malformed("unbound attribute prefix");
    }
  }
  const colon = qualifiedName.indexOf(":");
  const prefix = colon < 0 ? "" : qualifiedName.slice(0, colon);
  const namespace = resolvePrefix(prefix, declared, stack);
  if (namespace === undefined && prefix !== "") throw new Malformed("unbound element prefix");

  return {
    open: {
      qualifiedName,
      declared,
      element: {
        namespace: namespace ?? "",
        localName: colon < 0 ? qualifiedName : qualifiedName.slice(colon + 1),
        attributes: attributes ?? NO_ATTRIBUTES,
        children: [],
        text: "",
      },
    },
    end: position,
    selfClosing,
  };
}

/** The URI of `prefix` on an element declaring `declared` below the open `stack`; undefined when unbound. */
function resolvePrefix(
  prefix: string,
  declared: Map<string, string> | null,
  stack: readonly OpenElement[],
): string | undefined {
  const own = declared?.get(prefix);
  if (own !== undefined) return own;
  for (let index = stack.length - 1; index >= 0; index--) {
    const uri = stack[index]?.declared?.get(prefix);
    if (uri !== undefined) return uri;
  }
  return PREDECLARED.get(prefix);
}
