import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import {
  buildEnvelope,
  type OperationInput,
  parseSoapResponse,
  servicePathOf,
  soapActionOf,
  YUKI_OPERATIONS,
  type YukiOperation,
} from "@/lib/connectors/api/yuki/soap";

// WSDL sequences as the generated Archive client and the Backoffice client show them (reference
// §2.4, §2.7), written out here rather than read from the connector, so a wrong order fails.
const WSDL_ORDER: Record<YukiOperation, string[]> = {
  Authenticate: ["accessKey"],
  Administrations: ["sessionID"],
  DocumentFolders: ["sessionID"],
  UploadDocument: ["sessionID", "fileName", "data", "folder", "administrationID"],
  UploadDocumentWithAttachment: [
    "sessionID",
    "fileName1",
    "data1",
    "fileName2",
    "data2",
    "folder",
    "administrationID",
    "currency",
    "amount",
    "costCategory",
    "paymentMethod",
    "project",
    "remarks",
  ],
  FindDocument: ["sessionID", "documentID"],
  SearchDocuments: [
    "sessionID",
    "searchOption",
    "searchText",
    "folderID",
    "tabID",
    "sortOrder",
    "startDate",
    "endDate",
    "numberOfRecords",
    "startRecord",
  ],
  GetWorkflow: ["sessionID", "administrationID"],
};

/** Sample input per operation, deliberately written in reverse order to show order comes from the WSDL. */
const SAMPLES: { [Op in YukiOperation]: OperationInput<Op> } = {
  Authenticate: { accessKey: "5d2c7a1e-3f4b-4c8d-9e0f-1a2b3c4d5e6f" },
  Administrations: { sessionID: "s" },
  DocumentFolders: { sessionID: "s" },
  UploadDocument: {
    administrationID: "a",
    folder: 7,
    data: new Uint8Array([1, 2, 3]),
    fileName: "f.pdf",
    sessionID: "s",
  },
  UploadDocumentWithAttachment: {
    remarks: "",
    project: "",
    paymentMethod: 0,
    costCategory: "",
    amount: 0,
    currency: "EUR",
    administrationID: "a",
    folder: 7,
    data2: new Uint8Array([4]),
    fileName2: "f.xml",
    data1: new Uint8Array([5]),
    fileName1: "f.pdf",
    sessionID: "s",
  },
  FindDocument: { documentID: "d", sessionID: "s" },
  SearchDocuments: {
    startRecord: 1,
    numberOfRecords: 25,
    endDate: "0001-01-01T00:00:00",
    startDate: "0001-01-01T00:00:00",
    sortOrder: "CreatedDesc",
    tabID: -1,
    folderID: -1,
    searchText: "KP1",
    searchOption: "All",
    sessionID: "s",
  },
  GetWorkflow: { administrationID: "a", sessionID: "s" },
};

const orderedParser = new XMLParser({ preserveOrder: true, removeNSPrefix: true, ignoreAttributes: false });

function childNamesOfCall(xml: string, operation: string): string[] {
  type Node = Record<string, Node[]>;
  const nameOf = (node: Node) => Object.keys(node).find((key) => key !== ":@" && key !== "#text") ?? "";
  const find = (nodes: Node[], name: string) => nodes.find((node) => nameOf(node) === name)?.[name] ?? [];
  const body = find(find(orderedParser.parse(xml) as Node[], "Envelope"), "Body");
  return find(body, operation).map(nameOf);
}

// The XML tree as a reader sees it: namespaces resolved away, every value text, attributes kept.
const treeParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});
// biome-ignore lint/suspicious/noExplicitAny: a parsed XML tree is walked by name in these tests.
const treeOf = (xml: string): any => treeParser.parse(xml);

/**
 * Envelopes written by the hand-written builder (string concatenation and our own escaping) that
 * XMLBuilder replaced, copied from its output: the new builder must produce the same XML.
 */
const HAND_WRITTEN_ENVELOPES: [YukiOperation, unknown, string][] = [
  [
    "Authenticate",
    { accessKey: "5d2c7a1e-3f4b-4c8d-9e0f-1a2b3c4d5e6f" },
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Authenticate xmlns="http://www.theyukicompany.com/"><accessKey>5d2c7a1e-3f4b-4c8d-9e0f-1a2b3c4d5e6f</accessKey></Authenticate></soap:Body></soap:Envelope>',
  ],
  [
    "UploadDocumentWithAttachment",
    SAMPLES.UploadDocumentWithAttachment,
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><UploadDocumentWithAttachment xmlns="http://www.theyukicompany.com/"><sessionID>s</sessionID><fileName1>f.pdf</fileName1><data1>BQ==</data1><fileName2>f.xml</fileName2><data2>BA==</data2><folder>7</folder><administrationID>a</administrationID><currency>EUR</currency><amount>0</amount><costCategory></costCategory><paymentMethod>0</paymentMethod><project></project><remarks></remarks></UploadDocumentWithAttachment></soap:Body></soap:Envelope>',
  ],
  [
    "FindDocument",
    { sessionID: "s", documentID: `a&b<c>]]>"d'e\u0000f\u0007g\th\ni\r` },
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindDocument xmlns="http://www.theyukicompany.com/"><sessionID>s</sessionID><documentID>a&amp;b&lt;c&gt;]]&gt;&quot;d&apos;efg\th\ni\r</documentID></FindDocument></soap:Body></soap:Envelope>',
  ],
];

describe("Yuki SOAP envelopes", () => {
  it.each(Object.keys(WSDL_ORDER) as YukiOperation[])("writes %s's parameters in WSDL order", (operation) => {
    const xml = buildEnvelope(operation, SAMPLES[operation] as never);
    expect(childNamesOfCall(xml, operation)).toEqual(WSDL_ORDER[operation]);
  });

  it("defines exactly the operations the WSDL list names", () => {
    expect(Object.keys(YUKI_OPERATIONS).sort()).toEqual(Object.keys(WSDL_ORDER).sort());
  });

  it("writes an UploadDocument envelope in Yuki's namespace with base64 data", () => {
    expect(buildEnvelope("UploadDocument", SAMPLES.UploadDocument)).toMatchInlineSnapshot(
      `"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><UploadDocument xmlns="http://www.theyukicompany.com/"><sessionID>s</sessionID><fileName>f.pdf</fileName><data>AQID</data><folder>7</folder><administrationID>a</administrationID></UploadDocument></soap:Body></soap:Envelope>"`,
    );
  });

  it("escapes markup and drops characters XML cannot carry", () => {
    const documentIdIn = (documentID: string) => buildEnvelope("FindDocument", { sessionID: "s", documentID });
    expect(documentIdIn(`a<b>&"c'`)).toContain("<documentID>a&lt;b&gt;&amp;&quot;c&apos;</documentID>");
    expect(documentIdIn("x\u0000y\u0007z\ttab")).toContain("<documentID>xyz\ttab</documentID>");
    const xml = documentIdIn("</documentID><evil/>");
    expect(xml).toContain("<documentID>&lt;/documentID&gt;&lt;evil/&gt;</documentID>");
  });

  it("carries hostile values as text: what Yuki parses is what we sent, minus what XML cannot carry", () => {
    const hostile = `Q1 & Q2 <b>bold</b> ]]> "double" 'single' \u0000nul\u0001soh\u001Fus\uFFFEnon\ttab\nline`;
    const xml = buildEnvelope("UploadDocument", { ...SAMPLES.UploadDocument, fileName: hostile, sessionID: "]]><x/>" });
    const cannotCarry = [...xml].filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe;
    });
    expect(cannotCarry).toEqual([]);
    expect(xml).not.toContain("<b>");
    expect(xml).not.toContain("]]>");
    const call = treeOf(xml).Envelope.Body.UploadDocument;
    expect(call.fileName).toBe(`Q1 & Q2 <b>bold</b> ]]> "double" 'single' nulsohusnon\ttab\nline`);
    expect(call.sessionID).toBe("]]><x/>");
    expect(Object.keys(call).filter((key) => !key.startsWith("@_"))).toEqual(WSDL_ORDER.UploadDocument);
  });

  it("builds the same envelopes as the hand-written builder did (its output kept as fixtures)", () => {
    for (const [operation, input, expected] of HAND_WRITTEN_ENVELOPES) {
      const xml = buildEnvelope(operation, input as never);
      expect(treeOf(xml)).toEqual(treeOf(expected));
      expect(xml).toBe(expected);
    }
  });

  it("refuses a missing or mistyped parameter before anything is sent", () => {
    expect(() => buildEnvelope("FindDocument", { sessionID: "s" } as never)).toThrow(/documentID is missing/);
    expect(() => buildEnvelope("UploadDocument", { ...SAMPLES.UploadDocument, folder: 7.5 })).toThrow(
      /folder must be an integer/,
    );
  });

  it("posts each operation to its service with Yuki's SOAPAction", () => {
    expect(servicePathOf("UploadDocument")).toBe("/ws/Archive.asmx");
    expect(servicePathOf("GetWorkflow")).toBe("/ws/Backoffice.asmx");
    expect(soapActionOf("UploadDocument")).toBe("http://www.theyukicompany.com/UploadDocument");
  });
});

describe("Yuki SOAP responses", () => {
  const wrap = (body: string) =>
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

  it("reads a string result", () => {
    const outcome = parseSoapResponse(
      "Authenticate",
      wrap(
        '<AuthenticateResponse xmlns="http://www.theyukicompany.com/"><AuthenticateResult>abc-123</AuthenticateResult></AuthenticateResponse>',
      ),
    );
    expect(outcome).toEqual({ kind: "result", result: "abc-123" });
  });

  it("keeps numbers and VAT numbers as text", () => {
    const outcome = parseSoapResponse(
      "Administrations",
      wrap(
        '<AdministrationsResponse xmlns="http://www.theyukicompany.com/"><AdministrationsResult><Administrations xmlns="">' +
          '<Administration ID="0b9f8a52-6c1d-4e2f-8a3b-4c5d6e7f8091"><Name>A</Name><VATNumber>0123456749</VATNumber></Administration>' +
          "</Administrations></AdministrationsResult></AdministrationsResponse>",
      ),
    );
    expect(outcome).toEqual({
      kind: "result",
      result: {
        Administrations: {
          Administration: [{ "@_ID": "0b9f8a52-6c1d-4e2f-8a3b-4c5d6e7f8091", Name: "A", VATNumber: "0123456749" }],
        },
      },
    });
  });

  it("reads a fault's faultstring", () => {
    const outcome = parseSoapResponse(
      "UploadDocument",
      wrap(
        "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; Administration not found.</faultstring><detail /></soap:Fault>",
      ),
    );
    expect(outcome).toEqual({
      kind: "fault",
      faultString: "Server was unable to process request. ---> Administration not found.",
    });
  });

  it("returns null for anything that is not a SOAP envelope", () => {
    expect(parseSoapResponse("Authenticate", "<html><body>Service Unavailable</body></html>")).toBeNull();
    expect(parseSoapResponse("Authenticate", "not xml at all <<<")).toBeNull();
    expect(parseSoapResponse("Authenticate", wrap("<OtherResponse/>"))).toBeNull();
  });
});
