/**
 * One "instance" of the two-instance Exact rate case (scripts/bench/exact-rate-two.ts): a process
 * of its own with the Exact connector and its rate limiter counting in the shared PostgreSQL
 * (lib/connections/call-limits.ts, as lib/connections/runtime.ts hands it to every connector
 * call), delivering `documents` documents to one division of the fake Exact, `concurrency` at a
 * time. Once connected it prints `ready` and starts at the first line on stdin, so both instances
 * begin together; at the end it prints one JSON line: `{"sent":n,"failures":{"<code>":n},"elapsedMs":n}`.
 *
 * Run as `tsx --conditions=react-server scripts/bench/exact-rate-instance.ts '<json plan>'`.
 */

import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db } from "@/db";
import * as schema from "@/db/schema";
import { callBudgets } from "@/db/schema";
import { databaseCallLimitStore } from "@/lib/connections/call-limits";
import { exactOnlineConnector } from "@/lib/connectors/api/exact-online";
import type { ExactDossierSettings, ExactSecrets, ExactSettings } from "@/lib/connectors/api/exact-online/config";
import { toConnectorError } from "@/lib/connectors/errors";
import { sendRequest } from "@/lib/connectors/transports/http";
import type { ConnectorContext, DeliveryDocument } from "@/lib/connectors/types";
import { findPackage } from "@/lib/packages/catalog";

export type InstancePlan = {
  databaseUrl: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  division: number;
  documents: number;
  concurrency: number;
  label: string;
  /** False: the limiter counts in this process only (as before issue 14), the control case. */
  isShared: boolean;
};

export type InstanceResult = { sent: number; failures: Record<string, number>; elapsedMs: number };

/**
 * A running instance is warm; a fresh process is not: its database connections, query builders
 * and HTTP client are set up before the start, so the first window measures the limiter rather
 * than process start-up. Nothing here is counted by the fake (an unknown division answers 404
 * before the rate limit is looked at) or stored under the measured key.
 */
async function warmUp(plan: InstancePlan, db: Db): Promise<void> {
  const store = databaseCallLimitStore(db);
  const key = `warm-up|${plan.label}|${randomUUID()}`;
  await Promise.all(
    Array.from({ length: plan.concurrency + 1 }, async () => {
      await store.eventsSince(key, 0);
      await store.change(key, () => ({ next: { warm: true }, result: undefined }));
      await sendRequest(
        `${plan.baseUrl}/api/v1/999999999/documents/Documents?$select=ID`,
        { method: "GET", headers: { authorization: `Bearer ${plan.accessToken}` } },
        AbortSignal.timeout(10_000),
      );
    }),
  );
  await db.delete(callBudgets).where(eq(callBudgets.key, key));
}

async function main(plan: InstancePlan): Promise<InstanceResult> {
  const pool = new pg.Pool({ connectionString: plan.databaseUrl, max: plan.concurrency + 2 });
  const db = drizzle({ client: pool, schema, casing: "snake_case" }) as unknown as Db;
  const callLimits = databaseCallLimitStore(db);
  const entry = findPackage("exact-online");
  if (!entry) throw new Error("exact-online is not in the catalog");
  let secrets: ExactSecrets = {
    accessToken: plan.accessToken,
    accessTokenExpiresAt: plan.accessTokenExpiresAt,
    refreshToken: plan.refreshToken,
    refreshedAt: new Date().toISOString(),
  };
  const content = new TextEncoder().encode(`%PDF-1.4\n% ${plan.label}\n${"x".repeat(20_000)}\n%%EOF\n`);
  const result: InstanceResult = { sent: 0, failures: {}, elapsedMs: 0 };

  const deliverOne = async (index: number) => {
    const ctx: ConnectorContext<ExactSettings, ExactSecrets, ExactDossierSettings> = {
      settings: exactOnlineConnector.settingsSchema.parse({ baseUrl: plan.baseUrl, clientId: plan.clientId }),
      secrets,
      dossierSettings: { division: plan.division },
      dossier: {
        id: randomUUID(),
        name: "Two instances BV",
        companyNumber: "0401234574",
        vatNumber: null,
        locale: "nl",
      },
      package: entry,
      signal: AbortSignal.timeout(120_000),
      idempotencyKey: randomUUID(),
      isFirstTry: true,
      persistSecrets: async (next) => {
        secrets = next;
      },
      rotateSecrets: async (rotate) => {
        const next = await rotate(secrets);
        if (next) secrets = next;
        return secrets;
      },
      oauthApp: { clientId: plan.clientId, clientSecret: plan.clientSecret },
      callLimits: plan.isShared ? callLimits : undefined,
    };
    const document: DeliveryDocument = {
      id: randomUUID(),
      documentType: "purchase_invoice",
      category: "purchase",
      fileName: `${plan.label}-${index}.pdf`,
      mimeType: "application/pdf",
      sizeBytes: content.length,
      sha256: "",
      recognisedFields: { supplierName: "Supplier", invoiceNumber: `F-${plan.label}-${index}` },
      isTest: false,
    };
    try {
      await exactOnlineConnector.deliver(ctx, document, { content });
      result.sent++;
    } catch (error) {
      const code = toConnectorError(error).code;
      result.failures[code] = (result.failures[code] ?? 0) + 1;
    }
  };

  await warmUp(plan, db);
  console.log("ready");
  await once(process.stdin, "data");
  process.stdin.pause();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < plan.documents) await deliverOne(next++);
    }),
  );
  result.elapsedMs = Date.now() - started;
  await pool.end();
  return result;
}

const raw = process.argv[2];
if (!raw) {
  console.error("usage: exact-rate-instance.ts '<json plan>'");
  process.exit(2);
}
main(JSON.parse(raw) as InstancePlan).then(
  (result) => {
    console.log(JSON.stringify(result));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
