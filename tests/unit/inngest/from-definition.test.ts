import { InngestTestEngine } from "@inngest/test";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createInngestFunction } from "@/inngest/functions/from-definition";
import { defineJob, type JobHandlerLoader } from "@/lib/jobs/types";

// The Inngest adapter imports a job's handler when the function first runs: syncing the functions
// (what Inngest asks of every deploy) loads no handler and so no service code.

const touchItem = defineJob({
  id: "touch-item",
  trigger: { event: "test/item.touched" },
  payloadSchema: z.object({ itemId: z.string() }),
  retries: 1,
});
const event = { name: "test/item.touched", data: { itemId: "a" } };

describe("an Inngest function built from a job definition", () => {
  it("imports the handler on its first run, not when synced, and only once", async () => {
    const run = vi.fn(async () => "done");
    const load = vi.fn<JobHandlerLoader>(async () => ({ handler: { jobId: "touch-item", run } }));
    const fn = createInngestFunction(touchItem, load);

    // biome-ignore lint/complexity/useLiteralKeys: getConfig is private in the SDK's types.
    fn["getConfig"]({ baseUrl: new URL("http://localhost:3000/api/inngest"), appPrefix: "koppel" });
    expect(load).not.toHaveBeenCalled();

    const t = new InngestTestEngine({ function: fn });
    expect((await t.execute({ events: [event] })).result).toBe("done");
    expect((await t.execute({ events: [event] })).result).toBe("done");

    expect(load).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenCalledTimes(2);
    expect(run).toHaveBeenCalledWith(expect.objectContaining({ payload: { itemId: "a" }, attempt: 0 }));
  });

  it("fails the run, without running anything, when the loader brings another job's handler", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const run = vi.fn(async () => "done");
    const fn = createInngestFunction(touchItem, async () => ({ handler: { jobId: "other-job", run } }));

    const { error } = await new InngestTestEngine({ function: fn }).execute({ events: [event] });

    expect(error).toMatchObject({ message: expect.stringMatching(/belongs to job other-job/) });
    expect(run).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });
});
