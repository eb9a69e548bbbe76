import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { NotFoundError } from "@/lib/errors";
import { listIntegrationOptions } from "@/lib/integrations/options";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { emailPackages } from "@/lib/packages/catalog";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { mockedLoadConnector } from "./fake-connector";
import { createWorld, insertConnectionOf, newDossier, type World } from "./setup";

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: (packageId: Parameters<typeof actual.loadConnector>[0], channel: "api" | "ftp" | "email") =>
      mockedLoadConnector(actual.loadConnector, packageId, channel),
  };
});

let opened: OpenedDb;
let world: World;
beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

const MAIL_PACKAGE_IDS = emailPackages().map((entry) => entry.id);

describe("listIntegrationOptions: the five markings", () => {
  it("offers green exactly the portal's API/FTP connections that are not disabled", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const green = options.filter((option) => option.marking === "green");
    expect(green.map((option) => option.kind === "connection" && option.connectionId).sort()).toEqual(
      [world.connections.exact.id, world.connections.yuki.id].sort(),
    );
  });

  it("never offers a disabled connection", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.admin, world.dossier.id);
    const ids = options.flatMap((option) => (option.kind === "connection" ? [option.connectionId] : []));
    expect(ids).not.toContain(world.connections.disabled.id);
  });

  it("never offers another portal's connections, to either office", async () => {
    const ours = await listIntegrationOptions(opened.db, world.actors.admin, world.dossier.id);
    const theirs = await listIntegrationOptions(opened.db, world.actors.otherAdmin, world.otherDossier.id);
    const idsOf = (result: typeof ours) =>
      result.options.flatMap((option) => (option.kind === "connection" ? [option.connectionId] : []));
    expect(idsOf(ours)).not.toContain(world.connections.otherConnection.id);
    expect(idsOf(theirs)).toEqual([world.connections.otherConnection.id]);
  });

  it("shows no green option in a portal without connections", async () => {
    const portal = await insertPortal(opened.db);
    const dossier = await insertDossier(opened.db, portal.id);
    const { options } = await listIntegrationOptions(opened.db, { kind: "system", reason: "test" }, dossier.id);
    expect(options.filter((option) => option.marking === "green")).toEqual([]);
  });

  it("offers every mail package once as yellow (standard) and once as orange (individual)", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const yellow = options.filter((option) => option.marking === "yellow");
    const orange = options.filter((option) => option.marking === "orange");
    const packageIds = (list: typeof options) => list.map((option) => ("packageId" in option ? option.packageId : ""));
    expect(packageIds(yellow)).toEqual(MAIL_PACKAGE_IDS);
    expect(packageIds(orange)).toEqual(MAIL_PACKAGE_IDS);
    expect(yellow.every((option) => option.kind === "email_standard")).toBe(true);
    expect(orange.every((option) => option.kind === "email_individual")).toBe(true);
  });

  it("offers blue free mail and red 'no integration needed' once each, always", async () => {
    for (const [actor, dossierId] of [
      [world.actors.accountant, world.dossier.id],
      [world.actors.otherAdmin, world.otherDossier.id],
    ] as const) {
      const { options } = await listIntegrationOptions(opened.db, actor, dossierId);
      expect(options.filter((option) => option.marking === "blue").map((option) => option.kind)).toEqual([
        "free_email",
      ]);
      expect(options.filter((option) => option.marking === "red").map((option) => option.kind)).toEqual(["none"]);
    }
  });

  it("lists a package with an API connection and mail twice, as Yuki: green and yellow/orange", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const yuki = options.filter((option) => "packageId" in option && option.packageId === "yuki");
    expect(yuki.map((option) => option.marking)).toEqual(["green", "yellow", "orange"]);
  });

  it("orders the groups green, yellow, orange, blue, red", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const markings = options.map((option) => option.marking).filter((m, i, all) => all.indexOf(m) === i);
    expect(markings).toEqual(["green", "yellow", "orange", "blue", "red"]);
  });

  it("gives a green option its connector's dossier fields, and marks one without connector unavailable", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const exact = options.find((option) => option.kind === "connection" && option.packageId === "exact-online");
    const yuki = options.find((option) => option.kind === "connection" && option.packageId === "yuki");
    expect(exact).toMatchObject({
      isAvailable: true,
      fields: [{ name: "division", type: "integer", isRequired: true }],
    });
    expect(yuki).toMatchObject({ isAvailable: false, fields: [], connectionStatus: "needs_reauth" });
  });

  it("says for 'ask' packages that the standard option asks for the addresses, and which categories", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    const exactMail = options.find((option) => option.kind === "email_standard" && option.packageId === "exact-online");
    expect(exactMail).toMatchObject({
      rule: { kind: "ask" },
      acceptedCategories: ["purchase", "sales"],
      preview: null,
    });
  });

  it("marks the stored option current and fills its form, with the computed standard addresses", async () => {
    const dossier = await newDossier(opened.db, world);
    const none = await listIntegrationOptions(opened.db, world.actors.accountant, dossier.id);
    expect(none.currentKey).toBeNull();
    expect(none.options.filter((option) => option.isCurrent)).toEqual([]);

    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "email_standard",
      packageId: "clearfacts",
      inputs: { office: "devos" },
    });
    const { options, currentKey } = await listIntegrationOptions(opened.db, world.actors.accountant, dossier.id);
    expect(currentKey).toBe("email_standard:clearfacts");
    const current = options.filter((option) => option.isCurrent);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      key: "email_standard:clearfacts",
      values: { inputs: { office: "devos" } },
      preview: {
        purchase: `aankoop${dossier.companyNumber}@devos.clearfacts.be`,
        sales: `verkoop${dossier.companyNumber}@devos.clearfacts.be`,
        other: `divers${dossier.companyNumber}@devos.clearfacts.be`,
      },
    });
  });

  it("marks a stored connection current", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: "123456" },
    });
    const { options } = await listIntegrationOptions(opened.db, world.actors.accountant, dossier.id);
    expect(options.filter((option) => option.isCurrent).map((option) => option.key)).toEqual([
      `connection:${world.connections.exact.id}`,
    ]);
    expect(options.find((option) => option.isCurrent)?.values?.settings).toEqual({ division: "123456" });
  });

  it("lets the entrepreneur see the options of her own dossier", async () => {
    const { options } = await listIntegrationOptions(opened.db, world.actors.entrepreneur, world.dossier.id);
    expect(options.length).toBeGreaterThan(0);
  });

  it("answers not found for another portal's dossier, an unknown id and a malformed id", async () => {
    for (const id of [world.otherDossier.id, "7c1d5f0e-2b7a-4a57-9d0e-000000000000", "not-a-uuid"]) {
      await expect(listIntegrationOptions(opened.db, world.actors.admin, id)).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it("offers a newly added connection, and drops it once disabled", async () => {
    const added = await insertConnectionOf(opened.db, world.portal.id, { packageId: "sage-bob", channel: "ftp" });
    const before = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    expect(before.options.some((option) => option.key === `connection:${added.id}`)).toBe(true);
    await opened.db.update(connections).set({ status: "disabled" }).where(eq(connections.id, added.id));
    const after = await listIntegrationOptions(opened.db, world.actors.accountant, world.dossier.id);
    expect(after.options.some((option) => option.key === `connection:${added.id}`)).toBe(false);
  });
});

describe("getDossierIntegration: the tab's current integration", () => {
  it("shows what is chosen with its resolved addresses and verdict; only the office may configure", async () => {
    const { getDossierIntegration } = await import("@/lib/integrations/get");
    const dossier = await newDossier(opened.db, world);
    const empty = await getDossierIntegration(opened.db, world.actors.accountant, dossier.id);
    expect(empty).toMatchObject({ current: null, evaluation: { state: "not_configured" }, canConfigure: true });

    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "email_standard",
      packageId: "yuki",
      inputs: { mailbox: "bakkerij" },
    });
    const view = await getDossierIntegration(opened.db, world.actors.admin, dossier.id);
    expect(view).toMatchObject({
      current: {
        kind: "email",
        marking: "yellow",
        packageName: "Yuki",
        addresses: { purchase: "bakkerij@yukiworks.be", sales: null, other: null },
        acceptedCategories: ["purchase"],
      },
      evaluation: { state: "ok", problems: [] },
      canConfigure: true,
    });
    expect(view.updatedAt).toBeInstanceOf(Date);

    const seenByEntrepreneur = await getDossierIntegration(opened.db, world.actors.entrepreneur, world.dossier.id);
    expect(seenByEntrepreneur.canConfigure).toBe(false);
    await expect(getDossierIntegration(opened.db, world.actors.otherAdmin, dossier.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("flags a connection whose connector is not built yet, and one that needs re-authorisation", async () => {
    const { getDossierIntegration } = await import("@/lib/integrations/get");
    const { dossierIntegrations } = await import("@/db/schema");
    const dossier = await newDossier(opened.db, world);
    await opened.db.insert(dossierIntegrations).values({
      portalId: world.portal.id,
      dossierId: dossier.id,
      kind: "connection",
      connectionId: world.connections.yuki.id,
      settings: { administrationId: "abc" },
    });
    const view = await getDossierIntegration(opened.db, world.actors.accountant, dossier.id);
    expect(view.current).toMatchObject({
      kind: "connection",
      connectionStatus: "needs_reauth",
      settings: { administrationId: "abc" },
    });
    expect(view.evaluation.problems.map((problem) => problem.code)).toEqual([
      "connection_needs_reauth",
      "connector_unavailable",
    ]);
  });
});
