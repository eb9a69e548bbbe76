import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db, OpenedDb } from "@/db";
import { webhookDeliveries, webhookEndpoints } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { sendJobEvent } from "@/lib/jobs/client";
import type { LookupAll } from "@/lib/net/host-guard";
import { listDeliveries, replayDelivery, sendTestEvent } from "@/lib/webhooks/deliveries";
import {
  createEndpoint,
  createEndpointAndRevealSecret,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  MAX_ENDPOINTS_PER_PORTAL,
  revealEndpointSecret,
  rotateAndRevealEndpointSecret,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/webhooks/endpoints";
import { createTestDb } from "../../../helpers/db";
import { setEnvFlag } from "../../../helpers/env";
import { createWebhookWorld, receiveTestDocument, type WebhookWorld } from "./setup";

/*
 * The endpoint services: what they store and refuse, and who may call them. Every service is
 * scoped to the actor's office: another office's admin or key gets "not found", an accountant or a
 * key without webhooks:manage "forbidden".
 */

vi.mock("@/lib/jobs/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/jobs/client")>()),
  sendJobEvent: vi.fn(async () => {}),
}));

let opened: OpenedDb;
let db: Db;
let world: WebhookWorld;

/** A resolver for names in tests: public addresses for *.example, private for *.internal. */
const lookup: LookupAll = async (hostname) => {
  if (hostname.endsWith(".example")) return [{ address: "93.184.216.34", family: 4 }];
  if (hostname.endsWith(".internal")) return [{ address: "10.1.2.3", family: 4 }];
  const error = new Error("not found") as NodeJS.ErrnoException;
  error.code = "ENOTFOUND";
  throw error;
};

beforeAll(async () => {
  opened = await createTestDb();
  db = opened.db;
  world = await createWebhookWorld(db);
});
afterAll(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", undefined);
  await opened?.close();
});
beforeEach(async () => {
  setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "0");
  await db.delete(webhookEndpoints).where(sql`true`);
  vi.mocked(sendJobEvent).mockClear();
});

const validInput = { url: "https://hooks.example/koppel", eventTypes: ["document.sent" as const] };

async function newEndpoint(actor: Actor = world.actors.admin) {
  return createEndpoint(db, actor, world.portal.id, validInput, { lookup });
}

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("createEndpoint", () => {
  it("stores an https endpoint with its events and an encrypted whsec_ secret, and returns no secret", async () => {
    const endpoint = await createEndpoint(
      db,
      world.actors.admin,
      world.portal.id,
      {
        url: " https://hooks.example/koppel ",
        description: "Ons script",
        eventTypes: ["document.sent", "document.failed", "document.sent"],
      },
      { lookup },
    );
    expect(endpoint).toMatchObject({
      portalId: world.portal.id,
      url: "https://hooks.example/koppel",
      description: "Ons script",
      eventTypes: ["document.sent", "document.failed"],
      status: "active",
      failingSince: null,
    });
    expect(JSON.stringify(endpoint)).not.toContain("whsec_");
    expect(Object.keys(endpoint)).not.toContain("secretEncrypted");
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(row?.secretEncrypted).not.toContain("whsec_");
    const { secret } = await revealEndpointSecret(db, world.actors.admin, endpoint.id);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
  });

  it.each([
    ["http://hooks.example/koppel", "webhookUrl.notHttps"],
    ["https://user:pass@hooks.example/koppel", "webhookUrl.credentials"],
    ["ftp://hooks.example/koppel", "webhookUrl.invalid"],
    ["not a url", "webhookUrl.invalid"],
    ["", "webhookUrl.required"],
    ["https://127.0.0.1/hooks", "webhookUrl.hostNotAllowed"],
    ["https://[::1]/hooks", "webhookUrl.hostNotAllowed"],
    ["https://10.0.0.8/hooks", "webhookUrl.hostNotAllowed"],
    ["https://169.254.169.254/latest/meta-data", "webhookUrl.hostNotAllowed"],
    ["https://hooks.internal/koppel", "webhookUrl.hostNotAllowed"],
    ["https://nowhere.invalid/koppel", "webhookUrl.hostNotFound"],
  ])("refuses %s with the private-host switch off (%s)", async (url, key) => {
    const error = await refusal(
      createEndpoint(db, world.actors.admin, world.portal.id, { ...validInput, url }, { lookup }),
    );
    expect(error.fieldErrors).toEqual({ url: [key] });
  });

  it("with the switch on takes plain http and private addresses, but never the metadata address", async () => {
    setEnvFlag("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS", "1");
    await expect(
      createEndpoint(db, world.actors.admin, world.portal.id, { ...validInput, url: "http://127.0.0.1:8080/h" }),
    ).resolves.toMatchObject({ url: "http://127.0.0.1:8080/h" });
    const error = await refusal(
      createEndpoint(db, world.actors.admin, world.portal.id, {
        ...validInput,
        url: "http://169.254.169.254/latest/meta-data",
      }),
    );
    expect(error.fieldErrors).toEqual({ url: ["webhookUrl.hostNotAllowed"] });
  });

  it("needs at least one known event", async () => {
    expect(
      (
        await refusal(
          createEndpoint(db, world.actors.admin, world.portal.id, { ...validInput, eventTypes: [] }, { lookup }),
        )
      ).fieldErrors,
    ).toEqual({
      eventTypes: ["webhookEvents.required"],
    });
    const testType = ["webhook.test"] as unknown as ["document.sent"];
    await refusal(
      createEndpoint(db, world.actors.admin, world.portal.id, { ...validInput, eventTypes: testType }, { lookup }),
    );
  });

  it(`allows ${MAX_ENDPOINTS_PER_PORTAL} endpoints per office`, async () => {
    for (let i = 0; i < MAX_ENDPOINTS_PER_PORTAL; i++) await newEndpoint();
    await expect(newEndpoint()).rejects.toMatchObject({ code: "conflict", messageKey: "webhooks.tooManyEndpoints" });
  });
});

describe("updating, rotating and deleting", () => {
  it("changes address, description and events; checks a new address again", async () => {
    const endpoint = await newEndpoint();
    const updated = await updateEndpoint(
      db,
      world.actors.admin,
      endpoint.id,
      { url: "https://other.example/in", description: "Nieuw", eventTypes: ["document.imported"] },
      { lookup },
    );
    expect(updated).toMatchObject({
      url: "https://other.example/in",
      description: "Nieuw",
      eventTypes: ["document.imported"],
    });
    const error = await refusal(
      updateEndpoint(db, world.actors.admin, endpoint.id, { url: "https://10.0.0.1/" }, { lookup }),
    );
    expect(error.fieldErrors).toEqual({ url: ["webhookUrl.hostNotAllowed"] });
  });

  it("switches off by hand and on again", async () => {
    const endpoint = await newEndpoint();
    expect(await updateEndpoint(db, world.actors.admin, endpoint.id, { enabled: false })).toMatchObject({
      status: "disabled_manual",
      disabledAt: expect.any(Date),
    });
    await db
      .update(webhookEndpoints)
      .set({ disabledReason: "failing", failingSince: new Date(Date.now() - 6 * 86_400_000) })
      .where(eq(webhookEndpoints.id, endpoint.id));
    expect((await getEndpoint(db, world.actors.admin, endpoint.id)).status).toBe("disabled_failing");
    expect(await updateEndpoint(db, world.actors.admin, endpoint.id, { enabled: true })).toMatchObject({
      status: "active",
      disabledAt: null,
      failingSince: null,
    });
  });

  it("rotates the secret", async () => {
    const endpoint = await newEndpoint();
    const before = await revealEndpointSecret(db, world.actors.admin, endpoint.id);
    await rotateEndpointSecret(db, world.actors.admin, endpoint.id);
    expect((await revealEndpointSecret(db, world.actors.admin, endpoint.id)).secret).not.toBe(before.secret);
  });

  it("answers the secret it makes to whoever asks for it with the endpoint (the API), and it is the one stored", async () => {
    const created = await createEndpointAndRevealSecret(db, world.actors.keyWithScope, world.portal.id, validInput, {
      lookup,
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.endpoint).toMatchObject({ url: validInput.url, status: "active" });
    expect(await revealEndpointSecret(db, world.actors.admin, created.endpoint.id)).toEqual({ secret: created.secret });
    const rotated = await rotateAndRevealEndpointSecret(db, world.actors.keyWithScope, created.endpoint.id);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.endpoint.previousSecretExpiresAt).not.toBeNull();
    expect(await revealEndpointSecret(db, world.actors.admin, created.endpoint.id)).toEqual({ secret: rotated.secret });
  });

  it("deletes the endpoint with its deliveries", async () => {
    const endpoint = await createEndpoint(
      db,
      world.actors.admin,
      world.portal.id,
      {
        url: "https://hooks.example/x",
        eventTypes: ["document.received"],
      },
      { lookup },
    );
    await receiveTestDocument(db, world.dossier);
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id))).toHaveLength(
      1,
    );
    await deleteEndpoint(db, world.actors.admin, endpoint.id);
    expect(await listEndpoints(db, world.actors.admin, world.portal.id)).toEqual([]);
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id))).toEqual([]);
  });
});

describe("the delivery log, replay and test message", () => {
  it("lists deliveries newest first with their attempts, a page at a time", async () => {
    const endpoint = await createEndpoint(
      db,
      world.actors.admin,
      world.portal.id,
      {
        url: "https://hooks.example/log",
        eventTypes: ["document.received"],
      },
      { lookup },
    );
    for (let i = 0; i < 3; i++) await receiveTestDocument(db, world.dossier);
    const first = await listDeliveries(db, world.actors.admin, endpoint.id, { limit: 2 });
    expect(first.deliveries).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listDeliveries(db, world.actors.admin, endpoint.id, {
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    expect(second.deliveries).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.deliveries, ...second.deliveries].map((delivery) => delivery.id);
    expect(new Set(ids).size).toBe(3);
    expect(first.deliveries[0]).toMatchObject({ eventType: "document.received", status: "pending", attempts: [] });
    expect((await listDeliveries(db, world.actors.admin, endpoint.id, { cursor: "garbage" })).deliveries).toEqual([]);
  });

  it("replays a finished delivery with the same message id, and refuses one still pending", async () => {
    const endpoint = await createEndpoint(
      db,
      world.actors.admin,
      world.portal.id,
      {
        url: "https://hooks.example/replay",
        eventTypes: ["document.received"],
      },
      { lookup },
    );
    await receiveTestDocument(db, world.dossier);
    const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
    if (!delivery) throw new Error("no delivery");
    await expect(replayDelivery(db, world.actors.admin, delivery.id)).rejects.toMatchObject({
      messageKey: "webhooks.replay.pending",
    });
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", attemptCount: 9, giveUpAt: new Date(Date.now() - 1000) })
      .where(eq(webhookDeliveries.id, delivery.id));
    const replayed = await replayDelivery(db, world.actors.admin, delivery.id);
    expect(replayed).toEqual({
      id: delivery.id,
      messageId: delivery.messageId,
      endpointId: endpoint.id,
      portalId: world.portal.id,
    });
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery.id));
    expect(row).toMatchObject({ status: "pending", attemptCount: 9 });
    expect((row?.giveUpAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(sendJobEvent).toHaveBeenCalledWith("webhooks/delivery.requested", { deliveryId: delivery.id });
  });

  it("replays a delivery only under its own endpoint when the caller names one", async () => {
    const owner = await newEndpoint();
    const other = await newEndpoint();
    const test = await sendTestEvent(db, world.actors.admin, owner.id);
    await db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, test.id));
    for (const endpointId of [other.id, "not-a-uuid"]) {
      await expect(replayDelivery(db, world.actors.admin, test.id, { endpointId })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, test.id));
    expect(row?.status).toBe("failed");
    await expect(replayDelivery(db, world.actors.admin, test.id, { endpointId: owner.id })).resolves.toMatchObject({
      id: test.id,
      endpointId: owner.id,
    });
  });

  it("makes a webhook.test delivery and asks for it at once", async () => {
    const endpoint = await newEndpoint();
    const test = await sendTestEvent(db, world.actors.admin, endpoint.id);
    expect(test.messageId).toMatch(/^msg_[0-9a-f]{32}$/);
    const { deliveries } = await listDeliveries(db, world.actors.admin, endpoint.id);
    expect(deliveries).toEqual([expect.objectContaining({ id: test.id, eventType: "webhook.test", documentId: null })]);
    expect(sendJobEvent).toHaveBeenCalledWith("webhooks/delivery.requested", { deliveryId: test.id });
  });
});

describe("who may", () => {
  type Call = (actor: Actor, ids: { endpointId: string; deliveryId: string }) => Promise<unknown>;
  const calls: Record<string, Call> = {
    listEndpoints: (actor) => listEndpoints(db, actor, world.portal.id),
    createEndpoint: (actor) => createEndpoint(db, actor, world.portal.id, validInput, { lookup }),
    createEndpointAndRevealSecret: (actor) =>
      createEndpointAndRevealSecret(db, actor, world.portal.id, validInput, { lookup }),
    getEndpoint: (actor, { endpointId }) => getEndpoint(db, actor, endpointId),
    updateEndpoint: (actor, { endpointId }) => updateEndpoint(db, actor, endpointId, { description: "x" }),
    rotateEndpointSecret: (actor, { endpointId }) => rotateEndpointSecret(db, actor, endpointId),
    rotateAndRevealEndpointSecret: (actor, { endpointId }) => rotateAndRevealEndpointSecret(db, actor, endpointId),
    revealEndpointSecret: (actor, { endpointId }) => revealEndpointSecret(db, actor, endpointId),
    deleteEndpoint: (actor, { endpointId }) => deleteEndpoint(db, actor, endpointId),
    listDeliveries: (actor, { endpointId }) => listDeliveries(db, actor, endpointId),
    replayDelivery: (actor, { deliveryId }) => replayDelivery(db, actor, deliveryId),
    "replayDelivery (with its endpoint)": (actor, { endpointId, deliveryId }) =>
      replayDelivery(db, actor, deliveryId, { endpointId }),
    sendTestEvent: (actor, { endpointId }) => sendTestEvent(db, actor, endpointId),
  };

  async function fixture() {
    const endpoint = await newEndpoint();
    const test = await sendTestEvent(db, world.actors.admin, endpoint.id);
    await db.update(webhookDeliveries).set({ status: "failed" }).where(eq(webhookDeliveries.id, test.id));
    return { endpointId: endpoint.id, deliveryId: test.id };
  }

  const cases: [string, keyof WebhookWorld["actors"], "allow" | typeof ForbiddenError | typeof NotFoundError][] = [
    ["the office's admin", "admin", "allow"],
    ["a key of the office with webhooks:manage", "keyWithScope", "allow"],
    ["the office's accountant", "accountant", ForbiddenError],
    ["a key of the office without webhooks:manage", "keyWithoutScope", ForbiddenError],
    ["an accountant's key with every scope", "accountantKey", ForbiddenError],
    ["an entrepreneur of the office's dossier", "entrepreneur", NotFoundError],
    ["another office's admin", "otherAdmin", NotFoundError],
    ["another office's key with every scope", "otherOfficeKey", NotFoundError],
  ];

  for (const [service, call] of Object.entries(calls)) {
    it.each(cases)(`${service}: %s`, async (_who, actorName, expected) => {
      const ids = await fixture();
      const outcome = call(world.actors[actorName], ids);
      if (expected === "allow") await expect(outcome).resolves.toBeDefined();
      else await expect(outcome).rejects.toBeInstanceOf(expected);
    });
  }

  it("answers not found for unknown and malformed ids", async () => {
    for (const id of [randomUUID(), "not-a-uuid"]) {
      await expect(getEndpoint(db, world.actors.admin, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(replayDelivery(db, world.actors.admin, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(listEndpoints(db, world.actors.admin, id)).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
