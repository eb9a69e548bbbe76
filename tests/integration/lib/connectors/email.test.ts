import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { outboxEmails } from "@/db/schema";
import { emailConnector } from "@/lib/connectors/email";
import { ConnectorError } from "@/lib/connectors/errors";
import type { DeliveryDocument, DocumentType } from "@/lib/connectors/types";
import { categoryOf } from "@/lib/connectors/types";
import { resetEnvCache } from "@/lib/env";
import { findPackage } from "@/lib/packages/catalog";
import { startFakeResend } from "../../../fakes/resend";
import { createTestDb } from "../../../helpers/db";

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL", "EMAIL_FROM"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

type DeliverContext = Parameters<typeof emailConnector.deliver>[0];
type Addresses = { purchase: string | null; sales: string | null; other: string | null };

const CLEARFACTS = findPackage("clearfacts");
if (!CLEARFACTS) throw new Error("clearfacts is missing from the catalog");

/** Standard Clearfacts addresses of Fleuriste Dupont (see lib/packages/email-addresses.ts). */
const ADDRESSES: Addresses = {
  purchase: "aankoop0123456749@mijnkantoor.clearfacts.be",
  sales: "verkoop0123456749@mijnkantoor.clearfacts.be",
  other: null,
};

function contextFor(idempotencyKey: string, addresses: Addresses = ADDRESSES): DeliverContext {
  return {
    settings: {},
    secrets: {},
    dossierSettings: { addresses },
    dossier: {
      id: "d-1",
      name: "Fleuriste Dupont SRL",
      companyNumber: "0123456749",
      vatNumber: "BE0123456749",
      locale: "nl",
    },
    package: CLEARFACTS as NonNullable<typeof CLEARFACTS>,
    signal: new AbortController().signal,
    idempotencyKey,
    persistSecrets: async () => {},
    rotateSecrets: async () => ({}),
    oauthApp: null,
    isFirstTry: true,
  };
}

const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

function documentOf(documentType: DocumentType, overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: "doc-1",
    documentType,
    category: categoryOf(documentType),
    fileName: "factuur-2026-0042.pdf",
    mimeType: "application/pdf",
    sizeBytes: PDF.byteLength,
    sha256: "0".repeat(64),
    recognisedFields: { supplierName: "Bloemen Janssens", invoiceNumber: "2026-0042" },
    isTest: false,
    ...overrides,
  };
}

/** What deliver threw, for assertions on a ConnectorError's fields. */
async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error("expected deliver to fail");
}

let opened: OpenedDb;
beforeAll(async () => {
  opened = await createTestDb();
  // lib/email/send.ts asks getDb() for the database; hand it this file's test database.
  globalThis.__koppelDb = Promise.resolve(opened);
});
afterEach(() => setEnv({}));
afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

describe("e-mail connector through Resend (fake server)", () => {
  let resend: Awaited<ReturnType<typeof startFakeResend>>;
  beforeAll(async () => {
    resend = await startFakeResend();
  });
  afterEach(() => {
    resend.requests.length = 0;
    resend.respondWith(undefined);
  });
  afterAll(async () => {
    await resend?.close();
  });

  const withResend = () =>
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: resend.url, EMAIL_FROM: "Koppel <noreply@koppel.test>" });

  it.each([
    ["purchase_invoice", ADDRESSES.purchase],
    ["purchase_credit_note", ADDRESSES.purchase],
    ["receipt", ADDRESSES.purchase],
    ["sales_invoice", ADDRESSES.sales],
    ["sales_credit_note", ADDRESSES.sales],
  ] as const)("mails a %s with its file to the address of its category (%s)", async (documentType, expectedTo) => {
    withResend();
    const receipt = await emailConnector.deliver(contextFor(`dispatch-${documentType}`), documentOf(documentType), {
      content: PDF,
    });

    expect(receipt).toEqual({
      packageReference: expect.stringMatching(/^re_fake_\d+$/),
      target: { to: expectedTo, via: "resend" },
    });
    expect(resend.requests).toHaveLength(1);
    const [request] = resend.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/emails");
    expect(request?.headers["idempotency-key"]).toBe(`dispatch-${documentType}`);
    expect(request?.body).toMatchObject({
      from: "Koppel <noreply@koppel.test>",
      to: [expectedTo],
      attachments: [
        {
          filename: "factuur-2026-0042.pdf",
          content: Buffer.from(PDF).toString("base64"),
          content_type: "application/pdf",
        },
      ],
    });
    const body = request?.body as { subject: string };
    expect(body.subject).toContain("Fleuriste Dupont SRL");
    expect(body.subject).not.toContain("[TEST]");
  });

  it("returns Resend's message id as the package reference", async () => {
    withResend();
    resend.respondWith({ status: 200, body: { id: "re_0a1b2c" } });
    const receipt = await emailConnector.deliver(contextFor("dispatch-ref"), documentOf("purchase_invoice"), {
      content: PDF,
    });
    expect(receipt.packageReference).toBe("re_0a1b2c");
    expect(receipt.target).toEqual({ to: ADDRESSES.purchase, via: "resend" });
  });

  it("sends the same Idempotency-Key on every try of one dispatch, so Resend can replay", async () => {
    withResend();
    const ctx = contextFor("dispatch-7f3c");
    await emailConnector.deliver(ctx, documentOf("purchase_invoice"), { content: PDF });
    await emailConnector.deliver(ctx, documentOf("purchase_invoice"), { content: PDF });
    expect(resend.requests.map((request) => request.headers["idempotency-key"])).toEqual([
      "dispatch-7f3c",
      "dispatch-7f3c",
    ]);
  });

  it("writes the mail in the dossier's language", async () => {
    withResend();
    const base = contextFor("dispatch-fr");
    const ctx = { ...base, dossier: base.dossier && { ...base.dossier, locale: "fr" as const } };
    await emailConnector.deliver(ctx, documentOf("sales_invoice"), { content: PDF });
    const body = resend.requests[0]?.body as { subject: string; text: string };
    expect(body.subject).toBe("Fleuriste Dupont SRL · Facture de vente · Bloemen Janssens · 2026-0042");
    expect(body.text).toContain("Numéro d'entreprise: 0123.456.749");
    expect(body.text).toContain("Référence Koppel : dispatch-fr");
  });

  it("marks a test document as a test in the subject", async () => {
    withResend();
    await emailConnector.deliver(contextFor("dispatch-test"), documentOf("purchase_invoice", { isTest: true }), {
      content: PDF,
    });
    expect(resend.requests[0]?.body).toMatchObject({ subject: expect.stringMatching(/^\[TEST\]/) });
  });

  it("fails permanently with missing_address for a category without an address, without calling Resend", async () => {
    withResend();
    const error = await failureOf(
      emailConnector.deliver(contextFor("dispatch-other"), documentOf("other"), { content: PDF }),
    );
    expect({ kind: error.kind, code: error.code, messageKey: error.messageKey }).toEqual({
      kind: "permanent",
      code: "missing_address",
      messageKey: "connectors.errors.missing_address",
    });
    expect(resend.requests).toHaveLength(0);
  });

  it("fails permanently with missing_address when the dossier has no settings at all", async () => {
    withResend();
    const ctx = { ...contextFor("dispatch-none"), dossierSettings: null };
    const error = await failureOf(emailConnector.deliver(ctx, documentOf("purchase_invoice"), { content: PDF }));
    expect(error.code).toBe("missing_address");
    expect(error.kind).toBe("permanent");
  });

  it("fails retryably when Resend answers with a server error", async () => {
    withResend();
    resend.respondWith({
      status: 500,
      body: { name: "internal_server_error", message: "Something broke", statusCode: 500 },
    });
    const error = await failureOf(
      emailConnector.deliver(contextFor("dispatch-5xx"), documentOf("purchase_invoice"), { content: PDF }),
    );
    expect(error.kind).toBe("retryable");
    expect(resend.requests).toHaveLength(1);
  });

  it("fails retryably when Resend cannot be reached (fetch failed)", async () => {
    // A port that was just free: nothing listens there any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    setEnv({ RESEND_API_KEY: "re_test_123", RESEND_BASE_URL: `http://127.0.0.1:${port}` });

    const error = await failureOf(
      emailConnector.deliver(contextFor("dispatch-down"), documentOf("sales_invoice"), { content: PDF }),
    );
    expect(error.kind).toBe("retryable");
  });
});

describe("e-mail connector through the local outbox (no RESEND_API_KEY)", () => {
  it("stores one outbox row with the recipient and the attachment's metadata", async () => {
    setEnv({ EMAIL_FROM: "Koppel <noreply@koppel.test>" });
    const receipt = await emailConnector.deliver(contextFor("dispatch-outbox-1"), documentOf("sales_invoice"), {
      content: PDF,
    });
    expect(receipt.target).toEqual({ to: ADDRESSES.sales, via: "outbox" });

    const rows = await opened.db
      .select()
      .from(outboxEmails)
      .where(eq(outboxEmails.idempotencyKey, "dispatch-outbox-1"));
    expect(rows).toMatchObject([
      {
        id: receipt.packageReference,
        from: "Koppel <noreply@koppel.test>",
        to: [ADDRESSES.sales],
        attachments: [{ filename: "factuur-2026-0042.pdf", contentType: "application/pdf", sizeBytes: PDF.byteLength }],
      },
    ]);
  });

  it("stores one row for two deliveries with the same idempotency key", async () => {
    setEnv({});
    const ctx = contextFor("dispatch-outbox-2");
    const first = await emailConnector.deliver(ctx, documentOf("purchase_invoice"), { content: PDF });
    const second = await emailConnector.deliver(ctx, documentOf("purchase_invoice"), { content: PDF });
    expect(second.packageReference).toBe(first.packageReference);
    const rows = await opened.db
      .select({ id: outboxEmails.id })
      .from(outboxEmails)
      .where(eq(outboxEmails.idempotencyKey, "dispatch-outbox-2"));
    expect(rows).toHaveLength(1);
  });
});
