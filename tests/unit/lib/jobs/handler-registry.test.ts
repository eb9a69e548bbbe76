import { describe, expect, it } from "vitest";
import { JOB_HANDLERS } from "@/lib/jobs/handler-registry";
import { JOB_DEFINITIONS } from "@/lib/jobs/registry";

describe("the job handlers", () => {
  it.each(JOB_DEFINITIONS.map((definition) => [definition.id, definition] as const))(
    "%s: its loader brings its own handler, with an onFailure exactly when the definition declares one",
    async (id, definition) => {
      const { handler } = await JOB_HANDLERS[id]();

      expect(handler.jobId).toBe(id);
      expect(typeof handler.run).toBe("function");
      expect(Boolean(handler.onFailure)).toBe(Boolean(definition.hasFailureHandler));
    },
  );

  it("are listed for the jobs of the registry and no others", () => {
    expect(Object.keys(JOB_HANDLERS).sort()).toEqual(JOB_DEFINITIONS.map((definition) => definition.id).sort());
  });
});
