import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LookupAll } from "@/lib/net/host-guard";
import { postWebhook } from "@/lib/webhooks/http";
import { type Receiver, startReceiver } from "./setup";

/*
 * One try against a local receiver: the connection goes to the address the guard passed (the
 * name is looked up once, by the guard), and nothing else is asked of DNS.
 */

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

describe("postWebhook", () => {
  it("connects to the address the guard checked, keeping the name in the Host header", async () => {
    const port = new URL(receiver.url()).port;
    const lookups: string[] = [];
    // The first answer is the one that was checked; a second lookup would point elsewhere.
    const lookup: LookupAll = async (hostname) => {
      lookups.push(hostname);
      return [{ address: lookups.length === 1 ? "127.0.0.1" : "10.9.9.9", family: 4 }];
    };
    const outcome = await postWebhook({
      url: `http://hooks.example:${port}/pinned`,
      headers: { "webhook-id": "msg_1" },
      body: "{}",
      allowPrivate: true,
      lookup,
    });
    expect(outcome).toMatchObject({ ok: true, responseStatus: 200, error: null });
    expect(lookups).toEqual(["hooks.example"]);
    const request = receiver.requests.at(-1);
    expect(request?.url).toBe("/pinned");
    expect(request?.headers.host).toBe(`hooks.example:${port}`);
    expect(request?.headers["user-agent"]).toBe("Koppel-Webhooks/1");
  });

  it("refuses a name that resolves inside, without connecting", async () => {
    const before = receiver.requests.length;
    const outcome = await postWebhook({
      url: "https://hooks.example/x",
      headers: {},
      body: "{}",
      allowPrivate: false,
      lookup: async () => [{ address: "192.168.1.10", family: 4 }],
    });
    expect(outcome).toMatchObject({ ok: false, responseStatus: null });
    expect(outcome.error).toMatch(/hostNotAllowed: hooks\.example resolves to 192\.168\.1\.10 \(private\)/);
    expect(receiver.requests).toHaveLength(before);
  });

  it("reports a refused connection as a failed try", async () => {
    const outcome = await postWebhook({ url: "http://127.0.0.1:9/x", headers: {}, body: "{}", allowPrivate: true });
    expect(outcome).toMatchObject({ ok: false, responseStatus: null });
    expect(outcome.error).toMatch(/^connection failed \(ECONNREFUSED\)/);
  });
});
