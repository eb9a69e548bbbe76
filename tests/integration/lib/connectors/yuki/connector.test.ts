import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearYukiSessions, yukiConnector } from "@/lib/connectors/api/yuki";
import { isConnectorError } from "@/lib/connectors/errors";
import { loadConnector } from "@/lib/connectors/registry";
import {
  FAKE_YUKI_ACCESS_KEY,
  FAKE_YUKI_ADMINISTRATIONS,
  FAKE_YUKI_FOLDERS,
  type FakeYuki,
  startFakeYuki,
} from "../../../../fakes/yuki";
import { allowCustomApiHosts, contextFor, DOSSIER_SETTINGS, documentFor, pdfBytes } from "./helpers";

// The Yuki connector against the SOAP fake: connection test, the picker's lists, uploads into the
// mapped folder per category, session renewal, the wrong region, quota, 5xx, a lost answer.

let fake: FakeYuki;

/** The error a promise rejects with, asserted to be a ConnectorError. */
async function connectorErrorOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (rejection: unknown) => rejection,
  );
  if (!isConnectorError(error)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  allowCustomApiHosts("1");
  fake = await startFakeYuki();
});
afterAll(async () => {
  await fake?.close();
  allowCustomApiHosts(undefined);
});
beforeEach(() => {
  // Every test starts without a cached session, so Authenticate counts are its own.
  clearYukiSessions();
  fake.resetQuota();
});

describe("registry", () => {
  it("serves Yuki over the API channel with this connector", async () => {
    expect(await loadConnector("yuki", "api")).toBe(yukiConnector);
  });
});

describe("check", () => {
  it("authenticates and lists the administrations", async () => {
    const before = { auth: fake.callCount("Authenticate"), list: fake.callCount("Administrations") };
    const health = await yukiConnector.check(contextFor(fake, { dossierSettings: null }));
    expect(health.ok).toBe(true);
    expect(fake.callCount("Authenticate")).toBe(before.auth + 1);
    expect(fake.callCount("Administrations")).toBe(before.list + 1);
    const [request] = fake.requests.slice(-1);
    expect(request).toMatchObject({
      path: "/ws/Archive.asmx",
      soapAction: "http://www.theyukicompany.com/Administrations",
      contentType: "text/xml; charset=utf-8",
    });
  });

  it("always logs in anew, even with a cached session", async () => {
    await yukiConnector.check(contextFor(fake, { dossierSettings: null }));
    const before = fake.callCount("Authenticate");
    await yukiConnector.check(contextFor(fake, { dossierSettings: null }));
    expect(fake.callCount("Authenticate")).toBe(before + 1);
  });

  it("reports a refused key as auth_failed", async () => {
    const health = await yukiConnector.check(
      contextFor(fake, { accessKey: "00000000-0000-4000-8000-000000000000", dossierSettings: null }),
    );
    expect(health.ok).toBe(false);
    if (!health.ok) expect([health.error.kind, health.error.code]).toEqual(["auth", "auth_failed"]);
  });

  it("reports a key of the other region as wrong_region (it authenticates, then data calls fault)", async () => {
    const dutch = await startFakeYuki({ region: "nl", accessKeys: { [FAKE_YUKI_ACCESS_KEY]: "be" } });
    try {
      const health = await yukiConnector.check(
        contextFor(dutch, { settings: { region: "nl" }, dossierSettings: null }),
      );
      expect(health.ok).toBe(false);
      if (!health.ok) expect([health.error.kind, health.error.code]).toEqual(["permanent", "wrong_region"]);
      expect(dutch.callCount("Authenticate")).toBe(1);
    } finally {
      await dutch.close();
    }
  });

  it("refuses a base URL that is not Yuki's unless custom hosts are allowed", async () => {
    allowCustomApiHosts(undefined);
    try {
      const health = await yukiConnector.check(contextFor(fake, { dossierSettings: null }));
      expect(health.ok).toBe(false);
      if (!health.ok) expect(health.error.code).toBe("invalid_settings");
    } finally {
      allowCustomApiHosts("1");
    }
  });
});

describe("listDossierChoices", () => {
  it("offers the administrations (with VAT number and city) and the archive folders for each category", async () => {
    const choices = await yukiConnector.listDossierChoices(contextFor(fake, { dossierSettings: null }));
    expect(choices.administrationId).toEqual(
      FAKE_YUKI_ADMINISTRATIONS.map((administration) => ({
        value: administration.id,
        label: administration.name,
        detail: administration.city,
        vatNumber: administration.vatNumber,
      })),
    );
    const folders = FAKE_YUKI_FOLDERS.map((folder) => ({
      value: String(folder.id),
      label: folder.description,
      detail: String(folder.id),
    }));
    expect(choices.purchaseFolderId).toEqual(folders);
    expect(choices.salesFolderId).toEqual(folders);
    expect(choices.otherFolderId).toEqual(folders);
  });
});

describe("deliver", () => {
  it.each([
    ["purchase_invoice", DOSSIER_SETTINGS.purchaseFolderId],
    ["purchase_credit_note", DOSSIER_SETTINGS.purchaseFolderId],
    ["receipt", DOSSIER_SETTINGS.purchaseFolderId],
    ["sales_invoice", DOSSIER_SETTINGS.salesFolderId],
    ["sales_credit_note", DOSSIER_SETTINGS.salesFolderId],
    ["other", DOSSIER_SETTINGS.otherFolderId],
  ] as const)("uploads a %s into its mapped folder %i", async (documentType, folder) => {
    const idempotencyKey = randomUUID();
    const content = pdfBytes(3_000, folder ?? 0);
    const receipt = await yukiConnector.deliver(contextFor(fake, { idempotencyKey }), documentFor({ documentType }), {
      content,
    });
    const stored = fake.documents.find((document) => document.id === receipt.packageReference);
    expect(stored).toBeDefined();
    expect(stored?.administrationId).toBe(DOSSIER_SETTINGS.administrationId);
    expect(stored?.folder).toBe(folder);
    expect(Buffer.from(stored?.content ?? []).equals(Buffer.from(content))).toBe(true);
    expect(stored?.fileName).toBe(`Factuur-maart-2025_KP${idempotencyKey.replace(/-/g, "")}.pdf`);
    expect(receipt.target).toEqual({
      administrationId: DOSSIER_SETTINGS.administrationId,
      folder,
      fileName: stored?.fileName,
      isAlreadyThere: false,
    });
  });

  it("refuses an 'other' document when the dossier has no folder for it, without calling Yuki", async () => {
    const { otherFolderId: _, ...withoutOther } = DOSSIER_SETTINGS;
    const uploads = fake.callCount("UploadDocument");
    const error = await connectorErrorOf(
      yukiConnector.deliver(
        contextFor(fake, { dossierSettings: withoutOther }),
        documentFor({ documentType: "other" }),
        {
          content: pdfBytes(),
        },
      ),
    );
    expect([error.kind, error.code]).toEqual(["permanent", "invalid_settings"]);
    expect(fake.callCount("UploadDocument")).toBe(uploads);
  });

  it("reports an administration Yuki does not know as unknown_target", async () => {
    const error = await connectorErrorOf(
      yukiConnector.deliver(
        contextFor(fake, { dossierSettings: { ...DOSSIER_SETTINGS, administrationId: randomUUID() } }),
        documentFor(),
        { content: pdfBytes() },
      ),
    );
    expect([error.kind, error.code]).toEqual(["permanent", "unknown_target"]);
  });

  it("renews an expired session once and then uploads", async () => {
    await yukiConnector.check(contextFor(fake, { dossierSettings: null }));
    fake.expireSessions();
    const auth = fake.callCount("Authenticate");
    const uploads = fake.callCount("UploadDocument");
    const stored = fake.documents.length;
    const receipt = await yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    expect(receipt.packageReference).toBeTruthy();
    expect(fake.callCount("Authenticate")).toBe(auth + 1);
    expect(fake.callCount("UploadDocument")).toBe(uploads + 2);
    expect(fake.documents.length).toBe(stored + 1);
  });

  it("reuses the cached session for the next delivery", async () => {
    await yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    const auth = fake.callCount("Authenticate");
    await yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    expect(fake.callCount("Authenticate")).toBe(auth);
  });

  it("reports the exhausted daily quota as retryable quota_exceeded, to retry after midnight UTC", async () => {
    await yukiConnector.check(contextFor(fake, { dossierSettings: null }));
    fake.exhaustQuota();
    const error = await connectorErrorOf(
      yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect([error.kind, error.code]).toEqual(["retryable", "quota_exceeded"]);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
  });

  it("reports a 5xx answer without a fault as retryable server_error", async () => {
    fake.failNext("UploadDocument", { status: 503 });
    const stored = fake.documents.length;
    const error = await connectorErrorOf(
      yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect([error.kind, error.code]).toEqual(["retryable", "server_error"]);
    expect(fake.documents.length).toBe(stored);
  });

  it("reads the HTTP status before the body: a 503 carrying a fault that reads as a refusal is retryable, after its Retry-After", async () => {
    const fault = (text: string) =>
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>${text}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
    const refusal = fault("Server was unable to process request. ---> Administration not found.");
    fake.failNext("UploadDocument", { status: 503, body: refusal, headers: { "retry-after": "45" } });
    const error = await connectorErrorOf(
      yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect([error.kind, error.code, error.retryAfterMs]).toEqual(["retryable", "server_error", 45_000]);
    // The same fault with a 500, as SOAP sends its faults, refines the status: a refusal.
    fake.failNext("UploadDocument", { status: 500, body: refusal });
    const refined = await connectorErrorOf(
      yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() }),
    );
    expect([refined.kind, refined.code]).toEqual(["permanent", "unknown_target"]);
  });

  it("reports an unreachable server as retryable network", async () => {
    const gone = await startFakeYuki();
    await gone.close();
    const error = await connectorErrorOf(
      yukiConnector.deliver(contextFor(gone), documentFor(), { content: pdfBytes() }),
    );
    expect([error.kind, error.code]).toEqual(["retryable", "network"]);
  });

  it("does not upload twice when the answer was lost and the retry finds the stored document", async () => {
    const idempotencyKey = randomUUID();
    const document = documentFor({ documentType: "sales_invoice" });
    fake.loseNextResponse("UploadDocument");
    const lost = await connectorErrorOf(
      yukiConnector.deliver(contextFor(fake, { idempotencyKey }), document, { content: pdfBytes() }),
    );
    expect(lost.kind).toBe("retryable");
    const mine = () => fake.documents.filter((stored) => stored.fileName.includes(idempotencyKey.replace(/-/g, "")));
    expect(mine()).toHaveLength(1);

    const uploads = fake.callCount("UploadDocument");
    const receipt = await yukiConnector.deliver(contextFor(fake, { idempotencyKey, isFirstTry: false }), document, {
      content: pdfBytes(),
    });
    expect(mine()).toHaveLength(1);
    expect(receipt.packageReference).toBe(mine()[0]?.id);
    expect(receipt.target.isAlreadyThere).toBe(true);
    expect(fake.callCount("UploadDocument")).toBe(uploads);
  });

  it("uploads on a retry when the earlier try never reached Yuki", async () => {
    const idempotencyKey = randomUUID();
    const searches = fake.callCount("SearchDocuments");
    const receipt = await yukiConnector.deliver(
      contextFor(fake, { idempotencyKey, isFirstTry: false }),
      documentFor(),
      {
        content: pdfBytes(),
      },
    );
    expect(fake.callCount("SearchDocuments")).toBe(searches + 1);
    expect(receipt.target.isAlreadyThere).toBe(false);
    expect(fake.documents.filter((stored) => stored.id === receipt.packageReference)).toHaveLength(1);
  });

  it("sends a PDF with its UBL file as one document (UploadDocumentWithAttachment)", async () => {
    const idempotencyKey = randomUUID();
    const ubl = new TextEncoder().encode(
      '<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
    );
    const content = pdfBytes(5_000, 7);
    const receipt = await yukiConnector.deliver(contextFor(fake, { idempotencyKey }), documentFor(), {
      content,
      companion: { fileName: "factuur.xml", content: ubl },
    });
    const stored = fake.documents.find((document) => document.id === receipt.packageReference);
    const token = `KP${idempotencyKey.replace(/-/g, "")}`;
    expect(stored?.fileName).toBe(`Factuur-maart-2025_${token}.pdf`);
    expect(stored?.attachment?.fileName).toBe(`Factuur-maart-2025_${token}.xml`);
    expect(Buffer.from(stored?.attachment?.content ?? []).toString("utf8")).toBe(Buffer.from(ubl).toString("utf8"));
    expect(Buffer.from(stored?.content ?? []).equals(Buffer.from(content))).toBe(true);
    expect(stored?.folder).toBe(DOSSIER_SETTINGS.purchaseFolderId);
    expect(stored?.extra).toEqual({
      currency: "EUR",
      amount: "0",
      costCategory: "",
      paymentMethod: "0",
      project: "",
      remarks: "",
    });
  });

  it("escapes file names that contain XML markup", async () => {
    const receipt = await yukiConnector.deliver(
      contextFor(fake),
      documentFor({ fileName: "a<b>&\"c'.pdf", isTest: true }),
      { content: pdfBytes() },
    );
    const stored = fake.documents.find((document) => document.id === receipt.packageReference);
    expect(stored?.fileName).toMatch(/^TEST_a-b-c_KP[0-9a-f]{32}\.pdf$/);
  });
});

describe("pollStatus", () => {
  it("reports a stored document as imported and an unknown reference as pending", async () => {
    const receipt = await yukiConnector.deliver(contextFor(fake), documentFor(), { content: pdfBytes() });
    const unknown = randomUUID();
    const states = await yukiConnector.pollStatus(contextFor(fake, { dossierSettings: null }), [
      receipt.packageReference ?? "",
      unknown,
    ]);
    expect(states).toEqual([
      { packageReference: receipt.packageReference, state: "imported" },
      { packageReference: unknown, state: "pending" },
    ]);
  });

  it("asks about at most 50 references per call", async () => {
    const finds = fake.callCount("FindDocument");
    const references = Array.from({ length: 60 }, () => randomUUID());
    const states = await yukiConnector.pollStatus(contextFor(fake, { dossierSettings: null }), references);
    expect(states).toHaveLength(50);
    expect(fake.callCount("FindDocument")).toBe(finds + 50);
  });
});

describe("fake", () => {
  it("refuses an envelope whose parameters are out of WSDL order", async () => {
    const body =
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
      '<UploadDocument xmlns="http://www.theyukicompany.com/"><sessionID>x</sessionID><data>AA==</data><fileName>a.pdf</fileName>' +
      "<folder>11</folder><administrationID>y</administrationID></UploadDocument></soap:Body></soap:Envelope>";
    const response = await fetch(`${fake.url}/ws/Archive.asmx`, {
      method: "POST",
      headers: {
        "content-type": "text/xml; charset=utf-8",
        soapaction: '"http://www.theyukicompany.com/UploadDocument"',
      },
      body,
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/<faultstring>[^<]*was not expected/);
  });
});

afterEach(() => {
  allowCustomApiHosts("1");
});
