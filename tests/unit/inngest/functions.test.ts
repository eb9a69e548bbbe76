import { createHash, randomUUID } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import { NonRetriableError, RetryAfterError } from "inngest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { functions } from "@/inngest";
import { toInngestError } from "@/inngest/functions/from-definition";
import { listConnectionsDueForCheck, runConnectionCheck } from "@/lib/connections/check";
import { resetEnvCache } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { NonRetriableJobError, RetryAfterJobError } from "@/lib/jobs/errors";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";

// The Inngest functions built from the job definitions, run by @inngest/test's engine (real step
// code, spied step tools). The connection services are mocked: their own tests cover them.

vi.mock("@/lib/connections/check", () => ({
  listConnectionsDueForCheck: vi.fn(),
  runConnectionCheck: vi.fn(),
}));
const FAKE_DB = { fake: "db" };
vi.mock("@/db", () => ({ getDb: vi.fn(async () => FAKE_DB) }));

type FunctionConfig = {
  id: string;
  triggers: { event?: string; cron?: string }[];
  steps: Record<string, { retries?: { attempts: number } }>;
  concurrency?: unknown;
  throttle?: unknown;
};

function findFunction(id: string) {
  const fn = functions.find((f) => f.id() === id);
  if (!fn) throw new Error(`no function ${id}`);
  return fn;
}

const SERVE_URL = "http://localhost:3000/api/inngest";

/** Calls the serve endpoint with INNGEST_DEV set as given (dev mode needs no signing key). */
async function callServeEndpoint(inngestDev: string | undefined, init: RequestInit): Promise<Response> {
  vi.stubEnv("INNGEST_DEV", inngestDev);
  for (const name of ["INNGEST_EVENT_KEY", "INNGEST_BASE_URL"]) vi.stubEnv(name, undefined);
  resetEnvCache();
  try {
    const route = await import("@/app/api/inngest/route");
    const handler = init.method === "PUT" ? route.PUT : route.GET;
    return await handler(new Request(SERVE_URL, init) as never, undefined);
  } finally {
    vi.unstubAllEnvs();
    resetEnvCache();
  }
}

/** What the serve endpoint reports to Inngest on an in-band sync. */
async function syncedConfigs(): Promise<FunctionConfig[]> {
  const response = await callServeEndpoint("1", {
    method: "PUT",
    headers: { "content-type": "application/json", "x-inngest-sync-kind": "in_band" },
    body: JSON.stringify({ url: SERVE_URL }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { functions: FunctionConfig[] }).functions;
}

/** The SDK logs a failing function's error; expected here, so kept out of the test output. */
const quietInngestErrors = () => vi.spyOn(console, "error").mockImplementation(() => undefined);

/** @inngest/test keys step state by the SHA-1 of the step id. */
const stepState = (state: Record<string, Promise<unknown>>, stepId: string) =>
  state[createHash("sha1").update(stepId).digest("hex")];

beforeEach(() => {
  vi.mocked(listConnectionsDueForCheck).mockReset();
  vi.mocked(runConnectionCheck).mockReset();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Inngest functions", () => {
  it("has one function per job definition, with the definition's id", () => {
    expect(functions.map((f) => f.id()).sort()).toEqual(JOB_DEFINITIONS.map((d) => d.id).sort());
    expect(functions.map((f) => f.id("koppel"))).toContain("koppel-connection-health-check");
  });

  it("syncs triggers, retries and concurrency from the definitions to Inngest", async () => {
    const configs = new Map((await syncedConfigs()).map((config) => [config.id, config]));
    expect([...configs.keys()].sort()).toEqual([
      "koppel-auto-send",
      "koppel-connection-check",
      "koppel-connection-health-check",
      "koppel-deliver",
      // The deliver definition's onFailure becomes a function of its own.
      "koppel-deliver-failure",
      "koppel-dispatch-sweep",
      "koppel-failure-digest",
      "koppel-ftp-read-back",
      "koppel-ftp-read-back-connection",
      "koppel-oauth-keep-alive",
      "koppel-pending-shares-prune",
      "koppel-webhook-deliver",
      "koppel-webhook-prune",
      "koppel-webhook-sweep",
    ]);
    expect(configs.get("koppel-oauth-keep-alive")?.triggers).toEqual([{ cron: "17 3 * * *" }]);
    expect(configs.get("koppel-failure-digest")?.triggers).toEqual([{ cron: "23 6 * * *" }]);
    expect(configs.get("koppel-dispatch-sweep")?.triggers).toEqual([{ cron: "* * * * *" }]);
    expect(configs.get("koppel-webhook-sweep")?.triggers).toEqual([{ cron: "* * * * *" }]);
    expect(configs.get("koppel-webhook-prune")?.triggers).toEqual([{ cron: "41 3 * * *" }]);
    expect(configs.get("koppel-pending-shares-prune")?.triggers).toEqual([{ cron: "37 * * * *" }]);
    expect(configs.get("koppel-webhook-deliver")?.triggers).toEqual([{ event: "webhooks/delivery.requested" }]);
    expect(configs.get("koppel-ftp-read-back")?.triggers).toEqual([{ cron: "*/30 * * * *" }]);
    expect(configs.get("koppel-ftp-read-back-connection")?.triggers).toEqual([
      { event: "connections/connection.read-back-requested" },
    ]);
    expect(configs.get("koppel-ftp-read-back-connection")?.concurrency).toEqual({
      key: "event.data.connectionId",
      limit: 1,
    });

    const healthCheck = configs.get("koppel-connection-health-check");
    expect(healthCheck?.triggers).toEqual([{ cron: "*/15 * * * *" }]);
    expect(Object.values(healthCheck?.steps ?? {})[0]?.retries).toEqual({ attempts: 2 });
    expect(healthCheck?.concurrency).toBeUndefined();

    const check = configs.get("koppel-connection-check");
    expect(check?.triggers).toEqual([{ event: "connections/connection.check-requested" }]);
    expect(Object.values(check?.steps ?? {})[0]?.retries).toEqual({ attempts: 2 });
    expect(check?.concurrency).toEqual({ key: "event.data.connectionId", limit: 1 });

    const deliver = configs.get("koppel-deliver");
    expect(deliver?.triggers).toEqual([{ event: "dispatch/dispatch.requested" }]);
    // Five tries in all: the first and four retries.
    expect(Object.values(deliver?.steps ?? {})[0]?.retries).toEqual({ attempts: 4 });
    expect(deliver?.concurrency).toEqual({ key: "event.data.concurrencyKey", limit: 1 });
    // Per throttle key (an Exact division, or the dispatch when unthrottled): the rate Exact declares.
    expect(deliver?.throttle).toEqual({ key: "event.data.throttleKey", limit: 30, period: "1m" });

    const autoSend = configs.get("koppel-auto-send");
    expect(autoSend?.triggers).toEqual([{ event: "documents/document.recognised" }]);
  });

  it("answers 404 at the serve endpoint when the in-process driver runs the jobs", async () => {
    const response = await callServeEndpoint(undefined, { method: "GET" });
    expect(response.status).toBe(404);
  });

  describe("connection-health-check", () => {
    it("fans out one check request per due connection", async () => {
      const due = [
        { id: randomUUID(), portalId: randomUUID() },
        { id: randomUUID(), portalId: randomUUID() },
      ];
      vi.mocked(listConnectionsDueForCheck).mockResolvedValue(due);

      const t = new InngestTestEngine({ function: findFunction("connection-health-check") });
      const { result, ctx } = await t.execute({
        events: [{ name: "inngest/scheduled.timer", data: {} }],
        // step.sendEvent would post to an Inngest server: the step is mocked, its call checked.
        steps: [{ id: "request-checks-0", handler: () => ({ ids: ["e1", "e2"] }) }],
      });

      expect(result).toEqual({ requested: 2 });
      expect(listConnectionsDueForCheck).toHaveBeenCalledWith(FAKE_DB);
      const expected = due.map((c) => ({
        name: "connections/connection.check-requested",
        data: { connectionId: c.id, portalId: c.portalId },
      }));
      expect(ctx.step.sendEvent).toHaveBeenCalledTimes(1);
      expect(ctx.step.sendEvent).toHaveBeenCalledWith("request-checks-0", expected);
    });

    it("sends nothing when no connection is due", async () => {
      vi.mocked(listConnectionsDueForCheck).mockResolvedValue([]);

      const t = new InngestTestEngine({ function: findFunction("connection-health-check") });
      const { result, ctx } = await t.execute({ events: [{ name: "inngest/scheduled.timer", data: {} }] });

      expect(result).toEqual({ requested: 0 });
      expect(ctx.step.sendEvent).not.toHaveBeenCalled();
    });
  });

  describe("connection-check", () => {
    const connectionId = randomUUID();
    const event = {
      name: "connections/connection.check-requested",
      data: { connectionId, portalId: randomUUID() },
    };

    it("runs the connection check as the health-check system actor", async () => {
      vi.mocked(runConnectionCheck).mockResolvedValue({
        status: "needs_reauth",
        errorCode: "auth_failed",
        checkedAt: new Date(),
      });

      const t = new InngestTestEngine({ function: findFunction("connection-check") });
      const { result, state } = await t.execute({ events: [event] });

      expect(runConnectionCheck).toHaveBeenCalledWith(
        FAKE_DB,
        { kind: "system", reason: "connection-health-check" },
        connectionId,
      );
      expect(result).toEqual({ status: "needs_reauth" });
      await expect(stepState(state, "run-connection-check")).resolves.toEqual({ status: "needs_reauth" });
    });

    it("does not retry a connection that no longer exists", async () => {
      vi.mocked(runConnectionCheck).mockRejectedValue(new NotFoundError());
      const logged = quietInngestErrors();

      const t = new InngestTestEngine({ function: findFunction("connection-check") });
      const { error } = await t.execute({ events: [event] });

      expect(error).toMatchObject({ name: "NonRetriableError", message: "connection not found" });
      expect(logged).toHaveBeenCalled();
    });

    it("refuses a payload without a connection id, without retrying", async () => {
      quietInngestErrors();
      const t = new InngestTestEngine({ function: findFunction("connection-check") });
      const { error } = await t.execute({ events: [{ name: event.name, data: { portalId: randomUUID() } }] });

      expect(error).toMatchObject({ name: "NonRetriableError" });
      expect(runConnectionCheck).not.toHaveBeenCalled();
    });
  });

  describe("job errors", () => {
    it("become Inngest's NonRetriableError and RetryAfterError; others pass unchanged", () => {
      const permanent = toInngestError(new NonRetriableJobError("refused"));
      expect(permanent).toBeInstanceOf(NonRetriableError);
      expect((permanent as Error).message).toBe("refused");

      const later = toInngestError(new RetryAfterJobError("429", 30_000));
      expect(later).toBeInstanceOf(RetryAfterError);
      expect((later as RetryAfterError).retryAfter).toBe("30");

      const plain = new Error("boom");
      expect(toInngestError(plain)).toBe(plain);
    });
  });
});
