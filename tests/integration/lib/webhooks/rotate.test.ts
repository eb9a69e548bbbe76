import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { webhookEndpoints } from "@/db/schema";
import { buildKeyring, decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import { endpointSecretContext } from "@/lib/webhooks/endpoints";
import { rotateWebhookEndpointSecrets } from "@/lib/webhooks/rotate";
import { createTestDb } from "../../../helpers/db";
import { insertPortal } from "../../../helpers/fixtures";

const keyValue = (version: string) => `${version}:${randomBytes(32).toString("base64")}`;
const V1 = keyValue("v1");
const V2 = keyValue("v2");
const OLD_RING = buildKeyring(V1, undefined);
const NEW_RING = buildKeyring(V2, V1);

let opened: OpenedDb;

beforeAll(async () => {
  opened = await createTestDb();
});
afterAll(async () => {
  await opened?.close();
});

describe("rotateWebhookEndpointSecrets", () => {
  it("re-encrypts the current and the previous secret under the new key, once", async () => {
    const portal = await insertPortal(opened.db);
    const id = randomUUID();
    const context = endpointSecretContext(id);
    await opened.db.insert(webhookEndpoints).values({
      id,
      portalId: portal.id,
      url: "https://hooks.example/",
      eventTypes: ["document.sent"],
      secretEncrypted: encryptSecrets({ secret: "whsec_current" }, context, OLD_RING),
      previousSecretEncrypted: encryptSecrets({ secret: "whsec_previous" }, context, OLD_RING),
    });

    expect(await rotateWebhookEndpointSecrets(opened.db, NEW_RING)).toEqual({ checked: 2, rewritten: 2, failed: [] });
    const [row] = await opened.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    const onlyNew = buildKeyring(V2, undefined);
    expect(decryptSecrets(row?.secretEncrypted ?? "", context, onlyNew)).toEqual({ secret: "whsec_current" });
    expect(decryptSecrets(row?.previousSecretEncrypted ?? "", context, onlyNew)).toEqual({ secret: "whsec_previous" });

    expect(await rotateWebhookEndpointSecrets(opened.db, NEW_RING)).toEqual({ checked: 2, rewritten: 0, failed: [] });
  });
});
