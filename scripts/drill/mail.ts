import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The drill's mail service: Resend's POST /emails as Koppel calls it. Like Resend it replays the
 * first answer for a repeated Idempotency-Key (so a repeat is no second mail); `failing` makes it
 * answer 503 to everything. `accepted`: the mails it really sent, by key — what duplicates are
 * counted from.
 */
export async function startDrillMail() {
  const accepted = new Map<string, string>();
  const state = { failing: false, requests: 0 };
  let counter = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      state.requests++;
      if (req.method !== "POST" || req.url !== "/emails") {
        res.writeHead(404, { "content-type": "application/json" }).end('{"message":"not found"}');
        return;
      }
      if (state.failing) {
        res
          .writeHead(503, { "content-type": "application/json" })
          .end('{"name":"service_unavailable","message":"down for the drill","statusCode":503}');
        return;
      }
      const key = String(req.headers["idempotency-key"] ?? `none-${++counter}`);
      let id = accepted.get(key);
      if (!id) {
        id = `re_drill_${++counter}`;
        accepted.set(key, id);
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
