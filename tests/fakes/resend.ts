import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: unknown };

/** A JSON answer, or a raw one (a proxy's HTML error page), with extra headers if any. */
export type FakeResendAnswer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; text: string; headers?: Record<string, string> };

/**
 * A local stand-in for the Resend API (POST /emails → {"id": …}), as captured in stack-notes §6.
 * `respondWith` overrides the next answers, e.g. to test refusals.
 */
export async function startFakeResend() {
  const requests: RecordedRequest[] = [];
  let next: FakeResendAnswer | undefined;
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // Keep the raw text; the test will see it was not JSON.
      }
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const answer =
        next ??
        (req.method === "POST" && req.url === "/emails"
          ? { status: 200, body: { id: `re_fake_${++counter}` } }
          : { status: 404, body: { name: "not_found", message: "Unknown route", statusCode: 404 } });
      if ("text" in answer) {
        res.writeHead(answer.status, { "content-type": "text/html", ...answer.headers });
        res.end(answer.text);
        return;
      }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(answer: FakeResendAnswer | undefined) {
      next = answer;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
