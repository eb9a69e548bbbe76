import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { createTestDb } from "../../../helpers/db";
import { mockedLoadConnector } from "./fake-connector";
import { createWorld, integrationRowsOf, newDossier, type World } from "./setup";

// Concurrent saves need real connections: PGlite runs one statement at a time. This file runs only
// with TEST_DATABASE_URL (vitest.config.ts includes *.pg.test.ts then).

vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/connectors/registry")>();
  return {
    ...actual,
    loadConnector: (packageId: Parameters<typeof actual.loadConnector>[0], channel: "api" | "ftp" | "email") =>
      mockedLoadConnector(actual.loadConnector, packageId, channel),
  };
});

const N = 8;

let opened: OpenedDb;
let world: World;
beforeAll(async () => {
  opened = await createTestDb();
  expect(opened.driver).not.toBe("pglite");
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

function freeMail(index: number) {
  return { kind: "free_email", addresses: { purchase: `boekhouding-${index}@example.com` } } as const;
}

describe("concurrent saves of one dossier's integration (real PostgreSQL)", () => {
  it("leaves exactly one row, holding one of the saved choices, and fails none (new dossier)", async () => {
    for (let round = 0; round < 5; round++) {
      const dossier = await newDossier(opened.db, world);
      const results = await Promise.allSettled(
        Array.from({ length: N }, (_, index) =>
          saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, freeMail(index)),
        ),
      );
      expect(results.filter((result) => result.status === "rejected")).toEqual([]);
      const rows = await integrationRowsOf(opened.db, dossier.id);
      expect(rows).toHaveLength(1);
      const saved = (rows[0]?.settings as { addresses?: { purchase?: string } } | undefined)?.addresses?.purchase;
      expect(Array.from({ length: N }, (_, index) => freeMail(index).addresses.purchase)).toContain(saved);
    }
  });

  it("keeps one consistent row when different kinds race on a dossier that has one already", async () => {
    const choices = [
      { kind: "none" },
      { kind: "connection", connectionId: world.connections.exact.id, settings: { division: "11" } },
      { kind: "email_standard", packageId: "clearfacts", inputs: { office: "devos" } },
      {
        kind: "email_individual",
        packageId: "winbooks",
        addresses: { purchase: "a@winbooks.example", sales: "v@winbooks.example" },
      },
      freeMail(99),
    ] as const;
    for (let round = 0; round < 5; round++) {
      const dossier = await newDossier(opened.db, world);
      await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, { kind: "none" });
      const results = await Promise.allSettled(
        Array.from({ length: N }, (_, index) =>
          saveDossierIntegration(opened.db, world.actors.admin, dossier.id, choices[index % choices.length]),
        ),
      );
      expect(results.filter((result) => result.status === "rejected")).toEqual([]);
      const rows = await integrationRowsOf(opened.db, dossier.id);
      expect(rows).toHaveLength(1);
      const [row] = rows;
      // Every column comes from the same save: never a connection id on an e-mail row, etc.
      expect(row?.kind === "connection").toBe(row?.connectionId === world.connections.exact.id);
      expect(row?.kind === "email").toBe(row?.packageId !== null);
    }
  });

  it("lets the last save win once the racing ones are done", async () => {
    const dossier = await newDossier(opened.db, world);
    await Promise.all(
      Array.from({ length: N }, (_, index) =>
        saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, freeMail(index)),
      ),
    );
    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, freeMail(1000));
    const rows = await integrationRowsOf(opened.db, dossier.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.settings).toMatchObject({ addresses: { purchase: "boekhouding-1000@example.com" } });
  });
});
