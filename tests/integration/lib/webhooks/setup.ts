import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/db";
import { dossierMembers, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import { receiveDocument } from "@/lib/documents/life";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

/** Two offices, each with an admin; office A also has an accountant, an entrepreneur and API keys. */
export async function createWebhookWorld(db: Db) {
  const portal = await insertPortal(db, "Kantoor De Vos");
  const otherPortal = await insertPortal(db, "Ander kantoor");
  const dossier = await insertDossier(db, portal.id);
  const otherDossier = await insertDossier(db, otherPortal.id);
  const person = async (portalId: string | null, role: "admin" | "accountant" | null, locale: "nl" | "fr" | "en") => {
    const [user] = await db
      .insert(users)
      .values({ email: `${randomUUID()}@office.test`, locale })
      .returning({ id: users.id, email: users.email });
    if (!user) throw new Error("no user");
    if (portalId && role) await db.insert(portalMembers).values({ portalId, userId: user.id, role });
    return user;
  };
  const admin = await person(portal.id, "admin", "nl");
  const secondAdmin = await person(portal.id, "admin", "fr");
  const accountant = await person(portal.id, "accountant", "nl");
  const entrepreneur = await person(null, null, "nl");
  await db.insert(dossierMembers).values({ portalId: portal.id, dossierId: dossier.id, userId: entrepreneur.id });
  const otherAdmin = await person(otherPortal.id, "admin", "en");
  const actors = {
    admin: { kind: "user", userId: admin.id, portalRoles: { [portal.id]: "admin" }, dossiers: {} },
    accountant: { kind: "user", userId: accountant.id, portalRoles: { [portal.id]: "accountant" }, dossiers: {} },
    entrepreneur: { kind: "user", userId: entrepreneur.id, portalRoles: {}, dossiers: { [dossier.id]: portal.id } },
    otherAdmin: { kind: "user", userId: otherAdmin.id, portalRoles: { [otherPortal.id]: "admin" }, dossiers: {} },
    keyWithScope: {
      kind: "token",
      tokenId: randomUUID(),
      portalId: portal.id,
      role: "admin",
      scopes: ["webhooks:manage"],
    },
    keyWithoutScope: {
      kind: "token",
      tokenId: randomUUID(),
      portalId: portal.id,
      role: "admin",
      scopes: API_SCOPES.filter((scope) => scope !== "webhooks:manage"),
    },
    accountantKey: {
      kind: "token",
      tokenId: randomUUID(),
      portalId: portal.id,
      role: "accountant",
      scopes: API_SCOPES,
    },
    otherOfficeKey: {
      kind: "token",
      tokenId: randomUUID(),
      portalId: otherPortal.id,
      role: "admin",
      scopes: API_SCOPES,
    },
    system: { kind: "system", reason: "test" },
  } satisfies Record<string, Actor>;
  return {
    portal,
    otherPortal,
    dossier,
    otherDossier,
    people: { admin, secondAdmin, accountant, entrepreneur, otherAdmin },
    actors,
  };
}
export type WebhookWorld = Awaited<ReturnType<typeof createWebhookWorld>>;

/** A document that enters a dossier through the document life (its "received" event, and "recognised" with a type). */
export async function receiveTestDocument(
  db: Db,
  dossier: { id: string; portalId: string },
  values: { documentType?: "purchase_invoice" | null; fileName?: string } = {},
) {
  const id = randomUUID();
  return receiveDocument(
    db,
    { kind: "system", reason: "test" },
    {
      id,
      portalId: dossier.portalId,
      dossierId: dossier.id,
      source: "upload",
      fileName: values.fileName ?? `${id}.pdf`,
      mimeType: "application/pdf",
      sizeBytes: 1234,
      // A file of its own: the same file twice in one dossier is refused.
      sha256: createHash("sha256").update(id).digest("hex"),
      storageKey: `test/${id}.pdf`,
      documentType: values.documentType === undefined ? "purchase_invoice" : values.documentType,
      recognisedFields: {},
    },
  );
}

export type ReceivedRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

/**
 * A webhook receiver on 127.0.0.1: records every request and answers what `respond` says (200 by
 * default; "hang" never answers, for the timeout).
 */
export async function startReceiver() {
  const requests: ReceivedRequest[] = [];
  let respond: (
    request: ReceivedRequest,
  ) => { status: number; headers?: Record<string, string>; body?: string } | "hang" = () => ({
    status: 200,
    body: "ok",
  });
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const answer = respond(request);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = "/hooks") => `http://127.0.0.1:${port}${path}`,
    requests,
    setResponder(next: typeof respond) {
      respond = next;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
