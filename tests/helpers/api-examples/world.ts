import { randomUUID } from "node:crypto";
import type { Db } from "@/db";
import { attempts, dispatches, dossierIntegrations } from "@/db/schema";
import { API_SCOPES, type ApiScope } from "@/lib/auth/scopes";
import { companyNumberFromBase } from "@/lib/dossiers/company-number";
import { useTempFileStore as installTempFileStore } from "../../integration/lib/documents/setup";
import { insertApiKey } from "../api";
import { attemptCopiesOf, insertConnection, insertDocument, insertDossier, insertPortal } from "../fixtures";

let companyBase = 7_000_000;

/**
 * The office (and another office) every API example runs in: a dossier with an e-mail integration,
 * one with a connection, keys of both roles, and one delivery attempt. Examples insert whatever else
 * they need in their own `prepare`, so two calls never share a row they change. Documents' files go
 * to a temporary store; `dispose` removes it.
 */
export async function createApiWorld(db: Db) {
  const files = await installTempFileStore();
  const portal = await insertPortal(db, "Kantoor A");
  const otherPortal = await insertPortal(db, "Kantoor B");
  const dossier = await insertDossier(db, portal.id);
  const connectedDossier = await insertDossier(db, portal.id);
  const otherDossier = await insertDossier(db, otherPortal.id);
  await db.insert(dossierIntegrations).values({
    portalId: portal.id,
    dossierId: dossier.id,
    kind: "email",
    packageId: "yuki",
    settings: {
      addressMode: "individual",
      inputs: {},
      addresses: { purchase: "aankoop@yuki.example", sales: "verkoop@yuki.example", other: null },
    },
  });
  const connection = await insertConnection(db, portal.id);
  await db.insert(dossierIntegrations).values({
    portalId: portal.id,
    dossierId: connectedDossier.id,
    kind: "connection",
    connectionId: connection.id,
    settings: { division: "123456" },
  });

  const document = await insertDocument(db, dossier);
  const target = { channel: "email", packageId: "yuki", category: "purchase", to: "aankoop@yuki.example" };
  const [dispatch] = await db
    .insert(dispatches)
    .values({
      portalId: portal.id,
      dossierId: dossier.id,
      documentId: document.id,
      trigger: "manual",
      status: "failed",
      target,
    })
    .returning({ id: dispatches.id });
  if (!dispatch) throw new Error("dispatch not inserted");
  await db.insert(attempts).values({
    ...(await attemptCopiesOf(db, dispatch.id)),
    portalId: portal.id,
    dispatchId: dispatch.id,
    documentId: document.id,
    number: 1,
    trigger: "manual",
    connector: "email",
    target,
    outcome: "permanent_error",
    errorCode: "rejected_address",
    reason: "connectors.errors.timeout",
    startedAt: new Date("2026-03-02T10:00:00.000Z"),
    finishedAt: new Date("2026-03-02T10:00:02.000Z"),
  });

  const keys = {
    admin: (await insertApiKey(db, portal.id, { role: "admin" })).key,
    accountant: (await insertApiKey(db, portal.id, { role: "accountant" })).key,
    otherOffice: (await insertApiKey(db, otherPortal.id, { role: "admin" })).key,
  };

  return {
    db,
    /** Removes the temporary file store. */
    dispose: () => files.dispose(),
    portal,
    otherPortal,
    /** Delivers by e-mail (Yuki, individual addresses); has one document and one failed attempt on 2026-03-02. */
    dossier,
    /** Delivers through the office's Exact Online connection. */
    connectedDossier,
    otherDossier,
    document,
    keys,
    /** A key of the office with every scope but this one (role admin unless said). */
    async keyWithout(scope: ApiScope, role: "admin" | "accountant" = "admin"): Promise<string> {
      const scopes = API_SCOPES.filter((candidate) => candidate !== scope);
      return (await insertApiKey(db, portal.id, { role, scopes })).key;
    },
    /** A new dossier in the office. */
    async newDossier() {
      return insertDossier(db, portal.id);
    },
    /** A company number no dossier has yet (mod-97 valid). */
    freshCompanyNumber(): string {
      return companyNumberFromBase(companyBase++);
    },
    /** An id that names nothing. */
    unknownId(): string {
      return randomUUID();
    },
  };
}

export type ApiWorld = Awaited<ReturnType<typeof createApiWorld>>;

/** One request of an example: the concrete path under /api/v1 (with its query) and the body. */
export type ApiExampleCall = {
  path: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
};

/**
 * One row of the example table: an operation called in a way that answers `status`. The contract
 * test makes each call, checks the status is documented for the operation and validates the body
 * against the OpenAPI document; from the first 2xx row of each operation it also derives the
 * common problems (anonymous 401, missing scope 403, another office's key 404, a malformed id 404,
 * 415 and 413 for bodies, 429, and 422/409 for POST).
 */
export type ApiExample = {
  operationId: string;
  /** What the call shows, for the test's name. */
  title: string;
  /** The office's key that calls: admin (default) or accountant. */
  as?: "admin" | "accountant";
  status: number;
  /** Builds the call; may insert the rows it needs (a fresh dossier, a document). */
  prepare(world: ApiWorld): Promise<ApiExampleCall> | ApiExampleCall;
};
