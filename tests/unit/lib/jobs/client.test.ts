import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { sendJobEvent, sendJobEvents } from "@/lib/jobs/client";
import type { LocalJobDriver } from "@/lib/jobs/local-driver";

// The jobs client without Inngest: it hands events to this process's in-process driver, which
// lib/jobs/runtime.ts creates (instrumentation starts it before the server takes requests). The
// client cannot create one itself: that would take the handlers, and through them the services
// that import this client.

const enqueue = vi.fn<LocalJobDriver["enqueue"]>();

beforeEach(() => {
  for (const name of ["INNGEST_EVENT_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"]) vi.stubEnv(name, undefined);
  resetEnvCache();
  enqueue.mockReset();
});

afterEach(() => {
  globalThis.__koppelLocalJobDriver = undefined;
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("sendJobEvent without Inngest", () => {
  it("hands the parsed event to the in-process driver of this process", async () => {
    globalThis.__koppelLocalJobDriver = Promise.resolve({ enqueue } as unknown as LocalJobDriver);
    const dispatchId = randomUUID();

    await sendJobEvent("dispatch/dispatch.requested", { dispatchId, concurrencyKey: "email:0" });

    // Parsed: the throttle key defaults to the dispatch id.
    expect(enqueue).toHaveBeenCalledWith("dispatch/dispatch.requested", {
      dispatchId,
      concurrencyKey: "email:0",
      throttleKey: dispatchId,
    });
  });

  it("says so when no in-process driver runs in this process", async () => {
    await expect(sendJobEvent("documents/document.recognised", { documentId: randomUUID() })).rejects.toThrow(
      /in-process job driver is not running in this process/,
    );
  });

  it("refuses the whole batch, before sending any, when one payload does not match", async () => {
    globalThis.__koppelLocalJobDriver = Promise.resolve({ enqueue } as unknown as LocalJobDriver);

    await expect(
      sendJobEvents([
        { name: "documents/document.recognised", payload: { documentId: randomUUID() } },
        { name: "documents/document.recognised", payload: { documentId: "not-a-uuid" } },
      ]),
    ).rejects.toThrow(/Invalid payload for event documents\/document.recognised/);
    expect(enqueue).not.toHaveBeenCalled();
  });
});
