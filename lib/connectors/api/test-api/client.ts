import { z } from "zod";
import { type AnswerRules, classifyHttpAnswer, type HttpAnswer, parseAnswer, sendRequest } from "../../transports/http";

/**
 * Raw calls to the Test API (its shape: tests/fakes/test-api.ts, the only server it has) and the
 * one place where its failures are classified, on the shared HTTP rules (../../transports/http.ts):
 * network trouble, 408, 5xx and 429 retry (Retry-After honoured), 401 and 403 are auth failures,
 * 404 "unknown_ledger" is the dossier's ledger out of reach, any other refusal is permanent.
 */

const errorBodySchema = z.looseObject({ error: z.string() });

/** The `error` of an error body, or null. */
function errorOf(body: unknown): string | null {
  return errorBodySchema.safeParse(body).data?.error ?? null;
}

function errorOfAnswer(answer: HttpAnswer): string | null {
  try {
    return errorOf(JSON.parse(answer.text));
  } catch {
    return null;
  }
}

const RULES: AnswerRules = {
  readVendorText: errorOf,
  defaultRetryAfterMs: 60_000,
  isUnknownTarget: (answer) => answer.status === 404 && errorOfAnswer(answer) === "unknown_ledger",
};

const uploadAnswerSchema = z.looseObject({ id: z.string().min(1) });
const lookupAnswerSchema = z.looseObject({
  items: z.array(z.looseObject({ id: z.string().min(1), reference: z.string() })),
});

export type TestApiClientOptions = { baseUrl: string; apiKey: string; signal: AbortSignal };

export function createTestApiClient({ baseUrl, apiKey, signal }: TestApiClientOptions) {
  async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${apiKey}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const answer = await sendRequest(
      `${baseUrl}${path}`,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) },
      signal,
    );
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw classifyHttpAnswer(answer, RULES, Date.now());
  }
  const documentsPath = (ledgerId: string) => `/v1/ledgers/${encodeURIComponent(ledgerId)}/documents`;

  return {
    /** `GET /v1/ping`: the key is accepted. */
    async ping(): Promise<void> {
      await call("GET", "/v1/ping");
    },
    /** `GET …/documents?reference=`: what the ledger holds under our reference. */
    async findByReference(ledgerId: string, reference: string) {
      const answer = await call("GET", `${documentsPath(ledgerId)}?${new URLSearchParams({ reference })}`);
      return parseAnswer(answer, lookupAnswerSchema).items;
    },
    /** `POST …/documents`: files one document, answers its id. */
    async upload(ledgerId: string, body: unknown): Promise<string> {
      return parseAnswer(await call("POST", documentsPath(ledgerId), body), uploadAnswerSchema).id;
    },
  };
}
