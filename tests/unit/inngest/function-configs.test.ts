import { describe, expect, it } from "vitest";
import { functions } from "@/inngest";

// What Inngest is told about every function when it syncs: ids, triggers, retries, concurrency,
// throttle and the failure functions. Pinned in full, so that moving code between the job
// definitions, their handlers and the adapter cannot change a function's config unnoticed.

describe("Inngest function configs", () => {
  it("stay exactly as synced today", () => {
    const configs = functions.flatMap((fn) =>
      // biome-ignore lint/complexity/useLiteralKeys: getConfig is private in the SDK's types.
      fn["getConfig"]({ baseUrl: new URL("http://localhost:3000/api/inngest"), appPrefix: "koppel" }),
    );
    expect(configs).toMatchInlineSnapshot(`
      [
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-connection-health-check",
          "idempotency": undefined,
          "name": "connection-health-check",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-connection-health-check&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "*/15 * * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": {
            "key": "event.data.connectionId",
            "limit": 1,
          },
          "debounce": undefined,
          "id": "koppel-connection-check",
          "idempotency": undefined,
          "name": "connection-check",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-connection-check&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "event": "connections/connection.check-requested",
              "expression": undefined,
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-auto-send",
          "idempotency": undefined,
          "name": "auto-send",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 3,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-auto-send&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "event": "documents/document.recognised",
              "expression": undefined,
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": {
            "key": "event.data.concurrencyKey",
            "limit": 1,
          },
          "debounce": undefined,
          "id": "koppel-deliver",
          "idempotency": undefined,
          "name": "deliver",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 4,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-deliver&stepId=step",
              },
            },
          },
          "throttle": {
            "key": "event.data.throttleKey",
            "limit": 30,
            "period": "1m",
          },
          "timeouts": undefined,
          "triggers": [
            {
              "event": "dispatch/dispatch.requested",
              "expression": undefined,
            },
          ],
        },
        {
          "id": "koppel-deliver-failure",
          "name": "deliver (failure)",
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 1,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-deliver-failure&stepId=step",
              },
            },
          },
          "triggers": [
            {
              "event": "inngest/function.failed",
              "expression": "event.data.function_id == 'koppel-deliver'",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-dispatch-sweep",
          "idempotency": undefined,
          "name": "dispatch-sweep",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-dispatch-sweep&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "* * * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-ftp-read-back",
          "idempotency": undefined,
          "name": "ftp-read-back",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-ftp-read-back&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "*/30 * * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": {
            "key": "event.data.connectionId",
            "limit": 1,
          },
          "debounce": undefined,
          "id": "koppel-ftp-read-back-connection",
          "idempotency": undefined,
          "name": "ftp-read-back-connection",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 1,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-ftp-read-back-connection&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "event": "connections/connection.read-back-requested",
              "expression": undefined,
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-oauth-keep-alive",
          "idempotency": undefined,
          "name": "oauth-keep-alive",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-oauth-keep-alive&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "17 3 * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-failure-digest",
          "idempotency": undefined,
          "name": "failure-digest",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-failure-digest&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "23 6 * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-webhook-sweep",
          "idempotency": undefined,
          "name": "webhook-sweep",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 0,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-webhook-sweep&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "* * * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-webhook-deliver",
          "idempotency": undefined,
          "name": "webhook-deliver",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 0,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-webhook-deliver&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "event": "webhooks/delivery.requested",
              "expression": undefined,
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-webhook-prune",
          "idempotency": undefined,
          "name": "webhook-prune",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-webhook-prune&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "41 3 * * *",
            },
          ],
        },
        {
          "batchEvents": undefined,
          "concurrency": undefined,
          "debounce": undefined,
          "id": "koppel-pending-shares-prune",
          "idempotency": undefined,
          "name": "pending-shares-prune",
          "priority": undefined,
          "rateLimit": undefined,
          "singleton": undefined,
          "steps": {
            "step": {
              "id": "step",
              "name": "step",
              "retries": {
                "attempts": 2,
              },
              "runtime": {
                "type": "http",
                "url": "http://localhost:3000/api/inngest?fnId=koppel-pending-shares-prune&stepId=step",
              },
            },
          },
          "throttle": undefined,
          "timeouts": undefined,
          "triggers": [
            {
              "cron": "37 * * * *",
            },
          ],
        },
      ]
    `);
  });
});
