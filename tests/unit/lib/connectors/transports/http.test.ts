import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConnectorError } from "@/lib/connectors/errors";
import {
  type AnswerRules,
  classifyHttpAnswer,
  classifyNetworkError,
  type HttpAnswer,
  parseAnswer,
  retryAfterMsOf,
  sendRequest,
  vendorMessageOf,
} from "@/lib/connectors/transports/http";
import { closedPortUrl, type LocalServer, sendJson, startLocalServer } from "./local-server";

const NOW = Date.parse("2026-03-02T09:00:00Z");
const open = () => new AbortController().signal;

/** The vendor of these tests writes `{"problem":{"text":"…"}}`. */
const RULES: AnswerRules = {
  readVendorText: (body) =>
    typeof body === "object" && body !== null && "problem" in body
      ? String((body as { problem: { text: string } }).problem.text)
      : null,
  defaultRetryAfterMs: 90_000,
};

function answer(status: number, body: unknown = "", headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: new Headers(headers), text: typeof body === "string" ? body : JSON.stringify(body) };
}

let server: LocalServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function caught(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("sendRequest against a local server", () => {
  it("reads the whole answer: status, headers and text", async () => {
    server = await startLocalServer((request, res) => sendJson(res, 201, { echo: request.body }, { "x-seen": "1" }));
    const result = await sendRequest(`${server.url}/things`, { method: "POST", body: "hello" }, open());
    expect(result.status).toBe(201);
    expect(result.headers.get("x-seen")).toBe("1");
    expect(JSON.parse(result.text)).toEqual({ echo: "hello" });
    expect(server.seen[0]).toMatchObject({ method: "POST", path: "/things" });
  });

  it("does not follow a redirect (a token must not travel to the Location), unless the caller asks", async () => {
    server = await startLocalServer((request, res) => {
      if (request.path === "/old") {
        res.writeHead(302, { location: "/new" });
        return res.end();
      }
      res.end("moved here");
    });
    const manual = await sendRequest(`${server.url}/old`, { headers: { authorization: "Bearer t" } }, open());
    expect(manual.status).toBe(302);
    expect(server.seen.map((request) => request.path)).toEqual(["/old"]);
    const followed = await sendRequest(`${server.url}/old`, { redirect: "follow" }, open());
    expect([followed.status, followed.text]).toEqual([200, "moved here"]);
  });

  it("a refused connection is a retryable network error with the system's code", async () => {
    const error = await caught(sendRequest(`${await closedPortUrl()}/x`, {}, open()));
    expect(error).toMatchObject({ kind: "retryable", code: "network", vendorDetail: "ECONNREFUSED" });
  });

  it("a connection dropped before the answer is a retryable network error", async () => {
    server = await startLocalServer((_request, res) => {
      res.socket?.destroy();
    });
    const error = await caught(sendRequest(`${server.url}/x`, {}, open()));
    expect(error).toMatchObject({ kind: "retryable", code: "network" });
  });

  it("the caller's deadline passing mid-request is a retryable timeout", async () => {
    const deadline = new AbortController();
    // The server never answers; the deadline passes once the request has arrived.
    server = await startLocalServer(() => deadline.abort(new DOMException("deadline", "TimeoutError")));
    const error = await caught(sendRequest(`${server.url}/slow`, {}, deadline.signal));
    expect(error).toMatchObject({ kind: "retryable", code: "timeout" });
    expect(server.seen).toHaveLength(1);
  });

  it("a 429 with Retry-After in seconds, from the wire, waits that long", async () => {
    server = await startLocalServer((_request, res) =>
      sendJson(res, 429, { problem: { text: "slow down" } }, { "retry-after": "12" }),
    );
    const result = await sendRequest(`${server.url}/x`, {}, open());
    expect(classifyHttpAnswer(result, RULES, NOW)).toMatchObject({
      kind: "retryable",
      code: "rate_limited",
      retryAfterMs: 12_000,
      vendorDetail: "429 slow down",
    });
  });

  it("a 503 from the wire is a retryable server error", async () => {
    server = await startLocalServer((_request, res) => {
      res.writeHead(503, { "content-type": "text/html" });
      res.end("<h1>Service Unavailable</h1>");
    });
    const result = await sendRequest(`${server.url}/x`, {}, open());
    expect(classifyHttpAnswer(result, RULES, NOW)).toMatchObject({
      kind: "retryable",
      code: "server_error",
      vendorDetail: "503 <h1>Service Unavailable</h1>",
    });
  });
});

describe("classifyNetworkError", () => {
  it("network failures and timeouts are retryable", () => {
    const reset = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
    expect(classifyNetworkError(reset, open())).toMatchObject({
      kind: "retryable",
      code: "network",
      vendorDetail: "ECONNRESET",
    });
    expect(classifyNetworkError(new DOMException("t", "TimeoutError"), open())).toMatchObject({ code: "timeout" });
    expect(classifyNetworkError(new DOMException("a", "AbortError"), open())).toMatchObject({ code: "timeout" });
    expect(classifyNetworkError(new Error("x"), AbortSignal.abort())).toMatchObject({ code: "timeout" });
    expect(
      classifyNetworkError(new TypeError("fetch failed", { cause: new Error("other side hung up") }), open()),
    ).toMatchObject({ code: "network", vendorDetail: "other side hung up" });
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and an HTTP date, at least a second", () => {
    const headers = (value: string) => new Headers({ "retry-after": value });
    expect(retryAfterMsOf(headers("30"), NOW)).toBe(30_000);
    expect(retryAfterMsOf(headers("0"), NOW)).toBe(1_000);
    expect(retryAfterMsOf(headers("Mon, 02 Mar 2026 09:02:00 GMT"), NOW)).toBe(120_000);
    expect(retryAfterMsOf(headers("Mon, 02 Mar 2026 08:00:00 GMT"), NOW)).toBe(1_000);
  });

  it("has nothing to say without the header or with one it cannot read", () => {
    expect(retryAfterMsOf(new Headers(), NOW)).toBeNull();
    expect(retryAfterMsOf(new Headers({ "retry-after": " " }), NOW)).toBeNull();
    expect(retryAfterMsOf(new Headers({ "retry-after": "1.5" }), NOW)).toBeNull();
    expect(retryAfterMsOf(new Headers({ "retry-after": "soon" }), NOW)).toBeNull();
  });
});

describe("classifyHttpAnswer", () => {
  it.each([
    [400, "permanent", "package_refused"],
    [401, "auth", "auth_failed"],
    [403, "auth", "auth_failed"],
    [404, "permanent", "invalid_settings"],
    [409, "permanent", "package_refused"],
    [413, "permanent", "file_refused"],
    [422, "permanent", "package_refused"],
    [301, "permanent", "invalid_settings"],
    [408, "retryable", "server_error"],
    [421, "retryable", "server_error"],
    [425, "retryable", "server_error"],
    [426, "retryable", "server_error"],
    [450, "retryable", "server_error"],
    [451, "retryable", "server_error"],
    [500, "retryable", "server_error"],
    [502, "retryable", "server_error"],
    [503, "retryable", "server_error"],
    [504, "retryable", "server_error"],
  ] as const)("%i → %s %s", (status, kind, code) => {
    expect(classifyHttpAnswer(answer(status, { problem: { text: "no" } }), RULES, NOW)).toMatchObject({ kind, code });
  });

  it("429 waits as Retry-After says (seconds or date), else the connector's default", () => {
    expect(classifyHttpAnswer(answer(429, "", { "retry-after": "5" }), RULES, NOW).retryAfterMs).toBe(5_000);
    expect(
      classifyHttpAnswer(answer(429, "", { "retry-after": "Mon, 02 Mar 2026 09:00:40 GMT" }), RULES, NOW).retryAfterMs,
    ).toBe(40_000);
    expect(classifyHttpAnswer(answer(429), RULES, NOW)).toMatchObject({
      kind: "retryable",
      code: "rate_limited",
      retryAfterMs: 90_000,
    });
  });

  it("the status decides before the body: a 503 with a body that reads like a refusal is still retryable, after its Retry-After", () => {
    const refusalBody = { problem: { text: "Invalid VAT number" }, error: "validation_error", statusCode: 422 };
    expect(classifyHttpAnswer(answer(503, refusalBody, { "retry-after": "20" }), RULES, NOW)).toMatchObject({
      kind: "retryable",
      code: "server_error",
      retryAfterMs: 20_000,
    });
    expect(classifyHttpAnswer(answer(502, "<html>Bad gateway</html>"), RULES, NOW).retryAfterMs).toBeUndefined();
    // And a 2xx-looking body does not save a 4xx refusal.
    expect(classifyHttpAnswer(answer(422, { ok: true }), RULES, NOW)).toMatchObject({ kind: "permanent" });
  });

  it("the vendor reader's words go to vendorDetail; without them, the start of the body", () => {
    expect(classifyHttpAnswer(answer(422, { problem: { text: "Bad VAT" } }), RULES, NOW).vendorDetail).toBe(
      "422 Bad VAT",
    );
    expect(classifyHttpAnswer(answer(422, { other: "shape" }), RULES, NOW).vendorDetail).toBe('422 {"other":"shape"}');
    expect(classifyHttpAnswer(answer(422, "x".repeat(500)), RULES, NOW).vendorDetail).toBe(`422 ${"x".repeat(200)}`);
    expect(classifyHttpAnswer(answer(302, ""), RULES, NOW).vendorDetail).toBe("redirect 302");
    expect(vendorMessageOf(answer(500, ""), RULES.readVendorText)).toBe("500");
  });

  it("asks the connector whether a refusal means the target is out of reach, after 5xx and 401", () => {
    const rules: AnswerRules = { ...RULES, isUnknownTarget: () => true };
    expect(classifyHttpAnswer(answer(403), rules, NOW)).toMatchObject({ kind: "permanent", code: "unknown_target" });
    expect(classifyHttpAnswer(answer(404), rules, NOW).code).toBe("unknown_target");
    expect(classifyHttpAnswer(answer(401), rules, NOW).code).toBe("auth_failed");
    expect(classifyHttpAnswer(answer(503), rules, NOW).code).toBe("server_error");
    expect(classifyHttpAnswer(answer(429), rules, NOW).code).toBe("rate_limited");
  });

  it("takes the connector's other throttle and its own reading of one", () => {
    const throttled: AnswerRules = { ...RULES, isThrottled: (refused) => refused.status === 403 };
    expect(classifyHttpAnswer(answer(403), throttled, NOW)).toMatchObject({
      kind: "retryable",
      code: "rate_limited",
      retryAfterMs: 90_000,
    });
    const own: AnswerRules = {
      ...RULES,
      classifyTooManyRequests: () => new ConnectorError("retryable", "quota_exceeded", { retryAfterMs: 1 }),
    };
    expect(classifyHttpAnswer(answer(429), own, NOW)).toMatchObject({ code: "quota_exceeded", retryAfterMs: 1 });
  });
});

describe("parseAnswer", () => {
  const schema = z.object({ id: z.string() });

  it("reads the fields it is given a schema for", () => {
    expect(parseAnswer(answer(200, { id: "a", extra: 1 }), schema)).toEqual({ id: "a" });
  });

  it("an answer that is not JSON or not the expected shape is the vendor's hiccup: retryable", () => {
    expect(() => parseAnswer(answer(200, "<html>"), schema)).toThrow(
      expect.objectContaining({ kind: "retryable", code: "server_error", vendorDetail: "200: answer is not JSON" }),
    );
    expect(() => parseAnswer(answer(200, { id: 7 }), schema)).toThrow(
      expect.objectContaining({ kind: "retryable", code: "server_error", vendorDetail: "200: unexpected answer (id)" }),
    );
  });
});
