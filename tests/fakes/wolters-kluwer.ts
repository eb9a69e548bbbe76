import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Wolters Kluwer's identity server and the Adsolut Public API, one real HTTP
 * server on 127.0.0.1, following ../shared/reference/connectors.md §4.1 and §4.5 (the document
 * upload follows the connector's assumed defaults, which the options can move, so a test can prove
 * that a connection's adjusted paths and field names are the ones used):
 * - OAuth (IdentityServer): `GET /auth/core/connect/authorize` shows a page with "Authorize"/"Deny"
 *   (or redirects straight away with `autoApprove`), requires the WK.BE.Documents scope;
 *   `POST /auth/core/connect/token` (client by Basic or form) trades a single-use code and rotates
 *   refresh tokens: a used one is refused with 400 invalid_grant.
 * - `GET /adm/v1/administrations?Page&PageSize` → `{ items, currentPage, totalPages, totalItems }`.
 * - `POST /dms/v1/adm/{administrationId}/documents` (multipart: file, documentType,
 *   externalReference) → 201 `{ id }`; `GET` of the same path with `?externalReference=` lists what
 *   was stored under it. Unknown administration → 404, one not activated for the app → 403,
 *   a category outside `acceptedCategories` or a file that is not a PDF → 422 (a refusal).
 * - Unknown or expired access tokens get 401; injected failures (`failNext`), a response lost after
 *   the document was stored (`loseResponseAfterStore`), 429 with Retry-After.
 */

export type FakeWkAdministration = {
  id: string;
  name: string;
  code?: string;
  vatNumber?: string | null;
  isActivated?: boolean;
};

export type FakeWkDocument = {
  id: string;
  administrationId: string;
  category: string;
  reference: string;
  fileName: string;
  contentType: string;
  content: Buffer;
};

export type FakeWkEndpoint = "token" | "administrations" | "documents";

export const FAKE_WK_ADMINISTRATIONS: FakeWkAdministration[] = [
  { id: "3f1e2d4c-5b6a-4789-9abc-def012345678", name: "Bakkerij Wouters BV", code: "WOU01", vatNumber: "BE0123456749" },
  { id: "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", name: "Garage Peeters", code: "PEE02", vatNumber: "BE0987654321" },
  {
    id: "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f",
    name: "Slagerij Claes",
    code: "CLA03",
    vatNumber: null,
    isActivated: false,
  },
];

export type FakeWkOptions = {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  administrations?: FakeWkAdministration[];
  accessTokenTtlSeconds?: number;
  autoApprove?: boolean;
  /** The documents resource; `{administrationId}` marks the administration. */
  documentsPath?: string;
  /** Multipart field names the upload reads (and the lookup filters by `reference`). */
  fields?: { file: string; category: string; reference: string };
  acceptedCategories?: string[];
};

type Failure = {
  status: number;
  message: string;
  endpoint?: FakeWkEndpoint;
  method?: string;
  headers?: Record<string, string>;
};

const MAX_BODY_BYTES = 40 * 1024 * 1024;

function token(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString("base64url")}`;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}

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

export async function startFakeWoltersKluwer(options: FakeWkOptions = {}) {
  const clientId = options.clientId ?? "fake-wk-client";
  const clientSecret = options.clientSecret ?? "fake-wk-secret";
  const administrations = options.administrations ?? FAKE_WK_ADMINISTRATIONS;
  const fields = options.fields ?? { file: "file", category: "documentType", reference: "externalReference" };
  const acceptedCategories = options.acceptedCategories ?? ["Purchase", "Sales", "Other"];
  const documentsPattern = new RegExp(
    `^/${(options.documentsPath ?? "dms/v1/adm/{administrationId}/documents")
      .replace(/^\/+/, "")
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace("{administrationId}", "([^/]+)")}$`,
  );
  let accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;

  const codes = new Map<string, { redirectUri: string; isUsed: boolean }>();
  const accessTokens = new Map<string, { expiresAt: number }>();
  const refreshTokens = new Map<string, "active" | "rotated" | "revoked">();
  const documents: FakeWkDocument[] = [];
  const failures: Failure[] = [];
  let lostUploads = 0;
  const counts = {
    byEndpoint: {} as Partial<Record<FakeWkEndpoint, number>>,
    uploads: 0,
    lookups: 0,
    unauthorised: 0,
    codeExchanges: 0,
    refreshes: 0,
    refusedRefreshes: 0,
    lastScope: null as string | null,
  };

  function issueTokens() {
    const accessToken = token("at");
    const refreshToken = token("rt");
    accessTokens.set(accessToken, { expiresAt: Date.now() + accessTokenTtlSeconds * 1000 });
    refreshTokens.set(refreshToken, "active");
    return { accessToken, refreshToken, expiresIn: accessTokenTtlSeconds };
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }

  /** ASP.NET problem details, as Adsolut answers errors (assumed). */
  function sendProblem(res: ServerResponse, status: number, title: string, headers: Record<string, string> = {}) {
    sendJson(res, status, { type: "about:blank", title, status }, headers);
  }

  function takeFailure(endpoint: FakeWkEndpoint, method: string): Failure | null {
    const index = failures.findIndex(
      (failure) =>
        (failure.endpoint === undefined || failure.endpoint === endpoint) &&
        (failure.method === undefined || failure.method === method),
    );
    return index < 0 ? null : (failures.splice(index, 1)[0] ?? null);
  }

  function count(endpoint: FakeWkEndpoint) {
    counts.byEndpoint[endpoint] = (counts.byEndpoint[endpoint] ?? 0) + 1;
  }

  function handleAuthorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const redirectUri = query.get("redirect_uri") ?? "";
    if (query.get("client_id") !== clientId || !/^https?:\/\//.test(redirectUri)) {
      res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><p>Unknown client or redirect URI.</p>");
      return;
    }
    const state = query.get("state") ?? "";
    const target = new URL(redirectUri);
    target.searchParams.set("state", state);
    const scopes = (query.get("scope") ?? "").split(" ");
    if (req.method === "GET") counts.lastScope = query.get("scope");
    if (req.method === "GET" && (query.get("response_type") !== "code" || !scopes.includes("WK.BE.Documents"))) {
      target.searchParams.set("error", "invalid_scope");
      res.writeHead(302, { location: target.toString() });
      res.end();
      return;
    }
    if (req.method === "POST" && query.get("decision") === "deny") {
      target.searchParams.set("error", "access_denied");
      res.writeHead(302, { location: target.toString() });
      res.end();
      return;
    }
    if (req.method === "POST" || options.autoApprove) {
      const code = token("code");
      codes.set(code, { redirectUri, isUsed: false });
      target.searchParams.set("code", code);
      res.writeHead(302, { location: target.toString() });
      res.end();
      return;
    }
    const hidden = ["client_id", "redirect_uri", "state"]
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? "")}">`)
      .join("");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wolters Kluwer (fake) — sign in</title></head>
<body><h1>Wolters Kluwer (fake)</h1><p>Allow this app to access your Adsolut documents?</p>
<form method="post" action="/auth/core/connect/authorize">${hidden}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button></form></body></html>`);
  }

  function clientOf(req: IncomingMessage, form: URLSearchParams): { id: string | null; secret: string | null } {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (basic) {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic ("+" is a space).
      const formDecode = (value: string | undefined) => decodeURIComponent((value ?? "").replace(/\+/g, " "));
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
      return { id: formDecode(id), secret: formDecode(secret) };
    }
    return { id: form.get("client_id"), secret: form.get("client_secret") };
  }

  function handleToken(req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
    count("token");
    const failure = takeFailure("token", "POST");
    if (failure) return sendJson(res, failure.status, { error: "server_error" }, failure.headers);
    const client = clientOf(req, form);
    if (client.id !== clientId || client.secret !== clientSecret) {
      return sendJson(res, 400, { error: "invalid_client" });
    }
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      if (!code || code.isUsed || code.redirectUri !== form.get("redirect_uri")) {
        return sendJson(res, 400, { error: "invalid_grant" });
      }
      code.isUsed = true;
      counts.codeExchanges++;
    } else if (grantType === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      if (refreshTokens.get(presented) !== "active") {
        counts.refusedRefreshes++;
        return sendJson(res, 400, { error: "invalid_grant" });
      }
      refreshTokens.set(presented, "rotated");
      counts.refreshes++;
    } else {
      return sendJson(res, 400, { error: "unsupported_grant_type" });
    }
    const issued = issueTokens();
    sendJson(res, 200, {
      access_token: issued.accessToken,
      expires_in: issued.expiresIn,
      token_type: "Bearer",
      refresh_token: issued.refreshToken,
    });
  }

  function isAuthorised(req: IncomingMessage): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const grant = accessTokens.get(bearer);
    return grant !== undefined && grant.expiresAt > Date.now();
  }

  async function handleDocuments(req: IncomingMessage, res: ServerResponse, url: URL, administrationId: string) {
    count("documents");
    const method = req.method ?? "GET";
    const administration = administrations.find((candidate) => candidate.id === administrationId);
    if (!administration) return sendProblem(res, 404, "Administration not found");
    if (administration.isActivated === false)
      return sendProblem(res, 403, "Integration not activated for this administration");
    const body = method === "POST" ? await readBody(req) : null;
    const failure = takeFailure("documents", method);
    if (failure) return sendProblem(res, failure.status, failure.message, failure.headers);

    if (method === "GET") {
      counts.lookups++;
      const reference = url.searchParams.get(fields.reference);
      if (reference === null) return sendProblem(res, 400, `${fields.reference} is required`);
      const items = documents
        .filter((document) => document.administrationId === administrationId && document.reference === reference)
        .map((document) => ({
          id: document.id,
          [fields.reference]: document.reference,
          [fields.category]: document.category,
          fileName: document.fileName,
        }));
      return sendJson(res, 200, { items, currentPage: 1, totalPages: 1, totalItems: items.length });
    }
    if (method !== "POST" || body === null) return sendProblem(res, 405, "Method not allowed");
    const contentType = req.headers["content-type"] ?? "";
    if (!contentType.startsWith("multipart/form-data")) return sendProblem(res, 415, "Unsupported media type");
    const form = await new Request("http://fake.local/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: new Uint8Array(body),
    })
      .formData()
      .catch(() => null);
    const file = form?.get(fields.file);
    const category = form?.get(fields.category);
    const reference = form?.get(fields.reference);
    if (!form || !(file instanceof Blob) || typeof category !== "string" || typeof reference !== "string") {
      return sendProblem(res, 400, `${fields.file}, ${fields.category} and ${fields.reference} are required`);
    }
    if (!acceptedCategories.includes(category)) return sendProblem(res, 422, `Unknown document type '${category}'`);
    const content = Buffer.from(await file.arrayBuffer());
    if (!content.subarray(0, 5).equals(Buffer.from("%PDF-")))
      return sendProblem(res, 422, "The file is not a valid PDF");
    counts.uploads++;
    const document: FakeWkDocument = {
      id: randomUUID(),
      administrationId,
      category,
      reference,
      fileName: file instanceof File ? file.name : "",
      contentType: file.type,
      content,
    };
    documents.push(document);
    if (lostUploads > 0) {
      lostUploads--;
      return req.socket.destroy();
    }
    return sendJson(res, 201, { id: document.id });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-wk.local");
    const respond = async () => {
      if (url.pathname === "/auth/core/connect/authorize") {
        const query =
          req.method === "POST" ? new URLSearchParams((await readBody(req)).toString("utf8")) : url.searchParams;
        return handleAuthorize(req, res, query);
      }
      if (url.pathname === "/auth/core/connect/token" && req.method === "POST") {
        return handleToken(req, res, new URLSearchParams((await readBody(req)).toString("utf8")));
      }
      if (!isAuthorised(req)) {
        counts.unauthorised++;
        return sendProblem(res, 401, "Unauthorized");
      }
      if (url.pathname === "/adm/v1/administrations" && req.method === "GET") {
        count("administrations");
        const failure = takeFailure("administrations", "GET");
        if (failure) return sendProblem(res, failure.status, failure.message, failure.headers);
        const page = Math.max(1, Number(url.searchParams.get("Page") ?? "1"));
        const pageSize = Math.max(1, Number(url.searchParams.get("PageSize") ?? "25"));
        const items = administrations
          .slice((page - 1) * pageSize, page * pageSize)
          .map(({ isActivated: _, ...rest }) => rest);
        return sendJson(res, 200, {
          items,
          currentPage: page,
          totalPages: Math.ceil(administrations.length / pageSize),
          totalItems: administrations.length,
        });
      }
      const documentsMatch = documentsPattern.exec(url.pathname);
      if (documentsMatch?.[1]) return handleDocuments(req, res, url, decodeURIComponent(documentsMatch[1]));
      return sendProblem(res, 404, "Not found");
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) sendProblem(res, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clientId,
    clientSecret,
    administrations,
    counts,
    documents(administrationId?: string): FakeWkDocument[] {
      return documents.filter(
        (document) => administrationId === undefined || document.administrationId === administrationId,
      );
    },
    /** A grant as the code exchange would give it, without the browser. */
    issueGrant: issueTokens,
    /** The next `count` answers (of `endpoint`/`method`, when given) fail with `status`. */
    failNext(
      count: number,
      failure: {
        status?: number;
        message?: string;
        endpoint?: FakeWkEndpoint;
        method?: string;
        headers?: Record<string, string>;
      } = {},
    ) {
      for (let i = 0; i < count; i++) {
        failures.push({ status: failure.status ?? 503, message: failure.message ?? "Service unavailable", ...failure });
      }
    },
    /** The next upload is stored, then its connection is cut before any answer. */
    loseResponseAfterStore() {
      lostUploads++;
    },
    /** Every access token issued so far stops working (401). */
    expireAccessTokens() {
      for (const grant of accessTokens.values()) grant.expiresAt = Date.now() - 1;
    },
    /** Every refresh token issued so far is refused from now on. */
    revokeRefreshTokens() {
      for (const key of refreshTokens.keys()) refreshTokens.set(key, "revoked");
    },
    setAccessTokenTtl(seconds: number) {
      accessTokenTtlSeconds = seconds;
    },
    isRefreshTokenActive(refreshToken: string): boolean {
      return refreshTokens.get(refreshToken) === "active";
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeWoltersKluwer = Awaited<ReturnType<typeof startFakeWoltersKluwer>>;
