import type { z } from "zod";
import { autoSend } from "./definitions/auto-send";
import { connectionCheck } from "./definitions/connection-check";
import { connectionHealthCheck } from "./definitions/connection-health-check";
import { deliver } from "./definitions/deliver";
import { dispatchSweep } from "./definitions/dispatch-sweep";
import { failureDigest } from "./definitions/failure-digest";
import { ftpReadBack } from "./definitions/ftp-read-back";
import { ftpReadBackConnection } from "./definitions/ftp-read-back-connection";
import { oauthKeepAlive } from "./definitions/oauth-keep-alive";
import { pendingSharesPrune } from "./definitions/pending-shares-prune";
import { webhookDeliver } from "./definitions/webhook-deliver";
import { webhookPrune } from "./definitions/webhook-prune";
import { webhookSweep } from "./definitions/webhook-sweep";
import { type AnyJobDefinition, type JobEventMessage, jobEventName } from "./types";

/**
 * Every job, for both drivers. A definition missing here runs nowhere. Definitions only: importing
 * this loads no service code (the handlers are in lib/jobs/handler-registry.ts).
 */
export const JOB_DEFINITIONS = [
  connectionHealthCheck,
  connectionCheck,
  autoSend,
  deliver,
  dispatchSweep,
  ftpReadBack,
  ftpReadBackConnection,
  oauthKeepAlive,
  failureDigest,
  webhookSweep,
  webhookDeliver,
  webhookPrune,
  pendingSharesPrune,
] as const satisfies readonly AnyJobDefinition[];

type EventJob = Extract<(typeof JOB_DEFINITIONS)[number], { trigger: { event: string } }>;

/** Event name → the payload `sendJobEvent` accepts for it. */
export type JobEventMap = { [J in EventJob as J["trigger"]["event"]]: z.input<J["payloadSchema"]> };
export type JobEventName = keyof JobEventMap;

/** Event name → its payload schema. */
export const JOB_EVENT_SCHEMAS: ReadonlyMap<string, z.ZodType<Record<string, unknown>>> = new Map(
  JOB_DEFINITIONS.flatMap((definition) => {
    const name = jobEventName(definition);
    return name ? [[name, definition.payloadSchema] as const] : [];
  }),
);

/** Validates an event before it is sent; an unknown name or a bad payload is a programming error. */
export function parseJobEvent(name: string, payload: unknown): JobEventMessage {
  const schema = JOB_EVENT_SCHEMAS.get(name);
  if (!schema) throw new Error(`No job listens to the event "${name}"`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
    throw new Error(`Invalid payload for event ${name}: ${issues}`);
  }
  return { name, payload: parsed.data };
}
