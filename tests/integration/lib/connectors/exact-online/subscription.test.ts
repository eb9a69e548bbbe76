import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { managedFieldNamesOf, secretFieldNamesOf } from "@/lib/connections/form";
import { packageWebhookUrl, runAfterConnectionSaved, runAfterDossierMapped } from "@/lib/connections/hooks";
import { webhookSecretFor } from "@/lib/connections/oauth-app";
import { updateConnection } from "@/lib/connections/service";
import { resetExactRateLimits } from "@/lib/connectors/api/exact-online";
import { exactSecretsSchema } from "@/lib/connectors/api/exact-online/config";
import { exactWebhookHashCode } from "@/lib/connectors/api/exact-online/webhook";
import type { ConnectionHookOutcome } from "@/lib/connectors/types";
import { connectionSecretsContext, decryptSecrets, encryptSecrets } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { findWebhookReceiver, processPackageWebhook } from "@/lib/read-back/webhook";
import { type FakeExactOnline, startFakeExactOnline } from "../../../../fakes/exact-online";
import { createTestDb } from "../../../../helpers/db";
import { insertDossier } from "../../../../helpers/fixtures";
import { useTestEncryptionKey } from "../../connections/helpers";
import { createWorld, type World } from "../../integrations/setup";
import { allowCustomApiHosts, grantedSecrets } from "./helpers";

// Saving a dossier's Exact division subscribes it to Document changes at Exact (the connector's
// afterDossierMapped and afterConnectionSaved hooks, run by lib/connections/hooks.ts), only when
// Koppel is on https and a webhook secret is there to check the notifications; once per division
// and callback; a failure at Exact never stops the save.

const DIVISION = 100001;
const OWN_WEBHOOK_SECRET = "own-app-center-webhook-secret-01";
const DEPLOYMENT_WEBHOOK_SECRET = "deployment-webhook-secret-0123456";
const PUBLIC_URL = "https://koppel.example";
const ENV_KEYS = ["AUTH_URL", "EXACT_ONLINE_WEBHOOK_SECRET", "EXACT_ONLINE_CLIENT_ID", "EXACT_ONLINE_CLIENT_SECRET"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let opened: OpenedDb;
let world: World;
let fake: FakeExactOnline;

/** A notification as the route hands it over: the raw body and the query's connection id. */
async function notify(connectionId: string, rawBody: string) {
  const receiver = await findWebhookReceiver("exact-online");
  if (!receiver) throw new Error("the Exact Online connector takes no webhook");
  return processPackageWebhook(opened.db, { receiver, connectionId, rawBody });
}

/** What a hook did, in a word: the action when done, else the outcome. */
const actionOf = (outcome: ConnectionHookOutcome) => (outcome.outcome === "done" ? outcome.action : outcome.outcome);

function setEnv(values: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

/** An authorised Exact connection against the fake: on the office's own app, or the deployment's. */
async function insertExactConnection(options: { app: "own" | "deployment"; webhookSecret?: string }) {
  const id = randomUUID();
  const own = options.app === "own";
  await opened.db.insert(connections).values({
    id,
    portalId: world.portal.id,
    packageId: "exact-online",
    channel: "api",
    label: `Exact ${id.slice(0, 8)}`,
    settings: own ? { baseUrl: fake.url, clientId: fake.clientId } : { baseUrl: fake.url },
    secretsEncrypted: encryptSecrets(
      {
        ...(own ? { clientSecret: fake.clientSecret } : {}),
        ...grantedSecrets(fake),
        ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}),
      },
      connectionSecretsContext(id),
    ),
    status: "connected",
  });
  return id;
}

function subscriptionsTo(connectionId: string) {
  return fake.subscriptions().filter((subscription) => subscription.CallbackURL.includes(connectionId));
}

beforeAll(async () => {
  allowCustomApiHosts("1");
  useTestEncryptionKey();
  opened = await createTestDb();
  world = await createWorld(opened.db);
  fake = await startFakeExactOnline();
});

afterAll(async () => {
  await fake?.close();
  await opened?.close();
  setEnv(savedEnv);
  allowCustomApiHosts(undefined);
});

beforeEach(() => {
  resetExactRateLimits();
  setEnv({
    AUTH_URL: PUBLIC_URL,
    EXACT_ONLINE_WEBHOOK_SECRET: undefined,
    EXACT_ONLINE_CLIENT_ID: fake.clientId,
    EXACT_ONLINE_CLIENT_SECRET: fake.clientSecret,
  });
});

afterEach(() => vi.restoreAllMocks());

describe("the webhook secret of a connection's app", () => {
  it("is typed on the connection form as a write-only secret, not filled in by the OAuth platform", () => {
    expect(secretFieldNamesOf(exactSecretsSchema)).toContain("webhookSecret");
    expect(managedFieldNamesOf(exactSecretsSchema)).not.toContain("webhookSecret");
  });

  it("is the one typed on a connection with its own app, else the deployment's, never mixed", () => {
    setEnv({ EXACT_ONLINE_WEBHOOK_SECRET: DEPLOYMENT_WEBHOOK_SECRET });
    const own = { clientId: "office-app" };
    expect(webhookSecretFor("exact-online", own, { clientSecret: "s", webhookSecret: OWN_WEBHOOK_SECRET })).toBe(
      OWN_WEBHOOK_SECRET,
    );
    // Its own app without a webhook secret: the deployment's secret belongs to another app.
    expect(webhookSecretFor("exact-online", own, { clientSecret: "s" })).toBeNull();
    expect(webhookSecretFor("exact-online", {}, {})).toBe(DEPLOYMENT_WEBHOOK_SECRET);
    // A webhook secret typed on a connection that uses the deployment's app is not its app's.
    expect(webhookSecretFor("exact-online", {}, { webhookSecret: OWN_WEBHOOK_SECRET })).toBe(DEPLOYMENT_WEBHOOK_SECRET);
    expect(webhookSecretFor("yuki", {}, {})).toBeNull();
  });
});

describe("an admin types the webhook secret on an authorised connection", () => {
  it("keeps the grant, shows it as set but never its value, and notifications signed with it are taken", async () => {
    const connectionId = await insertExactConnection({ app: "own" });
    const [before] = await opened.db.select().from(connections).where(eq(connections.id, connectionId));
    const grantBefore = decryptSecrets(before?.secretsEncrypted ?? "", connectionSecretsContext(connectionId)) as {
      refreshToken?: string;
    };
    const notification = JSON.stringify({
      Content: { Topic: "Documents", Division: DIVISION, Key: randomUUID() },
      HashCode: "0".repeat(64),
    });
    // No secret yet: the webhook does not know the connection.
    expect(await notify(connectionId, notification)).toEqual({ status: 404 });

    const view = await updateConnection(opened.db, world.actors.admin, world.portal.id, connectionId, {
      secrets: { webhookSecret: OWN_WEBHOOK_SECRET },
    });
    expect(view.secretsSet.webhookSecret).toBe(true);
    expect(view.oauth?.isAuthorised).toBe(true);
    expect(JSON.stringify(view)).not.toContain(OWN_WEBHOOK_SECRET);
    const [after] = await opened.db.select().from(connections).where(eq(connections.id, connectionId));
    const stored = decryptSecrets(after?.secretsEncrypted ?? "", connectionSecretsContext(connectionId)) as {
      refreshToken?: string;
      webhookSecret?: string;
    };
    expect(stored.refreshToken).toBe(grantBefore.refreshToken);
    expect(stored.webhookSecret).toBe(OWN_WEBHOOK_SECRET);
    // Now a forged signature is refused as forged, and a signed one is taken.
    expect(await notify(connectionId, notification)).toEqual({ status: 401 });
    const content = JSON.stringify({ Topic: "Documents", Division: DIVISION, Key: randomUUID() });
    const signed = `{"Content":${content},"HashCode":"${exactWebhookHashCode(content, OWN_WEBHOOK_SECRET)}"}`;
    expect(await notify(connectionId, signed)).toMatchObject({ status: 200 });
  });
});

describe("saving a dossier's Exact division", () => {
  it("subscribes the division's Documents to the connection's callback, once however often it is saved", async () => {
    const connectionId = await insertExactConnection({ app: "own", webhookSecret: OWN_WEBHOOK_SECRET });
    const dossier = await insertDossier(opened.db, world.portal.id);
    const choice = { kind: "connection", connectionId, settings: { division: String(DIVISION) } };

    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, choice);
    const [subscription] = subscriptionsTo(connectionId);
    expect(subscriptionsTo(connectionId)).toHaveLength(1);
    expect(subscription).toMatchObject({
      Division: DIVISION,
      Topic: "Documents",
      CallbackURL: `${PUBLIC_URL}/api/webhooks/exact-online?connection=${connectionId}`,
    });

    // Saved again, and a second dossier on the same division: Exact already has it.
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, choice);
    const second = await insertDossier(opened.db, world.portal.id);
    const outcome = await runAfterDossierMapped(opened.db, {
      portalId: world.portal.id,
      connectionId,
      dossierSettings: { division: DIVISION },
    });
    expect(outcome).toEqual({ outcome: "done", action: "already_subscribed", reference: subscription?.ID });
    await saveDossierIntegration(opened.db, world.actors.admin, second.id, choice);
    expect(subscriptionsTo(connectionId)).toHaveLength(1);
  });

  it("uses the deployment's webhook secret for a connection on the deployment's app", async () => {
    const connectionId = await insertExactConnection({ app: "deployment" });
    const input = { portalId: world.portal.id, connectionId, dossierSettings: { division: DIVISION } };
    expect(await runAfterDossierMapped(opened.db, input)).toEqual({
      outcome: "skipped",
      reason: "no_webhook_secret",
    });
    setEnv({ EXACT_ONLINE_WEBHOOK_SECRET: DEPLOYMENT_WEBHOOK_SECRET });
    expect(await runAfterDossierMapped(opened.db, input)).toMatchObject({ outcome: "done", action: "subscribed" });
    expect(subscriptionsTo(connectionId)).toHaveLength(1);
  });

  it("does nothing without an https address, a webhook secret or a division, or for another office's connection", async () => {
    const withSecret = await insertExactConnection({ app: "own", webhookSecret: OWN_WEBHOOK_SECRET });
    const withoutSecret = await insertExactConnection({ app: "own" });
    const division = { division: DIVISION };
    const subscribe = (connectionId: string, dossierSettings: unknown, portalId = world.portal.id) =>
      runAfterDossierMapped(opened.db, { portalId, connectionId, dossierSettings });

    setEnv({ AUTH_URL: "http://localhost:3000" });
    expect(await subscribe(withSecret, division)).toEqual({ outcome: "skipped", reason: "not_https" });
    setEnv({ AUTH_URL: undefined });
    expect(await subscribe(withSecret, division)).toEqual({ outcome: "skipped", reason: "not_https" });
    setEnv({ AUTH_URL: PUBLIC_URL });
    expect(await subscribe(withoutSecret, division)).toEqual({ outcome: "skipped", reason: "no_webhook_secret" });
    // No division: the settings do not parse with the connector's schema, so the hook is not run.
    expect(await subscribe(withSecret, {})).toEqual({ outcome: "skipped", reason: "invalid_dossier_settings" });
    expect(await subscribe(withSecret, division, world.otherPortal.id)).toEqual({
      outcome: "skipped",
      reason: "not_found",
    });
    // Yuki's connector has no afterDossierMapped.
    expect(await subscribe(world.connections.yuki.id, division)).toEqual({ outcome: "skipped", reason: "no_hook" });
    expect(subscriptionsTo(withSecret)).toHaveLength(0);
    expect(subscriptionsTo(withoutSecret)).toHaveLength(0);
  });

  it("a refusal at Exact is logged and the dossier is saved all the same", async () => {
    const connectionId = await insertExactConnection({ app: "own", webhookSecret: OWN_WEBHOOK_SECRET });
    const dossier = await insertDossier(opened.db, world.portal.id);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    fake.failNext(1, {
      status: 403,
      message: "Forbidden: webhooks are not enabled for this app",
      endpoint: "webhooks/WebhookSubscriptions",
    });

    const saved = await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId,
      settings: { division: String(DIVISION) },
    });
    expect(saved.optionKey).toContain(connectionId);
    expect(subscriptionsTo(connectionId)).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining("afterDossierMapped failed"),
      expect.objectContaining({ connectionId, packageId: "exact-online", errorCode: expect.any(String) }),
    );
    // Not a word of a secret or a token in the log.
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).not.toContain(OWN_WEBHOOK_SECRET);
    expect(logged).not.toContain("at_");
  });

  it("builds the callback on the public address", () => {
    expect(packageWebhookUrl("https://koppel.example/", "exact-online", "abc")).toBe(
      "https://koppel.example/api/webhooks/exact-online?connection=abc",
    );
  });
});

describe("dossiers mapped before the connection could be subscribed", () => {
  it("are subscribed once the admin types the webhook secret: each division once, and a second run changes nothing", async () => {
    const connectionId = await insertExactConnection({ app: "own" });
    const choices = [100001, 100001, 100002].map((division) => ({
      kind: "connection",
      connectionId,
      settings: { division: String(division) },
    }));
    for (const choice of choices) {
      const dossier = await insertDossier(opened.db, world.portal.id);
      await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, choice);
    }
    // Saved without a webhook secret: nothing could be subscribed.
    expect(subscriptionsTo(connectionId)).toHaveLength(0);
    const target = { portalId: world.portal.id, connectionId };
    expect(await runAfterConnectionSaved(opened.db, target)).toEqual([
      { outcome: "skipped", reason: "no_webhook_secret" },
    ]);

    await updateConnection(opened.db, world.actors.admin, world.portal.id, connectionId, {
      secrets: { webhookSecret: OWN_WEBHOOK_SECRET },
    });
    const outcomes = await runAfterConnectionSaved(opened.db, target);
    expect(outcomes.map(actionOf)).toEqual(["subscribed", "subscribed"]);
    expect(
      subscriptionsTo(connectionId)
        .map((subscription) => subscription.Division)
        .sort(),
    ).toEqual([100001, 100002]);

    const again = await runAfterConnectionSaved(opened.db, target);
    expect(again.map(actionOf)).toEqual(["already_subscribed", "already_subscribed"]);
    expect(subscriptionsTo(connectionId)).toHaveLength(2);
  });

  it("stops at once without an https address, and never touches another office's connection", async () => {
    const connectionId = await insertExactConnection({ app: "own", webhookSecret: OWN_WEBHOOK_SECRET });
    const dossier = await insertDossier(opened.db, world.portal.id);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId,
      settings: { division: String(DIVISION) },
    });
    const subscribed = subscriptionsTo(connectionId).length;
    setEnv({ AUTH_URL: "http://localhost:3000" });
    const publicUrl = "http://localhost:3000";
    expect(
      await runAfterConnectionSaved(opened.db, { portalId: world.portal.id, connectionId }, { publicUrl }),
    ).toEqual([{ outcome: "skipped", reason: "not_https" }]);
    expect(await runAfterConnectionSaved(opened.db, { portalId: randomUUID(), connectionId })).toEqual([]);
    expect(subscriptionsTo(connectionId)).toHaveLength(subscribed);
  });
});
