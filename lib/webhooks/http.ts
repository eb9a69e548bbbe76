import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { LookupAll } from "@/lib/net/host-guard";
import { checkEndpointUrl } from "./url";

/*
 * One try of one webhook message: a POST with a deadline, to the address that passed the host
 * guard just now (the request's DNS lookup is pinned to it; TLS still checks the certificate
 * against the host name). Redirects are not followed: a 3xx is a failed try. Only the status and a
 * few words of the answer are kept.
 */

/** How long one try may take, answer included. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** The start of a refusing answer kept for the log (never the whole answer). */
const ERROR_BODY_CHARS = 200;
/** Bytes of an answer read at most; the rest is dropped. */
const MAX_ANSWER_BYTES = 16 * 1024;

export type WebhookTryOutcome = {
  ok: boolean;
  /** The endpoint's HTTP status; null when no answer came. */
  responseStatus: number | null;
  durationMs: number;
  /** Why it failed, in a few words; null on success. */
  error: string | null;
};

export type WebhookRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs?: number;
  /** Defaults to the deployment's private-host switch. */
  allowPrivate?: boolean;
  lookup?: LookupAll;
  /** Monotonic milliseconds, for the answer time. */
  clockMs?: () => number;
};

const printable = (text: string) =>
  text
    // Line breaks and other control characters of the endpoint's answer become spaces.
    .replace(/\p{Cc}+/gu, " ")
    .trim()
    .slice(0, ERROR_BODY_CHARS);

/** Sends one try; never throws: every failure comes back as an outcome. */
export async function postWebhook(request: WebhookRequest): Promise<WebhookTryOutcome> {
  const clock = request.clockMs ?? (() => performance.now());
  const started = clock();
  const elapsed = () => Math.max(0, Math.round(clock() - started));
  const checked = await checkEndpointUrl(request.url, { allowPrivate: request.allowPrivate, lookup: request.lookup });
  if (!checked.ok) {
    return {
      ok: false,
      responseStatus: null,
      durationMs: elapsed(),
      error: `address refused (${checked.refusal}${checked.detail ? `: ${checked.detail}` : ""})`,
    };
  }
  const { url, target } = checked;
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const timeoutMs = request.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const body = Buffer.from(request.body, "utf8");
  return new Promise<WebhookTryOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<WebhookTryOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(
      url,
      {
        method: "POST",
        headers: {
          ...request.headers,
          "content-type": "application/json",
          "content-length": String(body.length),
          "user-agent": "Koppel-Webhooks/1",
        },
        lookup: pinned,
        // TLS checks the certificate against the name, not the pinned address.
        ...(url.protocol === "https:" ? { servername: url.hostname.replace(/^\[(.*)\]$/, "$1") } : {}),
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on("error", () => finish({ ok: false, responseStatus: status, error: "answer broken off" }));
        res.on("end", () => {
          if (status >= 200 && status < 300) return finish({ ok: true, responseStatus: status, error: null });
          const text = printable(Buffer.concat(chunks).toString("utf8"));
          const what = status >= 300 && status < 400 ? `redirect ${status} not followed` : `HTTP ${status}`;
          finish({ ok: false, responseStatus: status, error: text ? `${what}: ${text}` : what });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, responseStatus: null, error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      req.destroy();
    }, timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      finish({ ok: false, responseStatus: null, error: `connection failed (${error.code ?? error.message})` });
    });
    req.end(body);
  });
}
