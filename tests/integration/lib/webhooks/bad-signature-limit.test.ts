import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as postPackage } from "@/app/api/webhooks/[packageId]/route";
import { POST as postOffice } from "@/app/api/webhooks/recognition/[portalId]/route";
import { POST as postInstallation } from "@/app/api/webhooks/recognition/route";
import { POST as postResend } from "@/app/api/webhooks/resend/route";
import type { OpenedDb } from "@/db";
import { rateLimitCounters } from "@/db/schema";
import { resetEnvCache } from "@/lib/env";
import { BAD_SIGNATURE_POLICY, badSignatureBlockSeconds, recordBadSignature } from "@/lib/rate-limit/bad-signatures";
import { processPackageWebhook } from "@/lib/read-back/webhook";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";

// Every webhook endpoint checks a signature; after 20 bad ones in a minute from one client (the
// address a trusted proxy wrote), that client gets 429 for a minute, counted in the database.

vi.mock("@/lib/read-back/webhook", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/read-back/webhook")>()),
  processPackageWebhook: vi.fn(),
}));
const packageOutcome = vi.mocked(processPackageWebhook);

const ENV = {
  RECOGNITION_WEBHOOK_SECRET: "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz",
  RESEND_WEBHOOK_SECRET: "whsec_dGVzdC1zZWNyZXQtZm9yLXJlc2VuZA==",
  KOPPEL_TRUSTED_PROXIES: "1" as string | undefined,
};
const saved = Object.fromEntries(Object.keys(ENV).map((key) => [key, process.env[key]]));
let opened: OpenedDb;
let portalId = "";

function setEnv(values: Partial<typeof ENV>) {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

beforeAll(async () => {
  setEnv(ENV);
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  portalId = (await insertPortal(opened.db, "Kantoor De Vos")).id;
});
beforeEach(async () => {
  // The limit counts in fixed one-minute windows: the clock is held a second into a minute so a
  // test's 20 requests never straddle a window boundary (which restarts the count).
  vi.useFakeTimers({ now: Math.floor(Date.now() / 60_000) * 60_000 + 1_000, toFake: ["Date"] });
  setEnv(ENV);
  await opened.db.delete(rateLimitCounters);
  packageOutcome.mockReset();
  packageOutcome.mockResolvedValue({ status: 401 });
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  setEnv(saved as Partial<typeof ENV>);
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

const nowSeconds = () => String(Math.floor(Date.now() / 1000));
const BAD_HEX = "0".repeat(64);

type Route = { name: string; send: (client: string) => Promise<Response> };

function headersFrom(client: string, extra: Record<string, string>): Headers {
  return new Headers({ "x-forwarded-for": `198.51.100.99, ${client}`, "content-type": "application/json", ...extra });
}

const ROUTES: Route[] = [
  {
    name: "/api/webhooks/recognition",
    send: (client) =>
      postInstallation(
        new Request("http://koppel.test/api/webhooks/recognition", {
          method: "POST",
          body: "{}",
          headers: headersFrom(client, { "x-koppel-timestamp": nowSeconds(), "x-koppel-signature": `v1=${BAD_HEX}` }),
        }),
      ),
  },
  {
    name: "/api/webhooks/recognition/[portalId]",
    send: (client) =>
      postOffice(
        new Request(`http://koppel.test/api/webhooks/recognition/${portalId}`, {
          method: "POST",
          body: "{}",
          headers: headersFrom(client, { "x-koppel-timestamp": nowSeconds(), "x-koppel-signature": `v1=${BAD_HEX}` }),
        }),
        { params: Promise.resolve({ portalId }) },
      ),
  },
  {
    name: "/api/webhooks/resend",
    send: (client) =>
      postResend(
        new Request("http://koppel.test/api/webhooks/resend", {
          method: "POST",
          body: '{"type":"email.delivered"}',
          headers: headersFrom(client, {
            "svix-id": `msg_${randomUUID()}`,
            "svix-timestamp": nowSeconds(),
            "svix-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
          }),
        }),
      ),
  },
  {
    name: "/api/webhooks/[packageId]",
    send: (client) =>
      postPackage(
        new Request(`http://koppel.test/api/webhooks/exact-online?connection=${randomUUID()}`, {
          method: "POST",
          body: '{"Content":{"Topic":"Documents"},"HashCode":"AB"}',
          headers: headersFrom(client, {}),
        }),
        { params: Promise.resolve({ packageId: "exact-online" }) },
      ),
  },
];

async function statuses(route: Route, client: string, count: number): Promise<number[]> {
  const answers: number[] = [];
  for (let index = 0; index < count; index++) answers.push((await route.send(client)).status);
  return answers;
}

describe.each(ROUTES)("$name", (route) => {
  it("answers 401 to 20 bad signatures a minute, then 429 with Retry-After to that client only", async () => {
    expect(await statuses(route, "203.0.113.7", BAD_SIGNATURE_POLICY.limit)).toEqual(
      Array(BAD_SIGNATURE_POLICY.limit).fill(401),
    );
    const refused = await route.send("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    // Another client behind the same proxy is not affected.
    expect((await route.send("203.0.113.8")).status).toBe(401);
  });
});

describe("the client and the block", () => {
  it("a good answer is never counted", async () => {
    packageOutcome.mockResolvedValue({ status: 200, handled: "ignored" });
    const exact = ROUTES[3] as Route;
    expect(await statuses(exact, "203.0.113.7", 25)).toEqual(Array(25).fill(200));
  });

  it("a blocked client is not even handled, whatever it sends", async () => {
    const exact = ROUTES[3] as Route;
    await statuses(exact, "203.0.113.7", BAD_SIGNATURE_POLICY.limit);
    packageOutcome.mockClear();
    packageOutcome.mockResolvedValue({ status: 200, handled: "ignored" });
    expect((await exact.send("203.0.113.7")).status).toBe(429);
    expect(packageOutcome).not.toHaveBeenCalled();
  });

  it("a block on one route leaves the others alone", async () => {
    const [installation, office] = ROUTES as [Route, Route];
    await statuses(installation, "203.0.113.7", BAD_SIGNATURE_POLICY.limit);
    expect((await installation.send("203.0.113.7")).status).toBe(429);
    expect((await office.send("203.0.113.7")).status).toBe(401);
  });

  it("without KOPPEL_TRUSTED_PROXIES a forged X-Forwarded-For does not escape: one bucket for all", async () => {
    setEnv({ KOPPEL_TRUSTED_PROXIES: undefined });
    const installation = ROUTES[0] as Route;
    for (let index = 0; index < BAD_SIGNATURE_POLICY.limit; index++) {
      expect((await installation.send(`192.0.2.${index + 1}`)).status).toBe(401);
    }
    expect((await installation.send("192.0.2.200")).status).toBe(429);
  });

  it("lasts a minute from the 20th bad signature, across window boundaries", async () => {
    const start = new Date("2026-01-05T10:00:50Z");
    for (let index = 0; index < BAD_SIGNATURE_POLICY.limit; index++) {
      await recordBadSignature(opened.db, "test:client", start);
    }
    expect(await badSignatureBlockSeconds(opened.db, "test:client", start)).toBe(60);
    expect(await badSignatureBlockSeconds(opened.db, "test:client", new Date("2026-01-05T10:01:49Z"))).toBe(1);
    expect(await badSignatureBlockSeconds(opened.db, "test:client", new Date("2026-01-05T10:01:50Z"))).toBe(0);
  });

  it("19 bad signatures do not block", async () => {
    const start = new Date("2026-01-05T11:00:00Z");
    for (let index = 0; index < BAD_SIGNATURE_POLICY.limit - 1; index++) {
      await recordBadSignature(opened.db, "test:other", start);
    }
    expect(await badSignatureBlockSeconds(opened.db, "test:other", start)).toBe(0);
  });
});
