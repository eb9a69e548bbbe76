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
  /** Attributes without a prefix (the only ones UBL's basic components use), entity-decoded. */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA, without its children's), decoded. */
  text: string;
};

export type XmlReadResult = { ok: true; root: XmlElement } | { ok: false; reason: "malformed" | "tooDeep" };

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
  /** Prefix → URI in scope (shared with the parent unless this element declares namespaces). */
  namespaces: Map<string, string>;
  /** Raw pieces of character data, joined when the element closes. */
  text: string[];
};

class TooDeep extends Error {}

/**
 * Reads `xml` (already decoded, without a byte order mark) into a tree. The caller should have
 * refused DOCTYPE and ENTITY declarations first; this reader treats any `<!` other than a comment
 * or a CDATA section as malformed anyway. Depth is counted while scanning, so a file nested
 * deeper than `maxDepth` is refused at the element that crosses it, in time linear in what was
 * read, and every tree handed out is at most `maxDepth` deep (safe to walk recursively).
 */
export function readXml(xml: string, maxDepth: number): XmlReadResult {
  try {
    return readOrThrow(xml, maxDepth);
  } catch (error) {
    if (error instanceof TooDeep) return { ok: false, reason: "tooDeep" };
    if (error instanceof Malformed) return { ok: false, reason: "malformed" };
    throw error;
  }
}

function readOrThrow(xml: string, maxDepth: number): XmlReadResult {
  if (FORBIDDEN_CHARACTERS.test(xml)) throw new Malformed("forbidden character");
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  let position = 0;

  // The XML declaration may only open the document.
  if (xml.startsWith("<?xml") && /^<\?xml[ \t\r\n]/.test(xml)) {
    const end = xml.indexOf("?>");
    if (end < 0) throw new Malformed("unclosed XML declaration");
    checkDeclaration(xml.slice(0, end + 2));
    position = end + 2;
  }

  const rootNamespaces = new Map<string, string>([
    ["xml", XML_NAMESPACE],
    ["xmlns", XMLNS_NAMESPACE],
  ]);

  while (position < xml.length) {
    const next = xml.indexOf("<", position);
    const textEnd = next < 0 ? xml.length : next;
    if (textEnd > position) {
      const raw = xml.slice(position, textEnd);
      const open = stack[stack.length - 1];
      if (open) {
        if (raw.includes("]]>")) throw new Malformed("]]> in text");
        open.text.push(decodeReferences(raw));
      } else if (!WHITESPACE_ONLY.test(raw)) {
        throw new Malformed("text outside the root element");
      }
    }
    if (next < 0) break;
    position = next;

    if (xml.startsWith("<!--", position)) {
      const end = xml.indexOf("-->", position + 4);
      if (end < 0) throw new Malformed("unclosed comment");
      if (xml.slice(position + 4, end).includes("--") || xml[end - 1] === "-") {
        throw new Malformed("-- inside a comment");
      }
      position = end + 3;
    } else if (xml.startsWith("<![CDATA[", position)) {
      const open = stack[stack.length - 1];
      if (!open) throw new Malformed("CDATA outside the root element");
      const end = xml.indexOf("]]>", position + 9);
      if (end < 0) throw new Malformed("unclosed CDATA section");
      open.text.push(xml.slice(position + 9, end));
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
      open.element.text = open.text.join("");
      position = END_TAG.lastIndex;
    } else {
      if (root && stack.length === 0) throw new Malformed("a second root element");
      if (stack.length >= maxDepth) throw new TooDeep();
      const opened = readStartTag(xml, position, stack[stack.length - 1]?.namespaces ?? rootNamespaces);
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

function readStartTag(
  xml: string,
  start: number,
  inherited: Map<string, string>,
): { open: OpenElement; end: number; selfClosing: boolean } {
  START_TAG_NAME.lastIndex = start + 1;
  const nameMatch = START_TAG_NAME.exec(xml);
  if (!nameMatch) throw new Malformed("bad element name");
  const qualifiedName = nameMatch[1] as string;
  let position = START_TAG_NAME.lastIndex;

  const rawAttributes = new Map<string, string>();
  for (;;) {
    TAG_END.lastIndex = position;
    const end = TAG_END.exec(xml);
    if (end) {
      position = TAG_END.lastIndex;
      return finishStartTag(qualifiedName, rawAttributes, inherited, position, end[1] === "/");
    }
    ATTRIBUTE.lastIndex = position;
    const attribute = ATTRIBUTE.exec(xml);
    if (!attribute) throw new Malformed("bad attribute or unclosed start tag");
    const name = attribute[1] as string;
    if (rawAttributes.has(name)) throw new Malformed("duplicate attribute");
    rawAttributes.set(name, decodeReferences(attribute[2] ?? attribute[3] ?? ""));
    position = ATTRIBUTE.lastIndex;
  }
}

function finishStartTag(
  qualifiedName: string,
  rawAttributes: Map<string, string>,
  inherited: Map<string, string>,
  end: number,
  selfClosing: boolean,
): { open: OpenElement; end: number; selfClosing: boolean } {
  let namespaces = inherited;
  for (const [name, value] of rawAttributes) {
    if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
    if (namespaces === inherited) namespaces = new Map(inherited);
    const prefix = name === "xmlns" ? "" : name.slice(6);
    if (prefix === "xml" || prefix === "xmlns") throw new Malformed("reserved prefix declared");
    if (prefix !== "" && value === "") throw new Malformed("prefix undeclared");
    namespaces.set(prefix, value);
  }

  const attributes = new Map<string, string>();
  for (const [name, value] of rawAttributes) {
    if (name === "xmlns" || name.startsWith("xmlns:")) continue;
    const colon = name.indexOf(":");
    if (colon < 0) attributes.set(name, value);
    else if (!namespaces.has(name.slice(0, colon))) throw new Malformed("unbound attribute prefix");
  }

  const colon = qualifiedName.indexOf(":");
  const prefix = colon < 0 ? "" : qualifiedName.slice(0, colon);
  const namespace = namespaces.get(prefix);
  if (namespace === undefined && prefix !== "") throw new Malformed("unbound element prefix");

  return {
    open: {
      qualifiedName,
      namespaces,
      text: [],
      element: {
        namespace: namespace ?? "",
        localName: colon < 0 ? qualifiedName : qualifiedName.slice(colon + 1),
        attributes,
        children: [],
        text: "",
      },
    },
    end,
    selfClosing,
  };
}
