import { LocalJobDriver } from "@/lib/jobs/local-driver";
import { describeJobDriverContract, silentLogger } from "./driver-contract";

// The shared driver contract (driver-contract.ts) on the in-process driver, in real time.
describeJobDriverContract({
  name: "in-process",
  cronWaitMs: 5_000,
  async start(jobs) {
    const driver = new LocalJobDriver({
      definitions: jobs.map((job) => job.definition),
      handlers: Object.fromEntries(jobs.map((job) => [job.definition.id, job.load])),
      logger: silentLogger(),
      random: () => 0,
    });
    return {
      async enqueue(eventName, payload) {
        driver.enqueue(eventName, payload);
      },
      stop: () => driver.stop(),
      // The driver checks its crons on the minute; a tick now fires an every-minute job at once.
      fireCrons: () => driver.tick(new Date()),
    };
  },
});
