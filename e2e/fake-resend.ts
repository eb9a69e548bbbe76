import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";

/**
 * A stand-in for the Resend API for the end-to-end run, so every mail the app sends (sign-in
 * links, documents) is observable. Started by playwright.config.ts before the app, on
 * 127.0.0.1:3199 (the app gets RESEND_BASE_URL pointing here).
 *
 * - `POST /emails` records the mail and answers `{"id": …}` like Resend. A repeated
 *   `Idempotency-Key` replays the first successful answer and records nothing new, as Resend does
 *   within 24 hours. A recipient switched to "fail" gets Resend's 422 `validation_error`.
 * - `GET /__sent` lists what was delivered (`emails`) and every request seen (`requests`).
 * - `POST /__control` `{"recipient": "…", "mode": "fail" | "succeed"}` decides how a recipient is
 *   answered from now on; `{"reset": true}` forgets all such decisions.
 */

export type FakeAttachment = { filename: string; content: string; content_type?: string };

export type FakeEmail = {
  id: string;
  receivedAt: string;
  idempotencyKey: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  attachments: FakeAttachment[];
};

export type FakeRequest = {
  receivedAt: string;
  idempotencyKey: string | null;
  to: string[];
  status: number;
};

export const FAKE_RESEND_PORT = Number(process.env.E2E_RESEND_PORT ?? 3199);
export const FAKE_RESEND_URL = `http://127.0.0.1:${FAKE_RESEND_PORT}`;

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === "string");
  return typeof value === "string" ? [value] : [];
}

export function startFakeResendServer(port = FAKE_RESEND_PORT): Promise<Server> {
  const emails: FakeEmail[] = [];
  const requests: FakeRequest[] = [];
  const failing = new Set<string>();
  const answered = new Map<string, { id: string }>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown> = {};
      try {
        const raw = Buffer.concat(chunks).toString("utf8");
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return send(400, { statusCode: 400, name: "validation_error", message: "Invalid JSON" });
      }
      const url = new URL(req.url ?? "/", "http://localhost");

      if (req.method === "GET" && url.pathname === "/__sent") return send(200, { emails, requests });
      if (req.method === "POST" && url.pathname === "/__control") {
        if (body.reset === true) failing.clear();
        const recipient = typeof body.recipient === "string" ? body.recipient.toLowerCase() : null;
        if (recipient && body.mode === "fail") failing.add(recipient);
        if (recipient && body.mode === "succeed") failing.delete(recipient);
        return send(200, { failing: [...failing] });
      }
      if (req.method !== "POST" || url.pathname !== "/emails") {
        return send(404, { statusCode: 404, name: "not_found", message: "Unknown route" });
      }

      const header = req.headers["idempotency-key"];
      const idempotencyKey = typeof header === "string" ? header : null;
      const to = asList(body.to);
      const receivedAt = new Date().toISOString();
      const replay = idempotencyKey ? answered.get(idempotencyKey) : undefined;
      if (replay) {
        requests.push({ receivedAt, idempotencyKey, to, status: 200 });
        return send(200, replay);
      }
      if (to.some((address) => failing.has(address.toLowerCase()))) {
        requests.push({ receivedAt, idempotencyKey, to, status: 422 });
        return send(422, {
          statusCode: 422,
          name: "validation_error",
          message: "The recipient was refused (fake Resend).",
        });
      }
      const answer = { id: `re_fake_${randomUUID()}` };
      if (idempotencyKey) answered.set(idempotencyKey, answer);
      requests.push({ receivedAt, idempotencyKey, to, status: 200 });
      emails.push({
        id: answer.id,
        receivedAt,
        idempotencyKey,
        from: typeof body.from === "string" ? body.from : "",
        to,
        subject: typeof body.subject === "string" ? body.subject : "",
        text: typeof body.text === "string" ? body.text : null,
        attachments: Array.isArray(body.attachments) ? (body.attachments as FakeAttachment[]) : [],
      });
      return send(200, answer);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
