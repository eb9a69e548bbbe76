import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { attempts, connections, dispatches, dossierIntegrations, outboxEmails } from "@/db/schema";
import { actorUserId } from "@/lib/auth/actor";
import { updateDossierSchema } from "@/lib/dossiers/schemas";
import { updateDossier } from "@/lib/dossiers/update";
import { resetEnvCache } from "@/lib/env";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { buildTestPdf } from "@/lib/integrations/test-pdf";
import { sendTestDocument } from "@/lib/integrations/test-send";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";
import { fakeApiBehaviour, mockedLoadConnector } from "./fake-connector";
import { createWorld, insertConnectionOf, newDossier, type World } from "./setup";

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: (packageId: Parameters<typeof actual.loadConnector>[0], channel: "api" | "ftp" | "email") =>
      mockedLoadConnector(actual.loadConnector, packageId, channel),
  };
});

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let world: World;
beforeAll(async () => {
  for (const key of ENV_KEYS) delete process.env[key];
  resetEnvCache();
  opened = await createTestDb();
  // lib/email/send.ts asks getDb() for the database (the local outbox); hand it this file's one.
  globalThis.__koppelDb = Promise.resolve(opened);
  world = await createWorld(opened.db);
});
afterEach(() => {
  fakeApiBehaviour.next = "ok";
  for (const key of ENV_KEYS) delete process.env[key];
  resetEnvCache();
});
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

async function historyOf(dossierId: string) {
  const dispatchRows = await opened.db.select().from(dispatches).where(eq(dispatches.dossierId, dossierId));
  const attemptRows = dispatchRows.length
    ? await opened.db
        .select()
        .from(attempts)
        .where(eq(attempts.dispatchId, dispatchRows[0]?.id ?? ""))
    : [];
  return { dispatchRows, attemptRows };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

describe("sendTestDocument by e-mail (local outbox, no RESEND_API_KEY)", () => {
  it("mails the generated PDF to the computed standard address and records one test dispatch and attempt", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "email_standard",
      packageId: "clearfacts",
      inputs: { office: "devos" },
    });
    const result = await sendTestDocument(opened.db, world.actors.accountant, dossier.id, {
      now: new Date("2026-11-27T10:00:00Z"),
    });
    const address = `aankoop${dossier.companyNumber}@devos.clearfacts.be`;
    expect(result).toMatchObject({ ok: true, target: { channel: "email", category: "purchase", to: address } });
    if (!result.ok) throw new Error("expected success");

    const [mail] = await opened.db
      .select()
      .from(outboxEmails)
      .where(eq(outboxEmails.idempotencyKey, result.dispatchId));
    expect(mail).toMatchObject({
      id: result.packageReference,
      to: [address],
      attachments: [{ filename: "koppel-test-2026-11-27.pdf", contentType: "application/pdf" }],
    });
    expect(mail?.subject).toContain("[TEST]");
    expect(mail?.attachments[0]?.sizeBytes).toBeGreaterThan(300);

    const { dispatchRows, attemptRows } = await historyOf(dossier.id);
    expect(dispatchRows).toMatchObject([
      {
        id: result.dispatchId,
        portalId: world.portal.id,
        documentId: null,
        connectionId: null,
        trigger: "test",
        status: "succeeded",
        attemptCount: 1,
        packageReference: result.packageReference,
        requestedByUserId: expect.any(String),
      },
    ]);
    expect(dispatchRows[0]?.finishedAt).toBeInstanceOf(Date);
    expect(attemptRows).toMatchObject([
      {
        number: 1,
        trigger: "test",
        documentId: null,
        connector: "email",
        outcome: "succeeded",
        errorCode: null,
        packageReference: result.packageReference,
        target: { channel: "email", to: address, via: "outbox" },
        dossierId: dossier.id,
        fileName: null,
        requestedByUserId: actorUserId(world.actors.accountant),
      },
    ]);
    expect(attemptRows[0]?.finishedAt).toBeInstanceOf(Date);
  });

  it("writes the test mail in the dossier's language", async () => {
    const dossier = await newDossier(opened.db, world);
    await updateDossier(opened.db, world.actors.accountant, dossier.id, updateDossierSchema.parse({ locale: "fr" }));
    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "free_email",
      addresses: { purchase: "achats@cabinet.example" },
    });
    const result = await sendTestDocument(opened.db, world.actors.accountant, dossier.id);
    if (!result.ok) throw new Error("expected success");
    const [mail] = await opened.db
      .select()
      .from(outboxEmails)
      .where(eq(outboxEmails.idempotencyKey, result.dispatchId));
    expect(mail?.text).toBe(`Document de test de Koppel pour ${dossier.name}. Vous pouvez le supprimer.`);
  });

  it("mails free mail to its first address", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "free_email",
      addresses: { sales: "verkoop@kantoor.example" },
    });
    const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id);
    expect(result).toMatchObject({ ok: true, target: { category: "sales", to: "verkoop@kantoor.example" } });
  });

  it("records a failing target's outcome and error code (Resend refuses)", async () => {
    const resend = await startFakeResend();
    try {
      process.env.RESEND_API_KEY = "re_test";
      process.env.RESEND_BASE_URL = resend.url;
      resetEnvCache();
      resend.respondWith({ status: 500, body: { name: "internal_server_error", message: "boom", statusCode: 500 } });
      const dossier = await newDossier(opened.db, world);
      await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "email_individual",
        packageId: "winbooks",
        addresses: { purchase: "aankoop@winbooks.example", sales: "verkoop@winbooks.example" },
      });
      const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id);
      expect(result).toMatchObject({
        ok: false,
        errorCode: "server_error",
        messageKey: "connectors.errors.server_error",
      });
      const { dispatchRows, attemptRows } = await historyOf(dossier.id);
      expect(dispatchRows).toMatchObject([{ trigger: "test", status: "failed", packageReference: null }]);
      expect(attemptRows).toMatchObject([
        { number: 1, outcome: "retryable_error", errorCode: "server_error", packageReference: null },
      ]);
      // The attachment went to Resend as a PDF.
      const body = resend.requests[0]?.body as { attachments?: { filename: string }[] };
      expect(body.attachments?.map((attachment) => attachment.filename)).toEqual([
        expect.stringMatching(/^koppel-test-\d{4}-\d{2}-\d{2}\.pdf$/),
      ]);
    } finally {
      await resend.close();
    }
  });
});

describe("sendTestDocument through a portal connection", () => {
  it("delivers with the dossier's settings and records the package's reference", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: "4242" },
    });
    const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id);
    expect(result).toMatchObject({ ok: true, packageReference: expect.stringMatching(/^EXACT-4242-/) });
    const { dispatchRows, attemptRows } = await historyOf(dossier.id);
    expect(dispatchRows).toMatchObject([{ connectionId: world.connections.exact.id, status: "succeeded" }]);
    expect(attemptRows).toMatchObject([{ connector: "fake-exact-online", outcome: "succeeded" }]);
    expect(fakeApiBehaviour.delivered.at(-1)).toMatchObject({ isTest: true, mimeType: "application/pdf" });
  });

  it("records refused credentials as an auth error and flags the connection for re-authorisation", async () => {
    const [connection] = await opened.db
      .insert(connections)
      .values({
        portalId: world.portal.id,
        packageId: "exact-online",
        channel: "api",
        label: "Exact 2",
        status: "connected",
      })
      .returning();
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: connection?.id ?? "",
      settings: { division: "1" },
    });
    fakeApiBehaviour.next = "auth";
    const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id);
    expect(result).toMatchObject({ ok: false, errorCode: "auth_failed" });
    const { attemptRows } = await historyOf(dossier.id);
    expect(attemptRows).toMatchObject([{ outcome: "auth_error", errorCode: "auth_failed" }]);
    const [after] = await opened.db
      .select()
      .from(connections)
      .where(eq(connections.id, connection?.id ?? ""));
    expect(after).toMatchObject({ status: "needs_reauth", lastErrorCode: "auth_failed" });
  });

  it("gives up at the deadline and records a timeout", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: "5" },
    });
    fakeApiBehaviour.next = "hang";
    const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id, { timeoutMs: 50 });
    expect(result).toMatchObject({ ok: false, errorCode: "timeout" });
    expect((await historyOf(dossier.id)).attemptRows).toMatchObject([
      { outcome: "retryable_error", errorCode: "timeout" },
    ]);
  });

  it("keeps a connection that was disabled during the test disabled on refused credentials", async () => {
    const connection = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "exact-online",
      label: "Exact 3",
      status: "connected",
    });
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: connection.id,
      settings: { division: "3" },
    });
    fakeApiBehaviour.next = "auth";
    fakeApiBehaviour.beforeNext = async () => {
      await opened.db.update(connections).set({ status: "disabled" }).where(eq(connections.id, connection.id));
    };
    const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id);
    expect(result).toMatchObject({ ok: false, errorCode: "auth_failed" });
    const [after] = await opened.db.select().from(connections).where(eq(connections.id, connection.id));
    expect(after?.status).toBe("disabled");
  });

  it("sends through a connection in error (usable; its health says it needs attention)", async () => {
    const connection = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "exact-online",
      label: "Exact in error",
      status: "error",
    });
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: connection.id,
      settings: { division: "7" },
    });
    const result = await sendTestDocument(opened.db, world.actors.admin, dossier.id);
    expect(result).toMatchObject({ ok: true, packageReference: expect.stringMatching(/^EXACT-7-/) });
    // The package took the test document through it: the connection works, and says so.
    const [after] = await opened.db.select().from(connections).where(eq(connections.id, connection.id));
    expect(after).toMatchObject({ status: "connected", lastErrorCode: null, lastCheckedAt: null });
    expect(after?.lastSuccessAt).toBeInstanceOf(Date);
  });
});

/** A dossier whose stored integration points at `connectionId` (stored before the choice was restricted, as the seed does). */
async function dossierOnConnection(connectionId: string, settings: Record<string, unknown>) {
  const dossier = await newDossier(opened.db, world);
  await opened.db.insert(dossierIntegrations).values({
    portalId: world.portal.id,
    dossierId: dossier.id,
    kind: "connection",
    connectionId,
    settings,
  });
  return dossier;
}

describe("sendTestDocument refuses what deliveries refuse, without recording anything", () => {
  it("a connection that needs re-authorisation (it used to be tried anyway)", async () => {
    const dossier = await dossierOnConnection(world.connections.yuki.id, { administrationId: "x" });
    const refused = await refusal(sendTestDocument(opened.db, world.actors.admin, dossier.id));
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).messageKey).toBe("integrations.problems.connectionNeedsReauth");
    expect((await historyOf(dossier.id)).dispatchRows).toEqual([]);
  });

  it("a connection whose connector is not built yet (it used to be recorded as a failed test)", async () => {
    const connection = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "yuki",
      label: "Yuki (connected)",
      status: "connected",
    });
    const dossier = await dossierOnConnection(connection.id, { administrationId: "x" });
    const refused = await refusal(sendTestDocument(opened.db, world.actors.admin, dossier.id));
    expect((refused as ValidationError).messageKey).toBe("integrations.problems.connectorUnavailable");
    expect((await historyOf(dossier.id)).dispatchRows).toEqual([]);
  });

  it("a disabled connection", async () => {
    const dossier = await dossierOnConnection(world.connections.disabled.id, { division: 1 });
    const refused = await refusal(sendTestDocument(opened.db, world.actors.admin, dossier.id));
    expect((refused as ValidationError).messageKey).toBe("integrations.problems.connectionDisabled");
    expect((await historyOf(dossier.id)).dispatchRows).toEqual([]);
  });
});

describe("sendTestDocument refuses", () => {
  it("a dossier without an integration, and one with 'no integration needed', without recording anything", async () => {
    const dossier = await newDossier(opened.db, world);
    const notConfigured = await refusal(sendTestDocument(opened.db, world.actors.admin, dossier.id));
    expect(notConfigured).toBeInstanceOf(ValidationError);
    expect((notConfigured as ValidationError).messageKey).toBe("integrations.errors.testNotConfigured");

    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, { kind: "none" });
    const none = await refusal(sendTestDocument(opened.db, world.actors.admin, dossier.id));
    expect((none as ValidationError).messageKey).toBe("integrations.errors.testNoIntegrationNeeded");
    expect((await historyOf(dossier.id)).dispatchRows).toEqual([]);
  });

  it("the entrepreneur (ForbiddenError) and another portal (NotFoundError)", async () => {
    await saveDossierIntegration(opened.db, world.actors.admin, world.dossier.id, {
      kind: "free_email",
      addresses: { purchase: "boekhouding@example.com" },
    });
    expect(await refusal(sendTestDocument(opened.db, world.actors.entrepreneur, world.dossier.id))).toBeInstanceOf(
      ForbiddenError,
    );
    expect(await refusal(sendTestDocument(opened.db, world.actors.otherAdmin, world.dossier.id))).toBeInstanceOf(
      NotFoundError,
    );
    expect((await historyOf(world.dossier.id)).dispatchRows).toEqual([]);
  });
});

describe("buildTestPdf", () => {
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

  it("makes a PDF whose xref offsets point at its objects", () => {
    const pdf = text(buildTestPdf(["Koppel test document", "Café De Hoek — 2026-11-27", "(a) \\ b"]));
    expect(pdf.startsWith("%PDF-1.4\n")).toBe(true);
    expect(pdf.endsWith("%%EOF\n")).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe("xref");
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((offset, index) => {
      expect(pdf.slice(offset, offset + `${index + 1} 0 obj`.length)).toBe(`${index + 1} 0 obj`);
    });
    const length = Number(/\/Length (\d+)/.exec(pdf)?.[1]);
    const streamStart = pdf.indexOf("stream\n") + "stream\n".length;
    expect(pdf.slice(streamStart + length, streamStart + length + "\nendstream".length)).toBe("\nendstream");
  });

  it("writes WinAnsi text with escapes (é, em dash, parentheses, backslash)", () => {
    const pdf = text(buildTestPdf(["T", "Café — (x) \\"]));
    expect(pdf).toContain("(Caf\xe9 \x97 \\(x\\) \\\\) Tj");
  });
});
