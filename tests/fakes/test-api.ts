import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The Test API: a package that exists only in tests (catalog id `test-api`, isTestOnly), served by
 * this real HTTP server on 127.0.0.1. Its whole shape is defined here, small on purpose, so the
 * connector in lib/connectors/api/test-api shows what an API package needs and nothing more:
 * - every call carries `Authorization: Bearer <apiKey>`; another key → 401 `{ "error": "unauthorised" }`.
 * - `GET /v1/ping` → 200 `{ "ok": true }` (the connection check).
 * - `POST /v1/ledgers/{ledgerId}/documents` with JSON `{ reference, category, documentType,
 *   fileName, mimeType, contentBase64 }` → 201 `{ "id": "doc-…" }`; an unknown ledger → 404
 *   `{ "error": "unknown_ledger" }`; a body without reference, fileName or content → 400
 *   `{ "error": "invalid_document" }`. A second upload with the same reference is filed again:
 *   the connector, not the package, keeps deliveries single (it looks its reference up first).
 * - `GET /v1/ledgers/{ledgerId}/documents?reference=…` → 200 `{ "items": [{ "id", "reference" }] }`.
 * - `failNext(...)` answers the next calls with a chosen status instead (Retry-After optional).
 */

export type FakeTestApiDocument = {
  id: string;
  ledgerId: string;
  reference: string;
  category: string;
  fileName: string;
  content: Buffer;
};

export type FakeTestApiOptions = { apiKey?: string; ledgers?: string[] };

type Failure = { status: number; retryAfterSeconds?: number };

const MAX_BODY_BYTES = 40 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

export async function startFakeTestApi(options: FakeTestApiOptions = {}) {
  const apiKey = options.apiKey ?? "test-api-key-0001";
  const ledgers = new Set(options.ledgers ?? ["LEDGER-1"]);
  const documents: FakeTestApiDocument[] = [];
  const failures: Failure[] = [];
  const counts = { uploads: 0, lookups: 0, pings: 0, failed: 0 };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return sendJson(res, 401, { error: "unauthorised" });
    const failure = failures.shift();
    if (failure) {
      counts.failed++;
      const headers: Record<string, string> =
        failure.retryAfterSeconds === undefined ? {} : { "retry-after": String(failure.retryAfterSeconds) };
      return sendJson(res, failure.status, { error: "injected" }, headers);
    }
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/v1/ping") {
      counts.pings++;
      return sendJson(res, 200, { ok: true });
    }
    const match = /^\/v1\/ledgers\/([^/]+)\/documents$/.exec(url.pathname);
    const ledgerId = match?.[1] ? decodeURIComponent(match[1]) : null;
    if (!ledgerId) return sendJson(res, 404, { error: "not_found" });
    if (!ledgers.has(ledgerId)) return sendJson(res, 404, { error: "unknown_ledger" });

    if (req.method === "GET") {
      counts.lookups++;
      const reference = url.searchParams.get("reference");
      const items = documents
        .filter((document) => document.ledgerId === ledgerId && document.reference === reference)
        .map(({ id, reference: stored }) => ({ id, reference: stored }));
      return sendJson(res, 200, { items });
    }
    if (req.method === "POST") {
      const body = (await readJson(req)) as Record<string, unknown> | null;
      const reference = text(body?.reference);
      const fileName = text(body?.fileName);
      const content = text(body?.contentBase64);
      if (!reference || !fileName || !content) return sendJson(res, 400, { error: "invalid_document" });
      counts.uploads++;
      const document: FakeTestApiDocument = {
        id: `doc-${randomUUID()}`,
        ledgerId,
        reference,
        category: text(body?.category) ?? "",
        fileName,
        content: Buffer.from(content, "base64"),
      };
      documents.push(document);
      return sendJson(res, 201, { id: document.id });
    }
    return sendJson(res, 405, { error: "method_not_allowed" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => sendJson(res, 500, { error: "fake_crashed" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    ledgerId: [...ledgers][0] ?? "LEDGER-1",
    /** What the package filed, in order. */
    documents,
    counts,
    /** The next `times` calls (after the key check) answer `status` instead. */
    failNext(status: number, times = 1, retryAfterSeconds?: number) {
      for (let i = 0; i < times; i++) failures.push({ status, retryAfterSeconds });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeTestApi = Awaited<ReturnType<typeof startFakeTestApi>>;
