import type { JOB_DEFINITIONS } from "./registry";
import type { JobHandlerLoader, JobPayload } from "./types";

type JobDefinitions = (typeof JOB_DEFINITIONS)[number];

/**
 * Every job's handler, by job id, imported on the job's first run. Only the drivers' wiring imports
 * this map (lib/jobs/runtime.ts for the in-process driver, inngest/index.ts for Inngest): the
 * handlers call the services, and the services send events through lib/jobs/client.ts, so anything
 * the services import must not lead here. Typed so that a job without a handler does not compile.
 */
export const JOB_HANDLERS: { readonly [D in JobDefinitions as D["id"]]: JobHandlerLoader<JobPayload<D>> } = {
  "connection-health-check": () => import("./handlers/connection-health-check"),
  "connection-check": () => import("./handlers/connection-check"),
  "auto-send": () => import("./handlers/auto-send"),
  deliver: () => import("./handlers/deliver"),
  "dispatch-sweep": () => import("./handlers/dispatch-sweep"),
  "ftp-read-back": () => import("./handlers/ftp-read-back"),
  "ftp-read-back-connection": () => import("./handlers/ftp-read-back-connection"),
  "oauth-keep-alive": () => import("./handlers/oauth-keep-alive"),
  "failure-digest": () => import("./handlers/failure-digest"),
  "webhook-sweep": () => import("./handlers/webhook-sweep"),
  "webhook-deliver": () => import("./handlers/webhook-deliver"),
  "webhook-prune": () => import("./handlers/webhook-prune"),
  "pending-shares-prune": () => import("./handlers/pending-shares-prune"),
};
