import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearSynetonTokens, synetonDmsConnector } from "@/lib/connectors/api/syneton-dms";
import { ConnectorError } from "@/lib/connectors/errors";
import { resetEnvCache } from "@/lib/env";
import { FAKE_SYNETON_CUSTOMERS, type FakeSyneton, startFakeSyneton } from "../../../../fakes/syneton-dms";
import { allowCustomApiHosts, CUSTOMER_ID, contextFor, documentFor, pdfBytes } from "./helpers";

let fake: FakeSyneton;

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  clearSynetonTokens();
  fake = await startFakeSyneton();
});
afterEach(async () => {
  await fake.close();
});

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe("Syneton check", () => {
  it("trades the key for a token and reads one customer record with it", async () => {
    expect((await synetonDmsConnector.check(contextFor(fake))).ok).toBe(true);
    expect(fake.counts.byEndpoint).toEqual({ token: 1, customers: 1 });
    // A check always proves the key itself: a new token, never a cached one.
    expect((await synetonDmsConnector.check(contextFor(fake))).ok).toBe(true);
    expect(fake.counts.tokensIssued).toBe(2);
  });

  it("a wrong API key is an auth failure", async () => {
    const result = await synetonDmsConnector.check(contextFor(fake, { apiKey: "wrong-key" }));
    expect(result).toMatchObject({ ok: false, error: { kind: "auth", code: "auth_failed" } });
    expect(fake.counts.refusedTokens).toBe(1);
    expect(fake.counts.byEndpoint.customers).toBeUndefined();
  });

  it("an http address is refused unless custom API hosts are allowed", async () => {
    allowCustomApiHosts(undefined);
    try {
      const result = await synetonDmsConnector.check(contextFor(fake));
      expect(result).toMatchObject({ ok: false, error: { kind: "permanent", code: "invalid_settings" } });
      expect(fake.counts.byEndpoint).toEqual({});
    } finally {
      allowCustomApiHosts("1");
    }
  });

  it("an https address on a private network is refused unless private hosts are allowed", async () => {
    allowCustomApiHosts(undefined);
    process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS = "0";
    resetEnvCache();
    try {
      const result = await synetonDmsConnector.check(
        contextFor(fake, { settings: { baseUrl: "https://127.0.0.1:2100" } }),
      );
      expect(result).toMatchObject({ ok: false, error: { kind: "permanent", code: "host_not_allowed" } });
    } finally {
      delete process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS;
      allowCustomApiHosts("1");
    }
  });
});

describe("Syneton dossier choices", () => {
  it("offers the active customer records of every page with their VAT number", async () => {
    const paged = await startFakeSyneton({ maxPerPage: 2 });
    try {
      const choices = await synetonDmsConnector.listDossierChoices(contextFor(paged, { dossierSettings: null }));
      expect(choices.customerId).toEqual([
        { value: "1001", label: "Bakkerij Wouters BV", detail: "WOU01", vatNumber: "BE0123456749" },
        { value: "1002", label: "Peeters Jan", detail: "PEE02", vatNumber: "BE0987654321" },
      ]);
      expect(paged.counts.byEndpoint.customers).toBe(2);
      expect(FAKE_SYNETON_CUSTOMERS.some((customer) => customer.IsActive === false)).toBe(true);
    } finally {
      await paged.close();
    }
  });
});

describe("Syneton deliver", () => {
  it("files the document under the customer with the category's keyword and our reference", async () => {
    const ctx = contextFor(fake);
    const content = pdfBytes("verkoop");
    const receipt = await synetonDmsConnector.deliver(
      ctx,
      documentFor({ documentType: "sales_invoice", category: "sales", fileName: "VF 2025-7.pdf" }),
      { content },
    );
    const [stored] = fake.documents(CUSTOMER_ID);
    expect(fake.documents()).toHaveLength(1);
    expect(stored).toMatchObject({ keyword: "VF", fileName: "VF 2025-7.pdf", reference: ctx.idempotencyKey });
    expect(new Uint8Array(stored?.content ?? [])).toEqual(content);
    expect(receipt).toEqual({
      packageReference: String(stored?.DocumentId),
      target: { customerId: CUSTOMER_ID, keyword: "VF", isAlreadyThere: false },
    });
    expect(fake.counts.lookups).toBe(0);
  });

  it("purchase documents go under AF unless the dossier says otherwise", async () => {
    await synetonDmsConnector.deliver(contextFor(fake), documentFor({ documentType: "receipt" }), {
      content: pdfBytes(),
    });
    await synetonDmsConnector.deliver(contextFor(fake, { dossierSettings: { purchaseKeyword: "BA" } }), documentFor(), {
      content: pdfBytes(),
    });
    expect(fake.documents().map((document) => document.keyword)).toEqual(["AF", "BA"]);
  });

  it("a response lost after Syneton filed the document: the retry finds it and files nothing", async () => {
    const key = "0b9d6c8e-3f1a-4d2b-8c7e-5a6b7c8d9e0f";
    fake.loseResponseAfterStore();
    const first = await failureOf(
      synetonDmsConnector.deliver(contextFor(fake, { idempotencyKey: key }), documentFor(), { content: pdfBytes() }),
    );
    expect(first.kind).toBe("retryable");
    expect(fake.documents()).toHaveLength(1);
    const receipt = await synetonDmsConnector.deliver(
      contextFor(fake, { idempotencyKey: key, isFirstTry: false }),
      documentFor(),
      { content: pdfBytes() },
    );
    expect(fake.documents()).toHaveLength(1);
    expect(receipt).toMatchObject({
      packageReference: String(fake.documents()[0]?.DocumentId),
      target: { isAlreadyThere: true },
    });
  });

  it("a repeated try that finds nothing ('Nothing found') files once", async () => {
    const receipt = await synetonDmsConnector.deliver(contextFor(fake, { isFirstTry: false }), documentFor(), {
      content: pdfBytes(),
    });
    expect(fake.counts.lookups).toBe(1);
    expect(fake.documents()).toHaveLength(1);
    expect(receipt.target.isAlreadyThere).toBe(false);
  });

  it("a document Syneton refuses is a permanent package refusal; an unknown customer an unknown target", async () => {
    const refused = await failureOf(
      synetonDmsConnector.deliver(contextFor(fake, { dossierSettings: { purchaseKeyword: "XX" } }), documentFor(), {
        content: pdfBytes(),
      }),
    );
    expect(refused).toMatchObject({ kind: "permanent", code: "package_refused" });
    const unknown = await failureOf(
      synetonDmsConnector.deliver(contextFor(fake, { dossierSettings: { customerId: 9999 } }), documentFor(), {
        content: pdfBytes(),
      }),
    );
    expect(unknown).toMatchObject({ kind: "permanent", code: "unknown_target" });
    expect(fake.documents()).toHaveLength(0);
  });

  it("an expired token is renewed once and the call repeated", async () => {
    await synetonDmsConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    fake.expireTokens();
    await synetonDmsConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    expect(fake.counts.tokensIssued).toBe(2);
    expect(fake.documents()).toHaveLength(2);
  });

  it("a key withdrawn meanwhile: the renewal is refused, an auth failure", async () => {
    await synetonDmsConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    fake.expireTokens();
    const error = await failureOf(
      synetonDmsConnector.deliver(contextFor(fake, { apiKey: "withdrawn-key" }), documentFor(), {
        content: pdfBytes(),
      }),
    );
    expect(error).toMatchObject({ kind: "auth", code: "auth_failed" });
  });

  it("throttling and 5xx are retryable", async () => {
    const busy = await startFakeSyneton({ rateLimit: { limit: 1, windowMs: 60_000 } });
    try {
      await synetonDmsConnector.deliver(contextFor(busy), documentFor(), { content: pdfBytes() });
      const throttled = await failureOf(
        synetonDmsConnector.deliver(contextFor(busy), documentFor(), { content: pdfBytes() }),
      );
      expect(throttled).toMatchObject({ kind: "retryable", code: "rate_limited", retryAfterMs: 60_000 });
    } finally {
      await busy.close();
    }
    fake.failNext(1, { status: 503, endpoint: "documents" });
    const down = await failureOf(synetonDmsConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }));
    expect(down).toMatchObject({ kind: "retryable", code: "server_error" });
  });

  it("uses the upload path and field names adjusted on the connection", async () => {
    const moved = await startFakeSyneton({
      documentsPath: "api/v2/dms/files",
      fields: { customerId: "Customer", keyword: "Tab", fileName: "Name", content: "Data", reference: "ExternalId" },
    });
    try {
      const settings = {
        uploadPath: "/api/v2/dms/files",
        lookupPath: "api/v2/dms/files",
        customerIdField: "Customer",
        categoryField: "Tab",
        fileNameField: "Name",
        contentField: "Data",
        referenceField: "ExternalId",
      };
      const key = "5a6b7c8d-0b9d-4d2b-8c7e-6c8e3f1a9e0f";
      await synetonDmsConnector.deliver(contextFor(moved, { settings, idempotencyKey: key }), documentFor(), {
        content: pdfBytes(),
      });
      expect(moved.documents()).toMatchObject([{ keyword: "AF", reference: key, customerId: CUSTOMER_ID }]);
      const again = await synetonDmsConnector.deliver(
        contextFor(moved, { settings, idempotencyKey: key, isFirstTry: false }),
        documentFor(),
        { content: pdfBytes() },
      );
      expect(again.target.isAlreadyThere).toBe(true);
      expect(moved.documents()).toHaveLength(1);
      // With the defaults, this server has no such resource: the setting is what counts.
      const error = await failureOf(
        synetonDmsConnector.deliver(contextFor(moved), documentFor(), { content: pdfBytes() }),
      );
      expect(error.kind).toBe("permanent");
    } finally {
      await moved.close();
    }
  });
});
