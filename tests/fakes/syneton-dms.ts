import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Syneton's Admin-IS / Admin-Consult REST API, a real HTTP server on
 * 127.0.0.1, following ../shared/reference/connectors.md §5 (and the public SDK it cites):
 * - `GET /api/v1/token/{apiKey}` → `{ TokenGuid, TimeToLive }`; an unknown key → 401.
 * - every other call needs the `synetonToken` header; an unknown or expired token → 403
 *   `{ "ErrorMessage": "No valid configuration for token" }`; more calls than `rateLimit` per
 *   window → 403 "You are throttling the system".
 * - `GET /api/v1/customers?per_page&page` → an array of customer records, a Link header
 *   (`rel="next"`) while more pages follow.
 * - the DMS documents resource (assumed, like the connector's defaults; `documentsPath` and
 *   `fields` move it): `POST` a JSON body with CustomerId, Keyword, FileName, Content (base64) and
 *   Reference → 201 `{ DocumentId }`; an unknown customer → 400 "Customer … does not exist", an
 *   unknown keyword or a file that is not a PDF → 400 (refusals). `GET ?Filter=Reference eq '…'
 *   and CustomerId eq n` → the matching documents, or 404 "Nothing found".
 * - injected failures (`failNext`), a response lost after the document was filed, or withheld
 *   (`holdAnswerOfUpload`: filed, then no answer until the client goes away, so a test can kill the
 *   process that has the delivery in flight).
 */

export type FakeSynetonCustomer = {
  CustomerId: number;
  Name: string;
  Firstname?: string | null;
  CustCode?: string;
  VATNr?: string | null;
  IsActive?: boolean;
};

export type FakeSynetonDocument = {
  DocumentId: number;
  customerId: number;
  keyword: string;
  fileName: string;
  reference: string;
  content: Buffer;
};

export type FakeSynetonEndpoint = "token" | "customers" | "documents";

/** An upload filed whose answer is withheld: its reference, and the client's end of the connection. */
export type HeldSynetonUpload = { reference: string; clientPort: number };

export const FAKE_SYNETON_API_KEY = "c2a9f1d0-7b4e-4f3a-9d21-5e8b6a7c4d10";

export const FAKE_SYNETON_CUSTOMERS: FakeSynetonCustomer[] = [
  { CustomerId: 1001, Name: "Bakkerij Wouters BV", CustCode: "WOU01", VATNr: "BE0123456749", IsActive: true },
  { CustomerId: 1002, Name: "Peeters", Firstname: "Jan", CustCode: "PEE02", VATNr: "BE0987654321", IsActive: true },
  { CustomerId: 1003, Name: "Slagerij Claes", CustCode: "CLA03", VATNr: null, IsActive: false },
];

export type FakeSynetonOptions = {
  port?: number;
  apiKey?: string;
  customers?: FakeSynetonCustomer[];
  /** Records per page at most (the API's MaxRecordsPerPage). */
  maxPerPage?: number;
  tokenTtlMs?: number;
  documentsPath?: string;
  fields?: { customerId: string; keyword: string; fileName: string; content: string; reference: string };
  keywords?: string[];
  /** Calls per window before "You are throttling the system". */
  rateLimit?: { limit: number; windowMs: number };
  /** Every answer waits this long first, as a real package's does (benches; default 0). */
  answerDelayMs?: number;
};

type Failure = { status: number; message: string; endpoint?: FakeSynetonEndpoint; method?: string };

const MAX_BODY_BYTES = 40 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startFakeSyneton(options: FakeSynetonOptions = {}) {
  const apiKey = options.apiKey ?? FAKE_SYNETON_API_KEY;
  const customers = options.customers ?? FAKE_SYNETON_CUSTOMERS;
  const maxPerPage = options.maxPerPage ?? 100;
  const tokenTtlMs = options.tokenTtlMs ?? 20 * 60 * 1000;
  const fields = options.fields ?? {
    customerId: "CustomerId",
    keyword: "Keyword",
    fileName: "FileName",
    content: "Content",
    reference: "Reference",
  };
  const keywords = options.keywords ?? ["AF", "BA", "DV", "VF"];
  const documentsPath = `/${(options.documentsPath ?? "api/v1/dms/documents").replace(/^\/+/, "")}`;
  const rateLimit = options.rateLimit ?? { limit: 1_000, windowMs: 60_000 };

  const tokens = new Map<string, { expiresAt: number }>();
  const documents: FakeSynetonDocument[] = [];
  const failures: Failure[] = [];
  let lostUploads = 0;
  let hold: { remaining: number; resolve: (held: HeldSynetonUpload) => void } | undefined;
  let nextDocumentId = 5001;
  let windowStart = Date.now();
  let callsInWindow = 0;
  const counts = {
    byEndpoint: {} as Partial<Record<FakeSynetonEndpoint, number>>,
    tokensIssued: 0,
    refusedTokens: 0,
    uploads: 0,
    lookups: 0,
    throttled: 0,
  };

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }
  const sendError = (res: ServerResponse, status: number, message: string) =>
    sendJson(res, status, { ErrorMessage: message });

  function takeFailure(endpoint: FakeSynetonEndpoint, method: string): Failure | null {
    const index = failures.findIndex(
      (failure) =>
        (failure.endpoint === undefined || failure.endpoint === endpoint) &&
        (failure.method === undefined || failure.method === method),
    );
    return index < 0 ? null : (failures.splice(index, 1)[0] ?? null);
  }

  function count(endpoint: FakeSynetonEndpoint) {
    counts.byEndpoint[endpoint] = (counts.byEndpoint[endpoint] ?? 0) + 1;
  }

  function isThrottled(): boolean {
    const now = Date.now();
    if (now - windowStart >= rateLimit.windowMs) {
      windowStart = now;
      callsInWindow = 0;
    }
    callsInWindow++;
    return callsInWindow > rateLimit.limit;
  }

  /** Reads `Field eq 'text'` / `Field eq 12` terms joined by `and` (what the connector sends). */
  function parseFilter(filter: string): Map<string, string> | null {
    const terms = new Map<string, string>();
    for (const term of filter.split(/\s+and\s+/i)) {
      const match = /^([A-Za-z_][A-Za-z0-9_.-]*) eq (?:'((?:[^']|'')*)'|(-?\d+))$/.exec(term.trim());
      if (!match?.[1]) return null;
      terms.set(match[1], match[2] !== undefined ? match[2].replace(/''/g, "'") : (match[3] ?? ""));
    }
    return terms;
  }

  async function handleDocuments(req: IncomingMessage, res: ServerResponse, url: URL) {
    count("documents");
    const method = req.method ?? "GET";
    const body = method === "POST" ? await readBody(req) : null;
    const failure = takeFailure("documents", method);
    if (failure) return sendError(res, failure.status, failure.message);
    if (method === "GET") {
      counts.lookups++;
      const terms = parseFilter(url.searchParams.get("Filter") ?? "");
      if (!terms) return sendError(res, 400, "Invalid filter");
      const found = documents.filter(
        (document) =>
          (!terms.has(fields.reference) || terms.get(fields.reference) === document.reference) &&
          (!terms.has(fields.customerId) || terms.get(fields.customerId) === String(document.customerId)),
      );
      if (found.length === 0) return sendError(res, 404, "Nothing found");
      return sendJson(
        res,
        200,
        found.map((document) => ({
          DocumentId: document.DocumentId,
          [fields.customerId]: document.customerId,
          [fields.keyword]: document.keyword,
          [fields.fileName]: document.fileName,
          [fields.reference]: document.reference,
        })),
      );
    }
    if (method !== "POST" || body === null) return sendError(res, 405, "Method not allowed");
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, "The request body is not valid JSON");
    }
    const customerId = input[fields.customerId];
    const keyword = input[fields.keyword];
    const fileName = input[fields.fileName];
    const content = input[fields.content];
    const reference = input[fields.reference];
    if (
      typeof customerId !== "number" ||
      typeof keyword !== "string" ||
      typeof fileName !== "string" ||
      typeof content !== "string" ||
      typeof reference !== "string"
    ) {
      return sendError(res, 400, `${Object.values(fields).join(", ")} are required`);
    }
    if (!customers.some((customer) => customer.CustomerId === customerId)) {
      return sendError(res, 400, `Customer ${customerId} does not exist`);
    }
    if (!keywords.includes(keyword)) return sendError(res, 400, `Keyword '${keyword}' does not exist`);
    const bytes = Buffer.from(content, "base64");
    if (!bytes.subarray(0, 5).equals(Buffer.from("%PDF-"))) return sendError(res, 400, "The file is not a valid PDF");
    counts.uploads++;
    const document: FakeSynetonDocument = {
      DocumentId: nextDocumentId++,
      customerId,
      keyword,
      fileName,
      reference,
      content: bytes,
    };
    documents.push(document);
    if (lostUploads > 0) {
      lostUploads--;
      return req.socket.destroy();
    }
    if (hold && --hold.remaining === 0) {
      // Filed, and no answer: the request stays open until the client (or close()) ends it.
      hold.resolve({ reference, clientPort: req.socket.remotePort ?? 0 });
      hold = undefined;
      return;
    }
    return sendJson(res, 201, { DocumentId: document.DocumentId });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const respond = async () => {
      if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
      const tokenMatch = /^\/api\/v1\/token\/([^/]+)$/.exec(url.pathname);
      if (tokenMatch && req.method === "GET") {
        count("token");
        const failure = takeFailure("token", "GET");
        if (failure) return sendError(res, failure.status, failure.message);
        if (decodeURIComponent(tokenMatch[1] ?? "") !== apiKey) {
          counts.refusedTokens++;
          return sendError(res, 401, "Invalid API key");
        }
        counts.tokensIssued++;
        const guid = randomUUID();
        const expiresAt = Date.now() + tokenTtlMs;
        tokens.set(guid, { expiresAt });
        // Syneton prints a local time without zone; the fake prints UTC the same way.
        return sendJson(res, 200, { TokenGuid: guid, TimeToLive: new Date(expiresAt).toISOString().slice(0, 19) });
      }
      const token = req.headers.synetontoken;
      const grant = typeof token === "string" ? tokens.get(token) : undefined;
      if (!grant || grant.expiresAt <= Date.now()) return sendError(res, 403, "No valid configuration for token");
      if (isThrottled()) {
        counts.throttled++;
        return sendError(res, 403, "You are throttling the system");
      }
      if (url.pathname === "/api/v1/customers" && req.method === "GET") {
        count("customers");
        const failure = takeFailure("customers", "GET");
        if (failure) return sendError(res, failure.status, failure.message);
        const perPage = Math.min(maxPerPage, Math.max(1, Number(url.searchParams.get("per_page") ?? "25")));
        const page = Math.max(1, Number(url.searchParams.get("page") ?? "1"));
        const rows = customers.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < customers.length) {
          const next = new URL(url);
          next.searchParams.set("per_page", String(perPage));
          next.searchParams.set("page", String(page + 1));
          headers.link = `<${next.toString()}>; rel="next",`;
        }
        return sendJson(res, 200, rows, headers);
      }
      if (url.pathname === documentsPath) return handleDocuments(req, res, url);
      return sendError(res, 404, "Resource not found");
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    customers,
    counts,
    documents(customerId?: number): FakeSynetonDocument[] {
      return documents.filter((document) => customerId === undefined || document.customerId === customerId);
    },
    failNext(
      count: number,
      failure: { status?: number; message?: string; endpoint?: FakeSynetonEndpoint; method?: string } = {},
    ) {
      for (let i = 0; i < count; i++) {
        failures.push({ status: failure.status ?? 503, message: failure.message ?? "Service unavailable", ...failure });
      }
    },
    loseResponseAfterStore() {
      lostUploads++;
    },
    /**
     * The `nth` upload from now (1: the next) is filed and then left without an answer; resolves
     * when it arrives, with its reference and the client's port (which process sent it).
     */
    holdAnswerOfUpload(nth = 1): Promise<HeldSynetonUpload> {
      return new Promise((resolve) => {
        hold = { remaining: nth, resolve };
      });
    },
    /** Every token issued so far stops working. */
    expireTokens() {
      for (const grant of tokens.values()) grant.expiresAt = Date.now() - 1;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeSyneton = Awaited<ReturnType<typeof startFakeSyneton>>;
