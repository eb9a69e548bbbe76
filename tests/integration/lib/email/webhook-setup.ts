import { randomBytes, randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { POST } from "@/app/api/webhooks/resend/route";
import type { Db } from "@/db";
import { attempts, dispatches, documents } from "@/db/schema";
import {
  attemptCopiesOf,
  dispatchValues,
  insertDocument,
  insertDossier,
  insertPortal,
} from "../../../helpers/fixtures";
import { signSvixPayload } from "../../../helpers/svix";

// Shared by the Resend webhook tests (PGlite and real PostgreSQL). Signatures are computed from
// Svix's published recipe (tests/helpers/svix.ts), not with the SDK that checks them, so a mistake
// there cannot hide behind the same mistake here.

export const SECRET_BYTES = randomBytes(24);
export const SECRET = `whsec_${SECRET_BYTES.toString("base64")}`;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Svix's signature of a message, with this file's secret unless another key is given. */
export function svixSignature(id: string, timestamp: string, body: string, key: Buffer = SECRET_BYTES): string {
  return signSvixPayload(key, id, timestamp, body);
}

export type SendOptions = {
  id?: string;
  timestamp?: string;
  signature?: string | null;
  omit?: "svix-id" | "svix-timestamp";
};

export async function post(body: string, options: SendOptions = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? String(nowSeconds());
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.omit !== "svix-id") headers["svix-id"] = id;
  if (options.omit !== "svix-timestamp") headers["svix-timestamp"] = timestamp;
  const signature = options.signature === undefined ? svixSignature(id, timestamp, body) : options.signature;
  if (signature !== null) headers["svix-signature"] = signature;
  const response = await POST(new Request("http://localhost/api/webhooks/resend", { method: "POST", headers, body }));
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, id };
}

export function eventBody(type: string, emailId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type,
    created_at: new Date().toISOString(),
    data: {
      created_at: new Date().toISOString(),
      email_id: emailId,
      from: "Koppel <noreply@koppel.test>",
      to: ["aankoop@package.test"],
      subject: "Dossier · Aankoopfactuur",
      ...extra,
    },
  });
}

export const PERMANENT_BOUNCE = {
  bounce: { type: "Permanent", subType: "General", message: "550 5.1.1 The email account does not exist." },
};

/** A document sent by mail: status sent, one succeeded dispatch and try carrying Resend's id. */
export async function sentByMail(db: Db) {
  const portal = await insertPortal(db);
  const dossier = await insertDossier(db, portal.id);
  const document = await insertDocument(db, dossier);
  const emailId = randomUUID();
  await db
    .update(documents)
    .set({ status: "sent", sentAt: new Date(), packageReference: emailId })
    .where(eq(documents.id, document.id));
  const [dispatch] = await db
    .insert(dispatches)
    .values({
      ...dispatchValues(document, "succeeded"),
      packageReference: emailId,
      target: { to: "aankoop@package.test" },
    })
    .returning();
  if (!dispatch) throw new Error("no dispatch");
  await db.insert(attempts).values({
    ...(await attemptCopiesOf(db, dispatch.id)),
    portalId: portal.id,
    dispatchId: dispatch.id,
    documentId: document.id,
    number: 1,
    trigger: "manual",
    connector: "email",
    outcome: "succeeded",
    packageReference: emailId,
    finishedAt: new Date(),
  });
  return { document, dispatch, emailId };
}

export async function stateOf(db: Db, sent: Awaited<ReturnType<typeof sentByMail>>) {
  const [document] = await db.select().from(documents).where(eq(documents.id, sent.document.id));
  const [dispatch] = await db.select().from(dispatches).where(eq(dispatches.id, sent.dispatch.id));
  const history = await db
    .select()
    .from(attempts)
    .where(eq(attempts.dispatchId, sent.dispatch.id))
    .orderBy(asc(attempts.number));
  return { document, dispatch, history };
}
