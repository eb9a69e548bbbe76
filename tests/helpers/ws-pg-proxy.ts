import net from "node:net";
import { WebSocketServer } from "ws";

const ALLOWED_HOSTS = ["127.0.0.1", "localhost", "::1"];

/**
 * A WebSocket → TCP proxy that lets @neondatabase/serverless talk to a local PostgreSQL, the way
 * Neon's own proxy does (stack-notes §4). The driver sends raw Postgres wire bytes as binary
 * frames to `/v2?address=host:port`. Only loopback targets are allowed.
 */
export async function startWsPgProxy(port = 0) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  wss.on("connection", (ws, req) => {
    const address = new URL(req.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const separator = address.lastIndexOf(":");
    const host = address.slice(0, separator);
    const targetPort = Number(address.slice(separator + 1));
    if (!ALLOWED_HOSTS.includes(host) || !targetPort) {
      ws.close(1008, "address not allowed");
      return;
    }
    const socket = net.connect({ host, port: targetPort });
    socket.setNoDelay(true);
    // The driver writes at once; hold its first frames until the TCP socket is up.
    const pending: Buffer[] = [];
    socket.on("connect", () => {
      for (const chunk of pending.splice(0)) socket.write(chunk);
    });
    ws.on("message", (data: Buffer) => {
      if (socket.connecting) pending.push(data);
      else socket.write(data);
    });
    socket.on("data", (chunk) => ws.send(chunk));
    ws.on("close", () => socket.destroy());
    ws.on("error", () => socket.destroy());
    socket.on("close", () => ws.close());
    socket.on("error", () => ws.terminate());
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  return {
    port: (wss.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
