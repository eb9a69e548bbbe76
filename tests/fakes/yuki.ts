import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { XMLParser } from "fast-xml-parser";

/**
 * A local stand-in for Yuki's SOAP web services (../shared/reference/connectors.md §2.9): a real
 * HTTP server on 127.0.0.1 answering POST /ws/Archive.asmx and /ws/Backoffice.asmx the way ASMX
 * does. It keeps its own copy of each operation's WSDL parameter order (not the connector's) and
 * answers a fault when the envelope's children are out of order, unknown or missing, so a wrong
 * order fails a test. It also plays the wrong region, expired sessions, the daily quota, 5xx
 * answers and an answer lost after the upload was stored.
 *
 * Fault texts: the first three are Yuki's own (reference §2.7); the session and quota texts are
 * assumptions (lib/connectors/api/yuki/assumptions.ts) and deliberately wrapped the way ASMX
 * wraps exceptions, so the connector must match them inside longer text.
 */

export type FakeYukiRegion = "be" | "nl";

export type FakeYukiAdministration = { id: string; name: string; city: string; vatNumber: string };
export type FakeYukiFolder = { id: number; description: string };

export type StoredYukiDocument = {
  id: string;
  administrationId: string;
  folder: number;
  fileName: string;
  content: Uint8Array;
  /** The second file of UploadDocumentWithAttachment (the UBL XML). */
  attachment: { fileName: string; content: Uint8Array } | null;
  /** The extra fields of UploadDocumentWithAttachment, as received. */
  extra: Record<string, string> | null;
};

export type FakeYukiOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The region this server plays (default "be"). */
  region?: FakeYukiRegion;
  /** Known access keys and the region of their domain (default: FAKE_YUKI_ACCESS_KEY in this server's region). */
  accessKeys?: Record<string, FakeYukiRegion>;
  administrations?: FakeYukiAdministration[];
  folders?: FakeYukiFolder[];
  /** Calls per day before the quota fault (default: unlimited). Every call counts, Authenticate too. */
  dailyQuota?: number;
};

export const FAKE_YUKI_ACCESS_KEY = "5d2c7a1e-3f4b-4c8d-9e0f-1a2b3c4d5e6f";

export const FAKE_YUKI_ADMINISTRATIONS: FakeYukiAdministration[] = [
  {
    id: "0b9f8a52-6c1d-4e2f-8a3b-4c5d6e7f8091",
    name: "Bakkerij Wouters BV",
    city: "Gent",
    vatNumber: "BE0123.456.749",
  },
  { id: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", name: "Slagerij Peeters", city: "Leuven", vatNumber: "BE0987.654.321" },
];

/** Folder numbers are made up on purpose: Yuki's are not public and the connector must not know them. */
export const FAKE_YUKI_FOLDERS: FakeYukiFolder[] = [
  { id: 11, description: "Inkoop" },
  { id: 12, description: "Verkoop" },
  { id: 17, description: "Te verwerken door Yuki" },
  { id: 18, description: "Overige" },
];

/** Each operation's service and parameters in WSDL order; `optional` ones may be left out (minOccurs 0). */
const WSDL: Record<string, { service: "Archive" | "Backoffice"; parameters: string[]; optional?: string[] }> = {
  Authenticate: { service: "Archive", parameters: ["accessKey"] },
  Administrations: { service: "Archive", parameters: ["sessionID"] },
  DocumentFolders: { service: "Archive", parameters: ["sessionID"] },
  UploadDocument: { service: "Archive", parameters: ["sessionID", "fileName", "data", "folder", "administrationID"] },
  UploadDocumentWithAttachment: {
    service: "Archive",
    parameters: [
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
    optional: ["currency", "costCategory", "project", "remarks"],
  },
  FindDocument: { service: "Archive", parameters: ["sessionID", "documentID"] },
  SearchDocuments: {
    service: "Archive",
    parameters: [
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
  },
  GetWorkflow: { service: "Backoffice", parameters: ["sessionID", "administrationID"] },
};

const NAMESPACE = "http://www.theyukicompany.com/";

export const FAKE_YUKI_FAULTS = {
  authenticationFailed: "Authentication failed.",
  administrationNotFound: "Administration not found.",
  noActiveDatabase: "Domain has no active database.",
  sessionExpired: "Session expired or invalid session ID.",
  quotaExceeded: "The maximum number of API calls per day has been exceeded.",
} as const;

type Element = { name: string; text: string; children: Element[] };

const requestParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
});

/** preserveOrder output → elements in document order (text joined, attributes dropped). */
function elementsOf(nodes: unknown): Element[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node: Record<string, unknown>) => {
    const name = Object.keys(node).find((key) => key !== ":@" && key !== "#text");
    if (!name || name.startsWith("?")) return [];
    const inner = node[name];
    const text = Array.isArray(inner)
      ? inner
          .map((child: Record<string, unknown>) => (typeof child["#text"] === "string" ? child["#text"] : ""))
          .join("")
      : "";
    return [{ name, text, children: elementsOf(inner) }];
  });
}

function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function envelope(body: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

class Fault extends Error {
  constructor(
    readonly faultString: string,
    readonly faultCode = "soap:Server",
  ) {
    super(faultString);
  }
}

/** ASMX wraps an exception thrown by the service like this. */
function serviceFault(text: string): Fault {
  return new Fault(`System.Web.Services.Protocols.SoapException: Server was unable to process request. ---> ${text}`);
}

function documentXml(document: StoredYukiDocument): string {
  return (
    `<Document ID="${document.id}"><Subject>${escapeXml(document.fileName)}</Subject>` +
    `<DocumentDate>0001-01-01T00:00:00</DocumentDate><Folder>${document.folder}</Folder>` +
    `<FileName>${escapeXml(document.fileName)}</FileName></Document>`
  );
}

export async function startFakeYuki(options: FakeYukiOptions = {}) {
  const region = options.region ?? "be";
  const accessKeys: Record<string, FakeYukiRegion> = Object.fromEntries(
    Object.entries(options.accessKeys ?? { [FAKE_YUKI_ACCESS_KEY]: region }).map(([key, keyRegion]) => [
      key.toLowerCase(),
      keyRegion,
    ]),
  );
  const administrations = options.administrations ?? FAKE_YUKI_ADMINISTRATIONS;
  const folders = options.folders ?? FAKE_YUKI_FOLDERS;
  let dailyQuota = options.dailyQuota ?? Number.POSITIVE_INFINITY;
  let callsToday = 0;

  /** Session id → the access key it belongs to. */
  const sessions = new Map<string, string>();
  const documents: StoredYukiDocument[] = [];
  const calls: Record<string, number> = {};
  const requests: Array<{ operation: string; path: string; soapAction: string; contentType: string }> = [];
  const workflow: Array<{ documentId: string; reason: string }> = [];
  const failures = new Map<
    string,
    { status: number; times: number; body?: string; headers?: Record<string, string> }
  >();
  const lostResponses = new Map<string, number>();

  function checkOrder(operation: string, children: Element[]): Map<string, string> {
    const definition = WSDL[operation];
    if (!definition)
      throw new Fault(`Server did not recognize the value of HTTP Header SOAPAction: ${operation}.`, "soap:Client");
    const values = new Map<string, string>();
    let position = 0;
    for (const child of children) {
      const index = definition.parameters.indexOf(child.name, position);
      if (index === -1) {
        throw new Fault(
          `System.InvalidOperationException: Server was unable to read request. ---> There is an error in XML document. ---> <${child.name} xmlns='${NAMESPACE}'> was not expected.`,
          "soap:Client",
        );
      }
      position = index + 1;
      values.set(child.name, child.text);
    }
    const missing = definition.parameters.filter(
      (name) => !values.has(name) && !(definition.optional ?? []).includes(name),
    );
    if (missing.length > 0) {
      throw new Fault(`Server was unable to read request. ---> missing required parameter(s): ${missing.join(", ")}.`);
    }
    return values;
  }

  function keyOfSession(values: Map<string, string>): string {
    const accessKey = sessions.get(values.get("sessionID") ?? "");
    if (!accessKey) throw serviceFault(FAKE_YUKI_FAULTS.sessionExpired);
    if (accessKeys[accessKey] !== region) throw serviceFault(FAKE_YUKI_FAULTS.noActiveDatabase);
    return accessKey;
  }

  function administrationOf(values: Map<string, string>): string {
    const id = (values.get("administrationID") ?? "").toLowerCase();
    if (!administrations.some((administration) => administration.id.toLowerCase() === id))
      throw serviceFault(FAKE_YUKI_FAULTS.administrationNotFound);
    return id;
  }

  function folderOf(values: Map<string, string>): number {
    const folder = Number(values.get("folder"));
    if (!folders.some((candidate) => candidate.id === folder)) throw serviceFault(`Folder ${folder} does not exist.`);
    return folder;
  }

  /** Runs one operation; returns the XML inside <OpResponse>. */
  function perform(operation: string, values: Map<string, string>): string {
    if (operation === "Authenticate") {
      const accessKey = (values.get("accessKey") ?? "").toLowerCase();
      if (!(accessKey in accessKeys)) throw serviceFault(FAKE_YUKI_FAULTS.authenticationFailed);
      const sessionId = randomUUID();
      sessions.set(sessionId, accessKey);
      return `<AuthenticateResult>${sessionId}</AuthenticateResult>`;
    }
    keyOfSession(values);
    switch (operation) {
      case "Administrations":
        return (
          '<AdministrationsResult><Administrations xmlns="">' +
          administrations
            .map(
              (administration) =>
                `<Administration ID="${administration.id}"><Name>${escapeXml(administration.name)}</Name>` +
                `<AddressLine>Kerkstraat 1</AddressLine><Postcode>9000</Postcode><City>${escapeXml(administration.city)}</City>` +
                `<Country>BE</Country><CoCNumber /><VATNumber>${escapeXml(administration.vatNumber)}</VATNumber></Administration>`,
            )
            .join("") +
          "</Administrations></AdministrationsResult>"
        );
      case "DocumentFolders":
        return (
          '<DocumentFoldersResult><DocumentFolders xmlns="">' +
          folders
            .map(
              (folder) =>
                `<Folder ID="${folder.id}"><Description>${escapeXml(folder.description)}</Description></Folder>`,
            )
            .join("") +
          "</DocumentFolders></DocumentFoldersResult>"
        );
      case "UploadDocument":
      case "UploadDocumentWithAttachment": {
        const isPair = operation === "UploadDocumentWithAttachment";
        const administrationId = administrationOf(values);
        const folder = folderOf(values);
        const fileName = values.get(isPair ? "fileName1" : "fileName") ?? "";
        const data = values.get(isPair ? "data1" : "data") ?? "";
        if (!fileName || !data) throw serviceFault("File name and data are required.");
        const document: StoredYukiDocument = {
          id: randomUUID(),
          administrationId,
          folder,
          fileName,
          content: new Uint8Array(Buffer.from(data, "base64")),
          attachment: isPair
            ? {
                fileName: values.get("fileName2") ?? "",
                content: new Uint8Array(Buffer.from(values.get("data2") ?? "", "base64")),
              }
            : null,
          extra: isPair
            ? Object.fromEntries(
                ["currency", "amount", "costCategory", "paymentMethod", "project", "remarks"].map((name) => [
                  name,
                  values.get(name) ?? "",
                ]),
              )
            : null,
        };
        documents.push(document);
        return `<${operation}Result>${document.id}</${operation}Result>`;
      }
      case "FindDocument": {
        const document = documents.find((candidate) => candidate.id === values.get("documentID"));
        return `<FindDocumentResult>${document ? documentXml(document) : ""}</FindDocumentResult>`;
      }
      case "SearchDocuments": {
        const text = (values.get("searchText") ?? "").toLowerCase();
        const folderId = Number(values.get("folderID"));
        const limit = Number(values.get("numberOfRecords")) || 100;
        const found = documents
          .filter((document) => folderId === -1 || document.folder === folderId)
          .filter((document) => text !== "" && document.fileName.toLowerCase().includes(text))
          .reverse()
          .slice(0, limit);
        return `<SearchDocumentsResult><Documents xmlns="">${found.map(documentXml).join("")}</Documents></SearchDocumentsResult>`;
      }
      case "GetWorkflow": {
        const administrationId = administrationOf(values);
        const items = workflow.filter((item) =>
          documents.some(
            (document) => document.id === item.documentId && document.administrationId === administrationId,
          ),
        );
        return (
          '<GetWorkflowResult><Workflow xmlns="">' +
          items
            .map(
              (item) =>
                `<Item><DocumentID>${item.documentId}</DocumentID><Reason>${escapeXml(item.reason)}</Reason></Item>`,
            )
            .join("") +
          "</Workflow></GetWorkflowResult>"
        );
      }
      default:
        throw new Fault(`Unknown operation ${operation}.`, "soap:Client");
    }
  }

  function answer(res: ServerResponse, status: number, body: string) {
    res.writeHead(status, { "content-type": "text/xml; charset=utf-8" });
    res.end(body);
  }

  function handle(req: IncomingMessage, raw: string, res: ServerResponse) {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const soapAction = String(req.headers.soapaction ?? "").replace(/^"|"$/g, "");
    const contentType = String(req.headers["content-type"] ?? "");
    const serviceMatch = /^\/ws\/(Archive|Backoffice)\.asmx$/.exec(path);
    if (req.method !== "POST" || !serviceMatch) {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html><body>404 - not found</body></html>");
      return;
    }
    const operation = soapAction.startsWith(NAMESPACE) ? soapAction.slice(NAMESPACE.length) : soapAction;
    requests.push({ operation, path, soapAction, contentType });
    calls[operation] = (calls[operation] ?? 0) + 1;

    const failure = failures.get(operation);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      res.writeHead(failure.status, {
        "content-type": failure.body ? "text/xml; charset=utf-8" : "text/html",
        ...failure.headers,
      });
      res.end(failure.body ?? "<html><body>Service Unavailable</body></html>");
      return;
    }

    try {
      if (!contentType.startsWith("text/xml"))
        throw new Fault(`Unsupported content type ${contentType}.`, "soap:Client");
      const definition = WSDL[operation];
      if (!definition || definition.service !== serviceMatch[1])
        throw new Fault(`Server did not recognize the value of HTTP Header SOAPAction: ${soapAction}.`, "soap:Client");
      const [envelopeElement] = elementsOf(requestParser.parse(raw));
      const body =
        envelopeElement?.name === "Envelope"
          ? envelopeElement.children.find((child) => child.name === "Body")
          : undefined;
      const call = body?.children[0];
      if (!call || call.name !== operation)
        throw new Fault(`Server was unable to read request. ---> The body does not hold ${operation}.`, "soap:Client");

      callsToday += 1;
      if (callsToday > dailyQuota) throw serviceFault(FAKE_YUKI_FAULTS.quotaExceeded);

      const values = checkOrder(operation, call.children);
      const result = perform(operation, values);
      const lose = lostResponses.get(operation) ?? 0;
      if (lose > 0) {
        // Stored, but the caller never hears about it.
        lostResponses.set(operation, lose - 1);
        req.socket.destroy();
        return;
      }
      answer(res, 200, envelope(`<${operation}Response xmlns="${NAMESPACE}">${result}</${operation}Response>`));
    } catch (error) {
      if (!(error instanceof Fault)) throw error;
      answer(
        res,
        500,
        envelope(
          `<soap:Fault><faultcode>${error.faultCode}</faultcode><faultstring>${escapeXml(error.faultString)}</faultstring><detail /></soap:Fault>`,
        ),
      );
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => handle(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    /** The base URL a Yuki connection uses (no trailing slash), e.g. http://127.0.0.1:PORT. */
    url: `http://127.0.0.1:${port}`,
    port,
    region,
    documents,
    /** Requests per operation name (every request, also the refused ones). */
    calls,
    requests,
    callCount(operation: string): number {
      return calls[operation] ?? 0;
    },
    /** Every issued session stops working (as after Yuki's session lifetime). */
    expireSessions() {
      sessions.clear();
    },
    /** From now on every call faults with the daily-quota text until resetQuota. */
    exhaustQuota() {
      dailyQuota = callsToday;
    },
    resetQuota(limit = Number.POSITIVE_INFINITY) {
      callsToday = 0;
      dailyQuota = limit;
    },
    /**
     * The next `times` calls of `operation` answer `status` (default 503) with an HTML page, no
     * fault; or with `body` (e.g. a SOAP fault a proxy passes on) and extra `headers`.
     */
    failNext(
      operation: string,
      options: { status?: number; times?: number; body?: string; headers?: Record<string, string> } = {},
    ) {
      failures.set(operation, {
        status: options.status ?? 503,
        times: options.times ?? 1,
        body: options.body,
        headers: options.headers,
      });
    },
    /** The next call of `operation` is carried out (a document stored) and the connection dropped unanswered. */
    loseNextResponse(operation: string) {
      lostResponses.set(operation, (lostResponses.get(operation) ?? 0) + 1);
    },
    /** Lists a stored document in Backoffice GetWorkflow (could not be processed automatically). */
    addWorkflowItem(documentId: string, reason: string) {
      workflow.push({ documentId, reason });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeYuki = Awaited<ReturnType<typeof startFakeYuki>>;
