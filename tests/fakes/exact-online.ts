import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Exact Online (one country instance), a real HTTP server on 127.0.0.1,
 * following the shapes of ../shared/reference/connectors.md §3.7:
 * - OAuth: `GET /api/oauth2/auth` shows a small page with an "Authorize" button (a form that
 *   sends the browser to redirect_uri?code&state; "Deny" sends error=access_denied), or with
 *   `autoApprove` redirects straight away; `POST /api/oauth2/token` trades a single-use code, and
 *   rotates refresh tokens like Exact: the old one is refused with 400 from then on.
 * - REST: `current/Me`, `{d}/system/Divisions` (paged with `__next`), `{d}/documents/Documents`
 *   (POST, GET by key, GET with `$filter=Subject eq '…'`), `{d}/documents/DocumentAttachments`
 *   (POST, GET with `$filter=Document eq guid'…'`), `{d}/webhooks/WebhookSubscriptions` (POST, GET).
 *   Unknown or expired access tokens get 401. A Document's ProposedEntryStatus starts at 20 and
 *   is changed by the test (`setDocumentStatus`: 5 rejected, 50 processed).
 *   A list GET without `$select` or `$top` is refused, as Exact does for some lists.
 * - Limits: X-RateLimit-* headers on every API answer (epoch-ms resets), a per-division limit
 *   per window (`rateLimit`, default 60 a minute; windows follow each other from the first API
 *   call) answering 429 beyond it, and a daily limit.
 * - Injected trouble: the next N answers fail (5xx, or any status with a message, optionally for
 *   one endpoint), a response lost after the request was stored (the socket is destroyed), a
 *   refused document.
 * - Webhooks: `notify` sends a signed notification (HashCode = upper-case hex HMAC-SHA256 of the
 *   raw Content JSON with the webhook secret) to a callback URL, as Exact does after a change.
 * Usable from Playwright: `startFakeExactOnline({ port, autoApprove })`.
 */

export type FakeExactDivision = { Code: number; Description: string; VATNumber?: string | null; Status?: number };

export type FakeExactOptions = {
  /** 0 (default): any free port. */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  divisions?: FakeExactDivision[];
  /** `current/Me`'s CurrentDivision; default the first division. */
  currentDivision?: number;
  /** Rows per Divisions page (Exact: 60). */
  divisionsPageSize?: number;
  /** `expires_in` of access tokens, in seconds (Exact: 600). */
  accessTokenTtlSeconds?: number;
  /** Calls per division per window before 429 (Exact: 60 a minute). */
  rateLimit?: { limit: number; windowMs: number };
  /** Calls per division per day (Exact: 5,000). */
  dailyLimit?: number;
  /** Redirect from the authorize page without showing it. */
  autoApprove?: boolean;
  /** Where `__next` links point; default the host the request came to. */
  nextLinkOrigin?: string;
  now?: () => number;
};

export type FakeExactAttachment = {
  ID: string;
  Document: string;
  FileName: string;
  FileSize: number;
  content: Buffer;
};

export type FakeExactDocument = {
  ID: string;
  Division: number;
  Subject: string;
  Type: number;
  Created: string;
  /** 5 = rejected, 50 = processed; other values: not decided yet (reference §3.5). */
  ProposedEntryStatus: number;
  FinancialTransactionEntryID: string | null;
  attachments: FakeExactAttachment[];
};

export type FakeExactWebhookSubscription = { ID: string; Division: number; CallbackURL: string; Topic: string };

/** The endpoints the fake counts and fails by, e.g. "documents/Documents". */
export type FakeExactEndpoint =
  | "current/Me"
  | "system/Divisions"
  | "documents/Documents"
  | "documents/DocumentAttachments"
  | "webhooks/WebhookSubscriptions"
  | "oauth2/token";

type Failure = { status: number; message: string; endpoint?: FakeExactEndpoint; method?: string };

const DEFAULT_DIVISIONS: FakeExactDivision[] = [
  { Code: 100001, Description: "Bakkerij Wouters BV", VATNumber: "BE0123456749", Status: 1 },
  { Code: 100002, Description: "Garage Peeters", VATNumber: "BE0987654321", Status: 1 },
];

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_BYTES = 40 * 1024 * 1024;

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}

function token(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString("base64url")}`;
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

export async function startFakeExactOnline(options: FakeExactOptions = {}) {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? "fake-exact-client";
  const clientSecret = options.clientSecret ?? "fake-exact-secret";
  const divisions = options.divisions ?? DEFAULT_DIVISIONS;
  const currentDivision = options.currentDivision ?? divisions[0]?.Code ?? 100001;
  const pageSize = options.divisionsPageSize ?? 60;
  const rateLimit = options.rateLimit ?? { limit: 60, windowMs: 60_000 };
  const dailyLimit = options.dailyLimit ?? 5_000;
  let accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 600;

  const codes = new Map<string, { redirectUri: string; isUsed: boolean }>();
  const accessTokens = new Map<string, { expiresAt: number }>();
  /** Refresh tokens ever issued: active until used once (rotation) or expired by the test. */
  const refreshTokens = new Map<string, "active" | "rotated" | "expired">();
  const documents: FakeExactDocument[] = [];
  const subscriptions: FakeExactWebhookSubscription[] = [];
  const failures: Failure[] = [];
  const lostResponses: FakeExactEndpoint[] = [];

  /** When the first API call came: windows follow each other from there. */
  let firstCallAt: number | null = null;
  /** Calls per division per window index. */
  const usage = new Map<number, Map<number, number>>();
  const dailyUsage = new Map<number, number>();
  const counts = {
    apiCalls: 0,
    byEndpoint: {} as Partial<Record<FakeExactEndpoint, number>>,
    tooManyRequests: 0,
    unauthorised: 0,
    codeExchanges: 0,
    refreshes: 0,
    refusedRefreshes: 0,
  };

  function issueTokens() {
    const accessToken = token("at");
    const refreshToken = token("rt");
    accessTokens.set(accessToken, { expiresAt: now() + accessTokenTtlSeconds * 1000 });
    refreshTokens.set(refreshToken, "active");
    return { accessToken, refreshToken, expiresIn: accessTokenTtlSeconds };
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }

  function sendApiError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
    sendJson(res, status, { error: { code: "", message: { lang: "", value: message } } }, headers);
  }

  function windowOf(at: number): { index: number; start: number; end: number } {
    const origin = firstCallAt ?? at;
    const index = Math.floor((at - origin) / rateLimit.windowMs);
    const start = origin + index * rateLimit.windowMs;
    return { index, start, end: start + rateLimit.windowMs };
  }

  function callsIn(division: number, index: number): number {
    return usage.get(division)?.get(index) ?? 0;
  }

  /** Counts the call against the division's budgets, or says which one is spent. */
  function admit(division: number): { headers: Record<string, string>; spent: "minutely" | "daily" | null } {
    const at = now();
    firstCallAt ??= at;
    const window = windowOf(at);
    const dailyReset = firstCallAt + DAY_MS;
    const used = callsIn(division, window.index);
    const usedToday = dailyUsage.get(division) ?? 0;
    const minutely = (remaining: number) => ({
      "X-RateLimit-Minutely-Limit": String(rateLimit.limit),
      "X-RateLimit-Minutely-Remaining": String(remaining),
      "X-RateLimit-Minutely-Reset": String(window.end),
    });
    const daily = (remaining: number) => ({
      "X-RateLimit-Limit": String(dailyLimit),
      "X-RateLimit-Remaining": String(remaining),
      "X-RateLimit-Reset": String(dailyReset),
    });
    if (usedToday >= dailyLimit) return { headers: { ...daily(0), ...minutely(0) }, spent: "daily" };
    // Exact: "when the minutely budget is empty only the minutely headers are sent".
    if (used >= rateLimit.limit) return { headers: minutely(0), spent: "minutely" };
    const perDivision = usage.get(division) ?? new Map<number, number>();
    perDivision.set(window.index, used + 1);
    usage.set(division, perDivision);
    dailyUsage.set(division, usedToday + 1);
    return {
      headers: { ...daily(dailyLimit - usedToday - 1), ...minutely(rateLimit.limit - used - 1) },
      spent: null,
    };
  }

  function authorisePage(query: URLSearchParams): string {
    const hidden = ["client_id", "redirect_uri", "state"]
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query.get(name) ?? "")}">`)
      .join("");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Exact Online (fake) — authorise</title></head>
<body><h1>Exact Online (fake)</h1><p>Allow this app to access your Exact Online data?</p>
<form method="post" action="/api/oauth2/auth">${hidden}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button></form></body></html>`;
  }

  function redirectWithCode(res: ServerResponse, redirectUri: string, state: string) {
    const code = token("code");
    codes.set(code, { redirectUri, isUsed: false });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    target.searchParams.set("state", state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  function handleAuthorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const redirectUri = query.get("redirect_uri") ?? "";
    if (query.get("client_id") !== clientId || !/^https?:\/\//.test(redirectUri)) {
      res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><p>Unknown client or redirect URI.</p>");
      return;
    }
    if (req.method === "GET" && query.get("response_type") !== "code") {
      res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><p>Unsupported response_type.</p>");
      return;
    }
    const state = query.get("state") ?? "";
    if (req.method === "POST" && query.get("decision") === "deny") {
      const target = new URL(redirectUri);
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("state", state);
      res.writeHead(302, { location: target.toString() });
      res.end();
      return;
    }
    if (req.method === "POST" || options.autoApprove) {
      redirectWithCode(res, redirectUri, state);
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(authorisePage(query));
  }

  function handleToken(res: ServerResponse, form: URLSearchParams) {
    counts.byEndpoint["oauth2/token"] = (counts.byEndpoint["oauth2/token"] ?? 0) + 1;
    const failure = takeFailure("oauth2/token", "POST");
    if (failure) return sendJson(res, failure.status, { error: "server_error", error_description: failure.message });
    if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) {
      return sendJson(res, 401, { error: "invalid_client", error_description: "Unknown client or wrong secret" });
    }
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      if (!code || code.isUsed || code.redirectUri !== form.get("redirect_uri")) {
        return sendJson(res, 400, { error: "invalid_grant", error_description: "The authorization code is invalid" });
      }
      code.isUsed = true;
      counts.codeExchanges++;
    } else if (grantType === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      if (refreshTokens.get(presented) !== "active") {
        counts.refusedRefreshes++;
        return sendJson(res, 400, {
          error: "invalid_request",
          error_description: `The refresh token expired at ${new Date(now()).toUTCString()}`,
        });
      }
      refreshTokens.set(presented, "rotated");
      counts.refreshes++;
    } else {
      return sendJson(res, 400, { error: "unsupported_grant_type" });
    }
    const issued = issueTokens();
    sendJson(res, 200, {
      access_token: issued.accessToken,
      token_type: "bearer",
      expires_in: String(issued.expiresIn),
      refresh_token: issued.refreshToken,
    });
  }

  function takeFailure(endpoint: FakeExactEndpoint, method: string): Failure | null {
    const index = failures.findIndex(
      (failure) =>
        (failure.endpoint === undefined || failure.endpoint === endpoint) &&
        (failure.method === undefined || failure.method === method),
    );
    if (index < 0) return null;
    return failures.splice(index, 1)[0] ?? null;
  }

  function takeLostResponse(endpoint: FakeExactEndpoint): boolean {
    const index = lostResponses.indexOf(endpoint);
    if (index < 0) return false;
    lostResponses.splice(index, 1);
    return true;
  }

  const documentKey = /^documents\/Documents\(guid'([0-9a-f-]{36})'\)$/i;

  /** The endpoint of a division-scoped path. */
  function endpointOf(rest: string): FakeExactEndpoint | null {
    if (rest === "system/Divisions") return "system/Divisions";
    if (rest === "documents/Documents" || documentKey.test(rest)) return "documents/Documents";
    if (rest === "documents/DocumentAttachments") return "documents/DocumentAttachments";
    if (rest === "webhooks/WebhookSubscriptions") return "webhooks/WebhookSubscriptions";
    return null;
  }

  function isList(query: URLSearchParams): boolean {
    return query.has("$select") || query.has("$top");
  }

  function selectedDocument(document: FakeExactDocument) {
    return {
      ID: document.ID,
      Division: document.Division,
      Subject: document.Subject,
      Type: document.Type,
      Created: document.Created,
      ProposedEntryStatus: document.ProposedEntryStatus,
      FinancialTransactionEntryID: document.FinancialTransactionEntryID,
    };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const match = /^\/api\/v1\/(current|\d+)\/(.+)$/.exec(url.pathname);
    const rest = match?.[2] ?? "";
    const scope = match?.[1] ?? "";
    const endpoint = scope === "current" ? (rest === "Me" ? "current/Me" : null) : endpointOf(rest);
    if (!match || !endpoint) return sendApiError(res, 404, "Resource not found");
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const grant = accessTokens.get(bearer);
    if (!grant || grant.expiresAt <= now()) {
      counts.unauthorised++;
      return sendApiError(res, 401, "Access token is invalid or expired");
    }
    const division = scope === "current" ? currentDivision : Number(scope);
    if (!divisions.some((candidate) => candidate.Code === division)) {
      return sendApiError(res, 404, `Division ${division} not found`);
    }
    const admitted = admit(division);
    if (admitted.spent) {
      counts.tooManyRequests++;
      return sendApiError(res, 429, "API rate limit exceeded", admitted.headers);
    }
    counts.apiCalls++;
    counts.byEndpoint[endpoint] = (counts.byEndpoint[endpoint] ?? 0) + 1;
    const method = req.method ?? "GET";
    const reply = (status: number, body: unknown) => sendJson(res, status, body, admitted.headers);
    const refuse = (status: number, message: string) => sendApiError(res, status, message, admitted.headers);
    const query = url.searchParams;
    let body: unknown;
    if (method === "POST") {
      try {
        body = JSON.parse((await readBody(req)).toString("utf8"));
      } catch {
        return refuse(400, "Error reading JSON body");
      }
    }
    const failure = takeFailure(endpoint, method);
    if (failure) return refuse(failure.status, failure.message);

    if (endpoint === "current/Me" && method === "GET") {
      return reply(200, { d: { results: [{ CurrentDivision: currentDivision, UserName: "koppel-integratie" }] } });
    }

    if (endpoint === "system/Divisions" && method === "GET") {
      if (!isList(query)) return refuse(400, "Please add a $select or a $top=1 statement to the query string.");
      const skip = Number(query.get("$skiptoken") ?? "0");
      const page = divisions.slice(skip, skip + pageSize);
      const d: { results: FakeExactDivision[]; __next?: string } = { results: page };
      if (skip + pageSize < divisions.length) {
        const next = new URL(url.pathname, options.nextLinkOrigin ?? `http://${req.headers.host ?? "127.0.0.1"}`);
        next.searchParams.set("$select", query.get("$select") ?? "Code");
        next.searchParams.set("$skiptoken", String(skip + pageSize));
        d.__next = next.toString();
      }
      return reply(200, { d });
    }

    if (endpoint === "documents/Documents") {
      const byKey = documentKey.exec(rest)?.[1];
      if (byKey && method === "GET") {
        const found = documents.find((document) => document.ID === byKey && document.Division === division);
        return found ? reply(200, { d: selectedDocument(found) }) : refuse(404, "Document not found");
      }
      if (method === "GET") {
        if (!isList(query)) return refuse(400, "Please add a $select or a $top=1 statement to the query string.");
        const filter = query.get("$filter");
        const subject = filter ? /^Subject eq '((?:[^']|'')*)'$/.exec(filter)?.[1] : undefined;
        if (filter && subject === undefined) return refuse(400, `The fake does not understand $filter=${filter}`);
        const wanted = subject?.replace(/''/g, "'");
        const results = documents
          .filter((document) => document.Division === division && (wanted === undefined || document.Subject === wanted))
          .map(selectedDocument);
        return reply(200, { d: { results } });
      }
      if (method === "POST") {
        const input = body as { Subject?: unknown; Type?: unknown };
        if (typeof input?.Subject !== "string" || typeof input.Type !== "number") {
          return refuse(400, "Subject and Type are required");
        }
        const document: FakeExactDocument = {
          ID: randomUUID(),
          Division: division,
          Subject: input.Subject,
          Type: input.Type,
          Created: new Date(now()).toISOString(),
          ProposedEntryStatus: 20,
          FinancialTransactionEntryID: null,
          attachments: [],
        };
        documents.push(document);
        if (takeLostResponse("documents/Documents")) return req.socket.destroy();
        return reply(201, { d: selectedDocument(document) });
      }
    }

    if (endpoint === "documents/DocumentAttachments") {
      if (method === "GET") {
        if (!isList(query)) return refuse(400, "Please add a $select or a $top=1 statement to the query string.");
        const filter = query.get("$filter") ?? "";
        const documentId = /^Document eq guid'([0-9a-f-]{36})'$/i.exec(filter)?.[1];
        if (!documentId) return refuse(400, `The fake does not understand $filter=${filter}`);
        const owner = documents.find((document) => document.ID === documentId && document.Division === division);
        const results = (owner?.attachments ?? []).map(({ content: _content, ...attachment }) => attachment);
        return reply(200, { d: { results } });
      }
      if (method === "POST") {
        const input = body as { Document?: unknown; FileName?: unknown; Attachment?: unknown };
        const owner = documents.find((document) => document.ID === input?.Document && document.Division === division);
        if (!owner) return refuse(400, "Document does not exist");
        if (typeof input.FileName !== "string" || typeof input.Attachment !== "string") {
          return refuse(400, "FileName and Attachment are required");
        }
        const content = Buffer.from(input.Attachment, "base64");
        const attachment: FakeExactAttachment = {
          ID: randomUUID(),
          Document: owner.ID,
          FileName: input.FileName,
          FileSize: content.length,
          content,
        };
        owner.attachments.push(attachment);
        if (takeLostResponse("documents/DocumentAttachments")) return req.socket.destroy();
        const { content: _content, ...answer } = attachment;
        return reply(201, { d: answer });
      }
    }
    if (endpoint === "webhooks/WebhookSubscriptions" && method === "GET") {
      if (!isList(query)) return refuse(400, "Please add a $select or a $top=1 statement to the query string.");
      return reply(200, { d: { results: subscriptions.filter((subscription) => subscription.Division === division) } });
    }
    if (endpoint === "webhooks/WebhookSubscriptions" && method === "POST") {
      const input = body as { CallbackURL?: unknown; Topic?: unknown };
      if (typeof input?.CallbackURL !== "string" || typeof input.Topic !== "string") {
        return refuse(400, "CallbackURL and Topic are required");
      }
      const subscription = { ID: randomUUID(), Division: division, CallbackURL: input.CallbackURL, Topic: input.Topic };
      subscriptions.push(subscription);
      return reply(201, { d: subscription });
    }
    return refuse(405, "Method not allowed");
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake-exact.local");
    const respond = async () => {
      if (url.pathname === "/api/oauth2/auth") {
        const query =
          req.method === "POST" ? new URLSearchParams((await readBody(req)).toString("utf8")) : url.searchParams;
        return handleAuthorize(req, res, query);
      }
      if (url.pathname === "/api/oauth2/token" && req.method === "POST") {
        return handleToken(res, new URLSearchParams((await readBody(req)).toString("utf8")));
      }
      if (url.pathname.startsWith("/api/v1/")) return handleApi(req, res, url);
      return sendApiError(res, 404, "Not found");
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) sendApiError(res, 500, error instanceof Error ? error.message : String(error));
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
    divisions,
    counts,
    /** Documents stored, with their attachments; one division's only when given. */
    documents(division?: number): FakeExactDocument[] {
      return documents.filter((document) => division === undefined || document.Division === division);
    },
    /** Calls counted per window for a division, in window order (windows without calls left out). */
    usage(division: number): { windowStart: number; calls: number }[] {
      const origin = firstCallAt ?? 0;
      return [...(usage.get(division) ?? new Map<number, number>()).entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, calls]) => ({ windowStart: origin + index * rateLimit.windowMs, calls }));
    },
    rateLimit,
    /** A grant as the code exchange would give it, without the browser (tests and benches). */
    issueGrant: issueTokens,
    /** The next `count` answers (of `endpoint`/`method`, when given) fail with `status`. */
    failNext(
      count: number,
      failure: { status?: number; message?: string; endpoint?: FakeExactEndpoint; method?: string } = {},
    ) {
      for (let i = 0; i < count; i++) {
        failures.push({ status: failure.status ?? 503, message: failure.message ?? "Service unavailable", ...failure });
      }
    },
    /** Webhook subscriptions made so far. */
    subscriptions(): FakeExactWebhookSubscription[] {
      return [...subscriptions];
    },
    /**
     * Exact decides about a Document: 5 rejected, 50 processed (booked, with an entry id), or
     * back to undecided (e.g. 20). Throws for an unknown id, so a test cannot set a state on nothing.
     */
    setDocumentStatus(documentId: string, proposedEntryStatus: number) {
      const document = documents.find((candidate) => candidate.ID === documentId);
      if (!document) throw new Error(`fake Exact: no document ${documentId}`);
      document.ProposedEntryStatus = proposedEntryStatus;
      document.FinancialTransactionEntryID = proposedEntryStatus === 50 ? randomUUID() : null;
    },
    /**
     * Sends a webhook notification like Exact: `{"Content":{…},"HashCode":"…"}` signed with
     * `secret` (a forged one with another secret, or `hashCode` to send any). Resolves with the
     * callback's status and body.
     */
    async notify(
      callbackUrl: string,
      content: { Topic?: string; Division: number; Key: string; Action?: string },
      signing: { secret: string } | { hashCode: string },
    ): Promise<{ status: number; body: string }> {
      const rawContent = JSON.stringify({
        Topic: content.Topic ?? "Documents",
        ClientId: `{${clientId}}`,
        Division: content.Division,
        Action: content.Action ?? "Update",
        Key: content.Key,
        ExactOnlineEndpoint: `/api/v1/${content.Division}/documents/Documents(guid'${content.Key}')`,
        EventCreatedOn: new Date(now()).toISOString(),
      });
      const hashCode =
        "secret" in signing
          ? createHmac("sha256", signing.secret).update(rawContent, "utf8").digest("hex").toUpperCase()
          : signing.hashCode;
      // Written by hand so Content keeps its exact text (the signature covers these bytes).
      const response = await fetch(callbackUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"Content":${rawContent},"HashCode":"${hashCode}"}`,
      });
      return { status: response.status, body: await response.text() };
    },
    /** The next POST of a document is refused with 400 and this message. */
    refuseNextDocument(message: string) {
      failures.push({ status: 400, message, endpoint: "documents/Documents", method: "POST" });
    },
    /** The next POST to `endpoint` is stored, then its connection is cut before any answer. */
    loseResponseAfterStore(endpoint: "documents/Documents" | "documents/DocumentAttachments") {
      lostResponses.push(endpoint);
    },
    /** Every access token issued so far stops working (401). */
    expireAccessTokens() {
      for (const grant of accessTokens.values()) grant.expiresAt = now() - 1;
    },
    /** Every refresh token issued so far is refused from now on (the 30-day expiry). */
    expireRefreshTokens() {
      for (const key of refreshTokens.keys()) refreshTokens.set(key, "expired");
    },
    /** Changes `expires_in` of tokens issued from now on. */
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

export type FakeExactOnline = Awaited<ReturnType<typeof startFakeExactOnline>>;
