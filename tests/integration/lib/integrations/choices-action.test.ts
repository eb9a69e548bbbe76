import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { OpenedDb } from "@/db";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, DossierChoices } from "@/lib/connectors/types";
import type { Channel, PackageId } from "@/lib/packages/catalog";
import { createTestDb } from "../../../helpers/db";
import { createWorld, setVatNumber, type World } from "./setup";

// The dossier tab's server action, run for real: only the session, the database handle, Next's
// cache and the registry (a stand-in Exact connector) are replaced.
const session = vi.hoisted(() => ({ actor: null as unknown, db: null as unknown }));
const listed = vi.hoisted(() => ({ next: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  const exactLike = {
    id: "action-exact",
    channel: "api",
    settingsSchema: z.object({}).passthrough(),
    secretsSchema: z.object({}).passthrough(),
    dossierSettingsSchema: z.object({ division: z.number().int() }),
    check: async () => ({ ok: true, checkedAt: new Date() }),
    deliver: async () => ({ packageReference: null, target: {} }),
    listDossierChoices: async () => {
      if (listed.next instanceof Error) throw listed.next;
      return listed.next as DossierChoices;
    },
  } as unknown as Connector;
  return {
    ...actual,
    loadConnector: async (packageId: PackageId, channel: Channel) =>
      packageId === "exact-online" && channel === "api" ? exactLike : actual.loadConnector(packageId, channel),
  };
});

const { loadDossierChoicesAction } = await import("@/app/(app)/dossiers/[dossierId]/integration/actions");

let opened: OpenedDb;
let world: World;
beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  world = await createWorld(opened.db);
  await setVatNumber(opened.db, world.dossier.id, "BE0401234567");
});
afterAll(async () => {
  await opened?.close();
});

const DIVISIONS = { division: [{ value: "101", label: "Bakkerij Peeters", vatNumber: "BE0401.234.567" }] };

describe("loadDossierChoicesAction", () => {
  it("answers an accountant with the lists and the suggestion", async () => {
    session.actor = world.actors.accountant;
    listed.next = DIVISIONS;
    expect(await loadDossierChoicesAction(world.dossier.id, world.connections.exact.id)).toEqual({
      ok: true,
      result: { ok: true, choices: DIVISIONS, suggested: { division: "101" } },
    });
  });

  it("passes the package's failure on as its message key, inside a successful answer", async () => {
    session.actor = world.actors.admin;
    listed.next = new ConnectorError("auth", "not_authorised");
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await loadDossierChoicesAction(world.dossier.id, world.connections.exact.id)).toEqual({
      ok: true,
      result: { ok: false, errorCode: "not_authorised", messageKey: "connectors.errors.not_authorised" },
    });
  });

  it("refuses the entrepreneur, and does not know another office's connection", async () => {
    session.actor = world.actors.entrepreneur;
    expect(await loadDossierChoicesAction(world.dossier.id, world.connections.exact.id)).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    session.actor = world.actors.admin;
    expect(await loadDossierChoicesAction(world.dossier.id, world.connections.otherConnection.id)).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
  });

  it("treats arguments that are not ids as input to refuse, not to crash on", async () => {
    session.actor = world.actors.admin;
    const answer = await loadDossierChoicesAction({ evil: true } as unknown as string, world.connections.exact.id);
    expect(answer).toMatchObject({ ok: false, error: { code: "validation_failed" } });
  });
});
