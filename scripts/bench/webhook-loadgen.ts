/**
 * The load generator of `npm run bench -- sustained` (scripts/bench/sustained.ts), in a process of
 * its own so its CPU is not the servers' and is measured apart: reads a plan (JSON on stdin), posts
 * the signed recognition webhooks at a steady rate, open loop (a slow answer does not slow the
 * sending), round-robin over the instances, and writes one JSON line with every answer's time and
 * its own CPU use (process.cpuUsage).
 */

import { createHmac } from "node:crypto";
import { text } from "node:stream/consumers";

export type LoadPlan = {
  ratePerSecond: number;
  instances: string[];
  /** In sending order. */
  deliveries: { portalId: string; secret: string; documentId: string; invoiceNumber: string }[];
};

export type LoadAnswer = { documentId: string; status: number; answeredAtMs: number; tookMs: number };

export type LoadResult = {
  answers: LoadAnswer[];
  elapsedMs: number;
  /** User + system CPU of this process over the run. */
  cpuMs: number;
  /** How far behind schedule the sending fell at worst (the generator's own lag). */
  maxLagMs: number;
};

/** Signed as lib/recognition/webhook.ts verifies: v1=HMAC-SHA256("<unix seconds>.<raw body>"). */
function signedRequest(secret: string, body: string): RequestInit {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-koppel-timestamp": timestamp,
      "x-koppel-signature": `v1=${signature}`,
    },
    body,
  };
}

async function post(base: string, delivery: LoadPlan["deliveries"][number]): Promise<LoadAnswer> {
  const body = JSON.stringify({
    documentId: delivery.documentId,
    documentType: "purchase_invoice",
    confidence: 0.97,
    fields: { supplierName: "Leverancier Bench", invoiceNumber: delivery.invoiceNumber },
  });
  const started = performance.now();
  try {
    const response = await fetch(
      `${base}/api/webhooks/recognition/${delivery.portalId}`,
      signedRequest(delivery.secret, body),
    );
    await response.arrayBuffer();
    return {
      documentId: delivery.documentId,
      status: response.status,
      answeredAtMs: Date.now(),
      tookMs: performance.now() - started,
    };
  } catch {
    return {
      documentId: delivery.documentId,
      status: 0,
      answeredAtMs: Date.now(),
      tookMs: performance.now() - started,
    };
  }
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const pending: Promise<LoadAnswer>[] = [];
  let maxLagMs = 0;
  for (let index = 0; index < plan.deliveries.length; index++) {
    const dueAt = (index * 1000) / plan.ratePerSecond;
    const wait = dueAt - (performance.now() - started);
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, performance.now() - started - dueAt);
    const delivery = plan.deliveries[index];
    const base = plan.instances[index % plan.instances.length];
    if (delivery && base) pending.push(post(base, delivery));
  }
  const answers = await Promise.all(pending);
  const cpu = process.cpuUsage(cpuBefore);
  return { answers, elapsedMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, maxLagMs };
}

if (process.argv[1]?.endsWith("webhook-loadgen.ts")) {
  text(process.stdin)
    .then((raw) => runLoad(JSON.parse(raw) as LoadPlan))
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
