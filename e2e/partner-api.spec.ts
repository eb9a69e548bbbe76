import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { expect, saveScreenshot, signInAs, switchLanguage, test } from "./fixtures";

const KEY = /kop_[0-9A-Za-z]{43}/;
const STUDIO_LEMAIRE = "Studio Lemaire SRL";

type Received = { headers: Record<string, string>; body: string };

/** A partner's endpoint on 127.0.0.1 (the e2e server allows private hosts): keeps what it gets. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers[name] = value;
      received.push({ headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/koppel-hooks`, received, server };
}

test.describe("the partner API", () => {
  test("an admin makes a key, a script uploads and sends with it, its endpoint hears document.sent, and a revoked key is refused", async ({
    page,
    context,
    request,
  }, testInfo) => {
    test.setTimeout(180_000);
    const receiver = await startReceiver();
    try {
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await signInAs(page, "admin");
      await switchLanguage(page, "nl");
      const portalPath = new URL(page.url()).pathname.match(/^\/portals\/[0-9a-f-]{36}/)?.[0] ?? "";
      expect(portalPath).not.toBe("");

      // The admin makes a key with the scopes a partner script needs, and copies it: shown once.
      await page.goto(`${portalPath}/settings/api-keys`);
      const name = `Partnerscript ${Date.now()}`;
      await page.getByLabel("Naam").fill(name);
      await page.getByRole("radio", { name: /Beheerder/ }).check();
      for (const scope of ["documents:read", "documents:write", "dossiers:read", "dossiers:write"]) {
        await page.getByRole("checkbox", { name: new RegExp(scope) }).check();
      }
      await page.getByRole("button", { name: "Sleutel aanmaken" }).click();
      const panel = page.getByTestId("new-api-key");
      await expect(panel).toBeVisible();
      await panel.getByRole("button", { name: /Kopiëren/ }).click();
      const key = (await page.evaluate(() => navigator.clipboard.readText())).trim();
      expect(key).toMatch(KEY);
      await page.reload();
      expect(await page.content()).not.toContain(key);

      // The admin registers the partner's endpoint for document.sent and reads its signing secret.
      await page.goto(`${portalPath}/settings/webhooks`);
      await page.getByLabel("Adres (URL)").fill(receiver.url);
      await page.getByLabel("Omschrijving (niet verplicht)").fill(name);
      await page.getByRole("checkbox", { name: /Document verstuurd/ }).check();
      await page.getByRole("button", { name: "Adres toevoegen" }).click();
      // Adding opens the endpoint's own page.
      await expect(page.getByRole("status").filter({ hasText: "Het adres is toegevoegd." })).toBeVisible();
      await page.getByRole("button", { name: "Tonen" }).click();
      const secret = ((await page.locator("code", { hasText: "whsec_" }).textContent()) ?? "").trim();
      expect(secret).toMatch(/^whsec_/);
      await saveScreenshot(page, testInfo, "partner-api-endpoint-nl");

      // The script: find the dossier, switch auto-send off, upload a typed invoice and send it.
      const auth = { authorization: `Bearer ${key}` };
      const found = await request.get(`/api/v1/dossiers?search=${encodeURIComponent("Lemaire")}`, { headers: auth });
      expect(found.status()).toBe(200);
      const dossier = ((await found.json()) as { items: { id: string; name: string }[] }).items.find(
        (candidate) => candidate.name === STUDIO_LEMAIRE,
      );
      expect(dossier).toBeTruthy();
      const dossierId = dossier?.id ?? "";
      const off = await request.patch(`/api/v1/dossiers/${dossierId}`, {
        headers: auth,
        data: { isAutoSendEnabled: false },
      });
      expect(off.status()).toBe(200);

      const fileName = `partner-${Date.now()}.pdf`;
      const uploaded = await request.post(`/api/v1/dossiers/${dossierId}/documents`, {
        headers: { ...auth, "idempotency-key": `upload-${fileName}` },
        multipart: {
          file: {
            name: fileName,
            mimeType: "application/pdf",
            buffer: Buffer.from(buildSamplePdf({ title: `Factuur ${fileName}` })),
          },
          documentType: "purchase_invoice",
        },
      });
      expect(uploaded.status(), await uploaded.text()).toBe(201);
      const uploadAnswer = (await uploaded.json()) as { documents: { id: string }[] };
      const documentId = uploadAnswer.documents[0]?.id ?? "";
      expect(documentId).not.toBe("");

      const sent = await request.post(`/api/v1/documents/${documentId}/send`, { headers: auth });
      expect(sent.status(), await sent.text()).toBe(202);

      // The endpoint hears document.sent, signed per Standard Webhooks with the endpoint's secret.
      await expect
        .poll(() => receiver.received.filter((message) => message.body.includes(documentId)).length, {
          timeout: 120_000,
          intervals: [1_000],
        })
        .toBeGreaterThan(0);
      const message = receiver.received.find((candidate) => candidate.body.includes(documentId));
      const payload = new Webhook(secret).verify(message?.body ?? "", message?.headers ?? {}) as {
        type: string;
        data: { documentId: string; status: string };
      };
      expect(payload.type).toBe("document.sent");
      expect(payload.data).toMatchObject({ documentId, status: "sent" });
      const document = await request.get(`/api/v1/documents/${documentId}`, { headers: auth });
      expect(((await document.json()) as { status: string }).status).toBe("sent");

      // The endpoint's log shows the delivery.
      await page.reload();
      await expect(page.getByText("document.sent").or(page.getByText("Document verstuurd")).first()).toBeVisible();

      // Auto-send back as the demo has it, then the admin revokes the key: the next call is refused.
      await request.patch(`/api/v1/dossiers/${dossierId}`, { headers: auth, data: { isAutoSendEnabled: true } });
      await page.goto(`${portalPath}/settings/api-keys`);
      const card = page.locator("li[data-api-key-id]").filter({ hasText: name });
      await card.getByRole("button", { name: /Intrekken/ }).click();
      await card.getByRole("button", { name: "Ja, intrekken" }).click();
      await expect(card).toContainText("Ingetrokken");
      const refused = await request.get(`/api/v1/dossiers/${dossierId}`, { headers: auth });
      expect(refused.status()).toBe(401);
      expect(refused.headers()["content-type"]).toContain("application/problem+json");
      expect(((await refused.json()) as { code: string }).code).toBe("unauthenticated");
    } finally {
      receiver.server.close();
    }
  });
});
