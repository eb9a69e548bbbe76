import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the local server saw it. */
export type SeenRequest = { method: string; path: string; headers: IncomingMessage["headers"]; body: string };

export type LocalServer = {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Every request so far, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
};

/**
 * A real HTTP server on 127.0.0.1 (port 0: any free one) for the transport tests: `handle` answers
 * each request after its body was read whole. No mocks of fetch: the code under test talks to it
 * over a socket.
 */
export async function startLocalServer(
  handle: (request: SeenRequest, res: ServerResponse) => unknown,
): Promise<LocalServer> {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: SeenRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    seen.push(request);
    try {
      await handle(request, res);
    } catch (error) {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with the given status and extra headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

/** A URL on 127.0.0.1 where nothing listens (a server that was started and closed again). */
export async function closedPortUrl(): Promise<string> {
  const server = await startLocalServer((_request, res) => res.end());
  await server.close();
  return server.url;
}
