import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { woltersKluwerConnector } from "@/lib/connectors/api/wolters-kluwer";
import { ConnectorError } from "@/lib/connectors/errors";
import {
  FAKE_WK_ADMINISTRATIONS,
  type FakeWoltersKluwer,
  startFakeWoltersKluwer,
} from "../../../../fakes/wolters-kluwer";
import {
  ADMINISTRATION_ID,
  allowCustomApiHosts,
  contextFor,
  documentFor,
  grantedSecrets,
  memorySecrets,
  pdfBytes,
} from "./helpers";

let fake: FakeWoltersKluwer;

beforeAll(() => allowCustomApiHosts("1"));
afterAll(() => allowCustomApiHosts(undefined));
beforeEach(async () => {
  fake = await startFakeWoltersKluwer();
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

describe("Wolters Kluwer check", () => {
  it("lists administrations with the stored grant", async () => {
    const result = await woltersKluwerConnector.check(contextFor(fake));
    expect(result.ok).toBe(true);
    expect(fake.counts.byEndpoint.administrations).toBe(1);
  });

  it("a connection nobody connected yet reads 'not authorised' without calling", async () => {
    const secrets = memorySecrets({});
    const result = await woltersKluwerConnector.check(contextFor(fake, { secrets }));
    expect(result).toMatchObject({ ok: false, error: { kind: "auth", code: "not_authorised" } });
    expect(fake.counts.byEndpoint).toEqual({});
  });

  it("a revoked grant is an auth failure after one refused refresh", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    fake.revokeRefreshTokens();
    const result = await woltersKluwerConnector.check(contextFor(fake, { secrets }));
    expect(result).toMatchObject({ ok: false, error: { kind: "auth", code: "auth_failed" } });
    expect(fake.counts.refusedRefreshes).toBe(1);
  });

  it("refuses a base URL that is not Wolters Kluwer's unless custom hosts are allowed", async () => {
    allowCustomApiHosts(undefined);
    try {
      const result = await woltersKluwerConnector.check(contextFor(fake));
      expect(result).toMatchObject({ ok: false, error: { kind: "permanent", code: "invalid_settings" } });
      expect(fake.counts.byEndpoint).toEqual({});
    } finally {
      allowCustomApiHosts("1");
    }
  });
});

describe("Wolters Kluwer dossier choices", () => {
  it("offers every administration (all pages) with its VAT number for the suggestion", async () => {
    const choices = await woltersKluwerConnector.listDossierChoices(contextFor(fake, { dossierSettings: null }));
    expect(choices.administrationId?.map((choice) => choice.value).sort()).toEqual(
      FAKE_WK_ADMINISTRATIONS.map((administration) => administration.id).sort(),
    );
    expect(choices.administrationId?.find((choice) => choice.value === ADMINISTRATION_ID)).toEqual({
      value: ADMINISTRATION_ID,
      label: "Bakkerij Wouters BV",
      detail: "WOU01",
      vatNumber: "BE0123456749",
    });
  });
});

describe("Wolters Kluwer deliver", () => {
  it("uploads the file with the category and our reference to the administration", async () => {
    const ctx = contextFor(fake);
    const content = pdfBytes("verkoop");
    const receipt = await woltersKluwerConnector.deliver(
      ctx,
      documentFor({ documentType: "sales_credit_note", category: "sales", fileName: "creditnota 7.pdf" }),
      { content },
    );
    const [stored] = fake.documents(ADMINISTRATION_ID);
    expect(fake.documents()).toHaveLength(1);
    expect(stored).toMatchObject({ category: "Sales", reference: ctx.idempotencyKey, fileName: "creditnota 7.pdf" });
    expect(new Uint8Array(stored?.content ?? [])).toEqual(content);
    expect(receipt).toEqual({
      packageReference: stored?.id,
      target: { administrationId: ADMINISTRATION_ID, category: "Sales", isAlreadyThere: false },
    });
    // A first try uploads straight away: no lookup.
    expect(fake.counts.lookups).toBe(0);
  });

  it("sends the category value the dossier adjusted", async () => {
    await woltersKluwerConnector.deliver(
      contextFor(fake, { dossierSettings: { purchaseCategory: "Other" } }),
      documentFor(),
      {
        content: pdfBytes(),
      },
    );
    expect(fake.documents()[0]?.category).toBe("Other");
  });

  it("a response lost after Adsolut stored the document: the retry finds it and uploads nothing", async () => {
    const key = "0b9d6c8e-3f1a-4d2b-8c7e-5a6b7c8d9e0f";
    fake.loseResponseAfterStore();
    const first = await failureOf(
      woltersKluwerConnector.deliver(contextFor(fake, { idempotencyKey: key }), documentFor(), { content: pdfBytes() }),
    );
    expect(first).toMatchObject({ kind: "retryable", code: "network" });
    expect(fake.documents()).toHaveLength(1);

    const receipt = await woltersKluwerConnector.deliver(
      contextFor(fake, { idempotencyKey: key, isFirstTry: false }),
      documentFor(),
      { content: pdfBytes() },
    );
    expect(fake.documents()).toHaveLength(1);
    expect(receipt).toMatchObject({ packageReference: fake.documents()[0]?.id, target: { isAlreadyThere: true } });
  });

  it("a repeated try that finds nothing uploads once", async () => {
    const ctx = contextFor(fake, { isFirstTry: false });
    const receipt = await woltersKluwerConnector.deliver(ctx, documentFor(), { content: pdfBytes() });
    expect(fake.counts.lookups).toBe(1);
    expect(fake.documents()).toHaveLength(1);
    expect(receipt.target.isAlreadyThere).toBe(false);
  });

  it("with the look-up switched off, a repeated try uploads without asking", async () => {
    const ctx = contextFor(fake, { isFirstTry: false, settings: { lookupOnRetry: false } });
    await woltersKluwerConnector.deliver(ctx, documentFor(), { content: pdfBytes() });
    expect(fake.counts.lookups).toBe(0);
    expect(fake.documents()).toHaveLength(1);
  });

  it("a document Adsolut refuses is a permanent package refusal", async () => {
    const error = await failureOf(
      woltersKluwerConnector.deliver(contextFor(fake), documentFor(), {
        content: new TextEncoder().encode("not a pdf"),
      }),
    );
    expect(error).toMatchObject({ kind: "permanent", code: "package_refused" });
    expect(error.vendorDetail).toContain("not a valid PDF");
    expect(fake.documents()).toHaveLength(0);
  });

  it("an unknown administration, or one not activated for the app, is an unknown target", async () => {
    const unknown = await failureOf(
      woltersKluwerConnector.deliver(
        contextFor(fake, { dossierSettings: { administrationId: "11111111-2222-4333-8444-555555555555" } }),
        documentFor(),
        { content: pdfBytes() },
      ),
    );
    expect(unknown).toMatchObject({ kind: "permanent", code: "unknown_target" });
    const inactive = FAKE_WK_ADMINISTRATIONS.find((administration) => administration.isActivated === false)?.id;
    const notActivated = await failureOf(
      woltersKluwerConnector.deliver(
        contextFor(fake, { dossierSettings: { administrationId: inactive } }),
        documentFor(),
        {
          content: pdfBytes(),
        },
      ),
    );
    expect(notActivated).toMatchObject({ kind: "permanent", code: "unknown_target" });
  });

  it("429 waits as long as Retry-After says; 503 is retryable", async () => {
    fake.failNext(1, {
      status: 429,
      message: "Too many requests",
      endpoint: "documents",
      headers: { "retry-after": "7" },
    });
    const limited = await failureOf(
      woltersKluwerConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect(limited).toMatchObject({ kind: "retryable", code: "rate_limited", retryAfterMs: 7_000 });
    fake.failNext(1, { status: 503, endpoint: "documents" });
    const down = await failureOf(
      woltersKluwerConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect(down).toMatchObject({ kind: "retryable", code: "server_error" });
    expect(fake.documents()).toHaveLength(0);
  });

  it("an expired access token is refreshed (the new refresh token stored) before the upload", async () => {
    const secrets = memorySecrets(grantedSecrets(fake, { isExpired: true }));
    const before = secrets.current.refreshToken ?? "";
    await woltersKluwerConnector.deliver(contextFor(fake, { secrets }), documentFor(), { content: pdfBytes() });
    expect(fake.counts.refreshes).toBe(1);
    expect(secrets.stored).toBe(1);
    expect(secrets.current.refreshToken).not.toBe(before);
    expect(fake.isRefreshTokenActive(secrets.current.refreshToken ?? "")).toBe(true);
    expect(fake.documents()).toHaveLength(1);
  });

  it("a token refused before its time: one refresh, one repeat", async () => {
    const secrets = memorySecrets(grantedSecrets(fake));
    fake.expireAccessTokens();
    await woltersKluwerConnector.deliver(contextFor(fake, { secrets }), documentFor(), { content: pdfBytes() });
    expect(fake.counts.unauthorised).toBe(1);
    expect(fake.counts.refreshes).toBe(1);
    expect(fake.documents()).toHaveLength(1);
  });

  it("uses the upload path and field names adjusted on the connection", async () => {
    const adjusted = await startFakeWoltersKluwer({
      documentsPath: "dms/v2/adm/{administrationId}/inbox-documents",
      fields: { file: "content", category: "documentCategory", reference: "reference" },
    });
    try {
      const settings = {
        uploadPath: "/dms/v2/adm/{administrationId}/inbox-documents",
        lookupPath: "dms/v2/adm/{administrationId}/inbox-documents",
        fileField: "content",
        documentCategoryField: "documentCategory",
        referenceField: "reference",
      };
      const key = "5a6b7c8d-0b9d-4d2b-8c7e-6c8e3f1a9e0f";
      await woltersKluwerConnector.deliver(contextFor(adjusted, { settings, idempotencyKey: key }), documentFor(), {
        content: pdfBytes(),
      });
      expect(adjusted.documents()).toMatchObject([{ category: "Purchase", reference: key }]);
      const again = await woltersKluwerConnector.deliver(
        contextFor(adjusted, { settings, idempotencyKey: key, isFirstTry: false }),
        documentFor(),
        { content: pdfBytes() },
      );
      expect(again.target.isAlreadyThere).toBe(true);
      expect(adjusted.documents()).toHaveLength(1);

      // The default path does not exist on this server: the connection's setting is what counts.
      const error = await failureOf(
        woltersKluwerConnector.deliver(contextFor(adjusted), documentFor(), { content: pdfBytes() }),
      );
      expect(error.kind).toBe("permanent");
    } finally {
      await adjusted.close();
    }
  });
});
