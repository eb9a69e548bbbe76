import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { attempts, connections, dispatches, documents, dossierIntegrations, type RecognisedFields } from "@/db/schema";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, DeliveryDocument } from "@/lib/connectors/types";
import type { DispatchRequestedEvent } from "@/lib/dispatch/request-send";
import { handler as deliver } from "@/lib/jobs/handlers/deliver";
import type { JobLogger, JobStep } from "@/lib/jobs/types";
import type { Channel, PackageId } from "@/lib/packages/catalog";
import { setFileStore } from "@/lib/storage";
import { LocalDiskFileStore } from "@/lib/storage/local-disk";

type DocumentType = NonNullable<(typeof documents.$inferInsert)["documentType"]>;
type DocumentStatus = NonNullable<(typeof documents.$inferInsert)["status"]>;

/** A file store in a temp dir for this test file; returns the cleanup. */
export function useTempFileStore(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), "koppel-dispatch-files-"));
  setFileStore(new LocalDiskFileStore(dir));
  return () => {
    setFileStore(undefined);
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Bytes that look like a small PDF, different per document. */
export function pdfBytes(label: string): Uint8Array {
  return new TextEncoder().encode(`%PDF-1.4\n% ${label}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);
}

/** A document with its file in the store, recognised as a purchase invoice unless told otherwise. */
export async function insertSendableDocument(
  db: DbOrTx,
  dossier: { id: string; portalId: string },
  values: {
    documentType?: DocumentType | null;
    status?: DocumentStatus;
    archivedAt?: Date | null;
    fileName?: string;
    mimeType?: string;
    recognisedFields?: RecognisedFields;
    content?: Uint8Array;
    /** Held as a possible duplicate of this document. */
    possibleDuplicateOf?: string | null;
    /** Leave the file out of the store. */
    withoutFile?: boolean;
  } = {},
) {
  const id = randomUUID();
  const content = values.content ?? pdfBytes(id);
  const storageKey = `${dossier.portalId}/${dossier.id}/${id}`;
  const [row] = await db
    .insert(documents)
    .values({
      id,
      portalId: dossier.portalId,
      dossierId: dossier.id,
      source: "upload",
      fileName: values.fileName ?? `factuur-${id.slice(0, 8)}.pdf`,
      mimeType: values.mimeType ?? "application/pdf",
      sizeBytes: content.byteLength,
      // The file's own hash: the same file twice in one dossier is refused.
      sha256: createHash("sha256").update(content).digest("hex"),
      storageKey,
      documentType: values.documentType === undefined ? "purchase_invoice" : values.documentType,
      recognisedFields: values.recognisedFields ?? { supplierName: "Bakkerij Peeters", invoiceNumber: "F-2026-017" },
      status: values.status ?? "inbox",
      archivedAt: values.archivedAt ?? null,
      sentAt: values.status === "sent" ? new Date() : null,
      possibleDuplicateOf: values.possibleDuplicateOf ?? null,
    })
    .returning();
  if (!row) throw new Error("document not inserted");
  if (!values.withoutFile) {
    const { getFileStore } = await import("@/lib/storage");
    await getFileStore().put(storageKey, content, { contentType: row.mimeType });
  }
  return { ...row, content };
}

type IntegrationRow =
  | { kind: "free_email"; addresses: Partial<Record<"purchase" | "sales" | "other", string | null>> }
  | { kind: "email"; packageId: string; addresses: Partial<Record<"purchase" | "sales" | "other", string | null>> }
  | { kind: "connection"; connectionId: string; settings?: Record<string, unknown> }
  | { kind: "none" };

/** Sets the dossier's integration row directly (the integration service has its own tests). */
export async function setIntegration(db: DbOrTx, dossier: { id: string; portalId: string }, choice: IntegrationRow) {
  const addresses = (a: Partial<Record<"purchase" | "sales" | "other", string | null>>) => ({
    purchase: a.purchase ?? null,
    sales: a.sales ?? null,
    other: a.other ?? null,
  });
  const values =
    choice.kind === "free_email"
      ? { kind: choice.kind, connectionId: null, packageId: null, settings: { addresses: addresses(choice.addresses) } }
      : choice.kind === "email"
        ? {
            kind: choice.kind,
            connectionId: null,
            packageId: choice.packageId,
            settings: { addressMode: "individual", inputs: {}, addresses: addresses(choice.addresses) },
          }
        : choice.kind === "connection"
          ? { kind: choice.kind, connectionId: choice.connectionId, packageId: null, settings: choice.settings ?? {} }
          : { kind: choice.kind, connectionId: null, packageId: null, settings: {} };
  await db
    .insert(dossierIntegrations)
    .values({ portalId: dossier.portalId, dossierId: dossier.id, ...values })
    .onConflictDoUpdate({ target: dossierIntegrations.dossierId, set: { ...values, updatedAt: new Date() } });
}

export async function documentOf(db: DbOrTx, id: string) {
  const [row] = await db.select().from(documents).where(eq(documents.id, id));
  if (!row) throw new Error(`no document ${id}`);
  return row;
}

export async function dispatchesOf(db: DbOrTx, documentId: string) {
  return db.select().from(dispatches).where(eq(dispatches.documentId, documentId)).orderBy(dispatches.createdAt);
}

export async function attemptsOf(db: DbOrTx, dispatchId: string) {
  return db.select().from(attempts).where(eq(attempts.dispatchId, dispatchId)).orderBy(attempts.number);
}

export async function connectionStatusOf(db: DbOrTx, connectionId: string) {
  const [row] = await db
    .select({ status: connections.status, lastErrorCode: connections.lastErrorCode })
    .from(connections)
    .where(and(eq(connections.id, connectionId)));
  return row;
}

/** Collects what requestSend would enqueue, so tests drive the jobs themselves. */
export function collectingEnqueue() {
  const events: DispatchRequestedEvent[] = [];
  const calls: number[] = [];
  return {
    events,
    calls,
    enqueue: async (batch: DispatchRequestedEvent[]) => {
      calls.push(batch.length);
      events.push(...batch);
    },
  };
}

const quietLogger: JobLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Thrown by the inline step's sleepUntil: the run ends there, as a driver's attempt would pause. */
class InlineSleep extends Error {
  constructor(readonly until: string) {
    super(`sleep until ${until}`);
  }
}

/**
 * Runs the deliver job's handler for one try, as a driver would run it up to its first sleep, and
 * returns what the try returned ("waiting" with the next try time when it sleeps) or the error it
 * threw. Each call is a fresh run (no expected try count), like a resume's.
 */
export async function runDeliverJob(
  event: DispatchRequestedEvent,
  attempt = 0,
): Promise<{ result?: unknown; error?: unknown }> {
  let last: unknown;
  const inlineStep: JobStep = {
    run: async (_name, fn) => {
      last = JSON.parse(JSON.stringify((await fn()) ?? null));
      return last as never;
    },
    sendEvents: async () => {},
    sleepUntil: async (_name, until) => {
      throw new InlineSleep(String(until));
    },
  };
  try {
    const result = await deliver.run({ payload: event, step: inlineStep, logger: quietLogger, attempt });
    return { result };
  } catch (error) {
    if (error instanceof InlineSleep) return { result: last };
    return { error };
  }
}

/**
 * A scripted API connector standing in for Exact Online (its real connector comes with its own
 * issue): each deliver takes the next scripted behaviour, "ok" when the script is empty.
 */
export type ScriptedBehaviour =
  | "ok"
  | ConnectorError
  | ((document: DeliveryDocument, idempotencyKey: string) => Promise<void> | void);

export const scriptedApi: { script: ScriptedBehaviour[]; delivered: { documentId: string; key: string }[] } = {
  script: [],
  delivered: [],
};

const scriptedDossierSettingsSchema = z.object({ division: z.number().int().positive() });

export const scriptedApiConnector = {
  id: "scripted-exact-online",
  channel: "api",
  settingsSchema: z.object({}).passthrough(),
  secretsSchema: z.object({}).passthrough(),
  dossierSettingsSchema: scriptedDossierSettingsSchema,
  async check() {
    return { ok: true, checkedAt: new Date() };
  },
  async deliver(ctx, document) {
    const next = scriptedApi.script.shift() ?? "ok";
    if (next instanceof ConnectorError) throw next;
    if (typeof next === "function") await next(document, ctx.idempotencyKey);
    // Idempotent like a real API connector: the same key is recorded (and acknowledged) once.
    if (!scriptedApi.delivered.some((d) => d.key === ctx.idempotencyKey)) {
      scriptedApi.delivered.push({ documentId: document.id, key: ctx.idempotencyKey });
    }
    return {
      packageReference: `EXACT-${ctx.dossierSettings?.division}-${ctx.idempotencyKey.slice(0, 8)}`,
      target: { division: ctx.dossierSettings?.division ?? null },
    };
  },
} satisfies Connector<z.ZodType, z.ZodType, typeof scriptedDossierSettingsSchema>;

/** The real registry, except that Exact Online's API connector is the scripted one. */
export async function loadConnectorWithScriptedApi(
  actual: (packageId: PackageId, channel: Channel) => Promise<Connector | null>,
  packageId: PackageId,
  channel: Channel,
): Promise<Connector | null> {
  if (packageId === "exact-online" && channel === "api") return scriptedApiConnector as unknown as Connector;
  return actual(packageId, channel);
}

/** Deliveries the fake Resend saw, as Resend counts them: one per distinct Idempotency-Key. */
export function distinctIdempotencyKeys(requests: { url: string; headers: Record<string, unknown> }[]): string[] {
  return [
    ...new Set(
      requests.filter((request) => request.url === "/emails").map((r) => String(r.headers["idempotency-key"])),
    ),
  ];
}
