import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDb } from "../../../helpers/db";
import { setEnvFlag } from "../../../helpers/env";
import { createWebhookWorld, type WebhookWorld } from "./setup";

// The webhooks settings pages' server actions, run for real down from the session: who is signed
// in (Auth.js's auth()) and the database handle are the only stand-ins, so the actor is built from
// the membership rows as in production.
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/jobs/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/jobs/client")>()),
  sendJobEvent: vi.fn(async () => {}),
}));

const actions = await import("@/app/(app)/portals/[portalId]/settings/webhooks/actions");

let opened: OpenedDb;
let world: WebhookWorld;
let endpointId = "";
let deliveryId = "";

beforeAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
  opened = await createTestDb();
  session.db = opened.db;
  world = await createWebhookWorld(opened.db);
});
beforeEach(async () => {
  session.userId = world.people.admin.id;
  await opened.db.delete(webhookEndpoints).where(sql`true`);
  const endpoint = await createEndpoint(opened.db, world.actors.admin, world.portal.id, {
    url: "http://127.0.0.1:9/hooks",
    eventTypes: ["document.sent"],
  });
  endpointId = endpoint.id;
  const [delivery] = await opened.db
    .insert(webhookDeliveries)
    .values({
      endpointId,
      portalId: world.portal.id,
      messageId: "msg_finished",
      eventType: "document.sent",
      payload: { type: "document.sent", timestamp: "t", data: {} },
      status: "failed",
    })
    .returning({ id: webhookDeliveries.id });
  deliveryId = delivery?.id ?? "";
});
afterAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  await opened?.close();
});

function form(values: Record<string, string | string[]>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) data.append(key, item);
  }
  return data;
}

/** Every action, called with this file's endpoint and delivery. */
const calls = {
  createEndpoint: () =>
    actions.saveWebhookEndpointAction(
      null,
      form({ portalId: world.portal.id, url: "http://127.0.0.1:9/new", eventTypes: ["document.received"] }),
    ),
  updateEndpoint: () =>
    actions.saveWebhookEndpointAction(
      null,
      form({ endpointId, url: "http://127.0.0.1:9/changed", description: "x", eventTypes: ["document.failed"] }),
    ),
  setEnabled: () => actions.setWebhookEndpointEnabledAction({ endpointId, enabled: false }),
  revealSecret: () => actions.revealWebhookSecretAction({ endpointId }),
  rotateSecret: () => actions.rotateWebhookSecretAction({ endpointId }),
  sendTest: () => actions.sendWebhookTestAction({ endpointId }),
  replay: () => actions.replayWebhookDeliveryAction({ deliveryId }),
  delete: () => actions.deleteWebhookEndpointAction({ endpointId }),
};

describe("the webhooks settings actions", () => {
  it.each(Object.entries(calls))("%s: works for the office's admin", async (_name, call) => {
    expect(await call()).toMatchObject({ ok: true });
  });

  it("creating: keeps what was typed and names the field on a refusal", async () => {
    setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "0");
    try {
      const result = await actions.saveWebhookEndpointAction(
        null,
        form({ portalId: world.portal.id, url: "http://127.0.0.1:9/new", description: "d", eventTypes: [] }),
      );
      expect(result).toMatchObject({
        ok: false,
        fieldErrors: { eventTypes: ["webhookEvents.required"] },
        values: { url: "http://127.0.0.1:9/new", description: "d", eventTypes: [] },
      });
      const refused = await actions.saveWebhookEndpointAction(
        null,
        form({ portalId: world.portal.id, url: "http://127.0.0.1:9/new", eventTypes: ["document.sent"] }),
      );
      expect(refused).toMatchObject({ ok: false, fieldErrors: { url: ["webhookUrl.notHttps"] } });
    } finally {
      setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
    }
  });

  it.each(Object.entries(calls))("%s: sends a visitor without a session to sign in", async (_name, call) => {
    session.userId = null;
    const refused = await call().then(
      () => {
        throw new Error("expected a redirect");
      },
      (error: unknown) => error as { digest?: string },
    );
    expect(String(refused.digest).split(";")[2]).toBe("/sign-in");
  });

  it.each(Object.entries(calls))("%s: forbidden to the office's accountant", async (_name, call) => {
    session.userId = world.people.accountant.id;
    expect(await call()).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });

  it.each(Object.entries(calls))(
    "%s: not found for an entrepreneur of the office's dossier and another office's admin",
    async (_name, call) => {
      for (const person of [world.people.entrepreneur, world.people.otherAdmin]) {
        session.userId = person.id;
        expect(await call()).toMatchObject({ ok: false, error: { code: "not_found", messageKey: "notFound" } });
      }
      const [row] = await opened.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
      expect(row).toMatchObject({ url: "http://127.0.0.1:9/hooks", disabledAt: null });
    },
  );
});
