import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { createTestDb } from "../../../helpers/db";
import { mockedLoadConnector } from "./fake-connector";
import { createWorld, integrationRowsOf, newDossier, type World } from "./setup";

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

const WINBOOKS_INDIVIDUAL = {
  kind: "email_individual",
  packageId: "winbooks",
  addresses: { purchase: "aankoop@winbooks.example", sales: "verkoop@winbooks.example", other: "" },
} as const;

/** Runs a save that must be refused and returns the error. */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the save to be refused");
}

async function fieldErrorsOf(promise: Promise<unknown>) {
  const error = await refusal(promise);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).fieldErrors;
}

describe("saveDossierIntegration: who may", () => {
  it("lets an admin save", async () => {
    const dossier = await newDossier(opened.db, world);
    const saved = await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, WINBOOKS_INDIVIDUAL);
    expect(saved).toMatchObject({ optionKey: "email_individual:winbooks", evaluation: { state: "ok", problems: [] } });
    expect(await integrationRowsOf(opened.db, dossier.id)).toMatchObject([
      {
        portalId: world.portal.id,
        kind: "email",
        packageId: "winbooks",
        connectionId: null,
        settings: {
          addressMode: "individual",
          inputs: {},
          addresses: { purchase: "aankoop@winbooks.example", sales: "verkoop@winbooks.example", other: null },
        },
      },
    ]);
  });

  it("lets an accountant save", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, { kind: "none" });
    expect(await integrationRowsOf(opened.db, dossier.id)).toMatchObject([{ kind: "none", settings: {} }]);
  });

  it("refuses the entrepreneur of the dossier with ForbiddenError and saves nothing", async () => {
    const error = await refusal(
      saveDossierIntegration(opened.db, world.actors.entrepreneur, world.dossier.id, { kind: "none" }),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(await integrationRowsOf(opened.db, world.dossier.id)).toEqual([]);
  });

  it("answers NotFoundError to another portal's admin and saves nothing", async () => {
    const error = await refusal(
      saveDossierIntegration(opened.db, world.actors.otherAdmin, world.dossier.id, { kind: "none" }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(await integrationRowsOf(opened.db, world.dossier.id)).toEqual([]);
  });

  it("answers NotFoundError for unknown and malformed dossier ids", async () => {
    for (const id of ["7c1d5f0e-2b7a-4a57-9d0e-000000000000", "../etc"]) {
      expect(await refusal(saveDossierIntegration(opened.db, world.actors.admin, id, { kind: "none" }))).toBeInstanceOf(
        NotFoundError,
      );
    }
  });

  it("checks the role before the input: an entrepreneur with bad input still gets ForbiddenError", async () => {
    const error = await refusal(
      saveDossierIntegration(opened.db, world.actors.entrepreneur, world.dossier.id, { kind: "bogus" }),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
  });
});

describe("saveDossierIntegration: bad input is refused field by field, and nothing is saved", () => {
  it("refuses an invalid address", async () => {
    const dossier = await newDossier(opened.db, world);
    const fieldErrors = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        ...WINBOOKS_INDIVIDUAL,
        addresses: { ...WINBOOKS_INDIVIDUAL.addresses, purchase: "aankoop at winbooks" },
      }),
    );
    expect(fieldErrors).toEqual({ "addresses.purchase": ["emailAddress.invalid"] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("refuses a missing address for a category the package takes by mail", async () => {
    const dossier = await newDossier(opened.db, world);
    const fieldErrors = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        ...WINBOOKS_INDIVIDUAL,
        addresses: { purchase: "aankoop@winbooks.example", sales: " ", other: "" },
      }),
    );
    expect(fieldErrors).toEqual({ "addresses.sales": ["emailAddress.required"] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("asks an 'ask' package's standard option for its addresses (Exact Online: purchase and sales)", async () => {
    const dossier = await newDossier(opened.db, world);
    const fieldErrors = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "email_standard",
        packageId: "exact-online",
        addresses: { purchase: "x7k2@aankoop.exactonline.be" },
      }),
    );
    expect(fieldErrors).toEqual({ "addresses.sales": ["emailAddress.required"] });
    const saved = await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "email_standard",
      packageId: "exact-online",
      addresses: { purchase: "x7k2@aankoop.exactonline.be", sales: "q9p4@verkoop.exactonline.be" },
    });
    expect(saved).toMatchObject({ optionKey: "email_standard:exact-online", warnings: [] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toMatchObject([
      { settings: { addressMode: "standard", addresses: { purchase: "x7k2@aankoop.exactonline.be" } } },
    ]);
  });

  it("refuses free mail without a single address", async () => {
    const dossier = await newDossier(opened.db, world);
    const fieldErrors = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "free_email",
        addresses: { purchase: "", sales: "", other: "" },
      }),
    );
    expect(fieldErrors).toEqual({ addresses: ["emailAddress.noneFilled"] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("refuses a standard rule's missing or malformed input (Yuki's mailbox)", async () => {
    const dossier = await newDossier(opened.db, world);
    const missing = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, { kind: "email_standard", packageId: "yuki" }),
    );
    expect(missing).toEqual({ "inputs.mailbox": ["emailRuleInput.required"] });
    const malformed = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "email_standard",
        packageId: "yuki",
        inputs: { mailbox: "bakkerij wouters@x" },
      }),
    );
    expect(malformed).toEqual({ "inputs.mailbox": ["emailRuleInput.invalid"] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("refuses malformed settings: unknown kind, unknown package, wrong types", async () => {
    const dossier = await newDossier(opened.db, world);
    for (const choice of [
      { kind: "teleport" },
      null,
      "none",
      { kind: "email_individual", packageId: "not-a-package", addresses: { purchase: "a@b.example" } },
      { kind: "email_individual", packageId: "expert-m", addresses: { purchase: "a@b.example" } },
      { kind: "email_individual", packageId: "winbooks", addresses: { purchase: 42 } },
      { kind: "email_standard", packageId: "yuki", inputs: "mailbox=x" },
      { kind: "connection", connectionId: world.connections.exact.id, settings: { division: "abc" } },
      { kind: "connection", connectionId: world.connections.exact.id, settings: {} },
    ]) {
      expect(await refusal(saveDossierIntegration(opened.db, world.actors.admin, dossier.id, choice))).toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("puts a connector's settings errors on their field", async () => {
    const dossier = await newDossier(opened.db, world);
    const fieldErrors = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "connection",
        connectionId: world.connections.exact.id,
        settings: { division: "twelve" },
      }),
    );
    expect(Object.keys(fieldErrors ?? {})).toEqual(["settings.division"]);
  });

  it("answers NotFoundError for another portal's connection, an unknown one and a malformed id", async () => {
    const dossier = await newDossier(opened.db, world);
    for (const connectionId of [
      world.connections.otherConnection.id,
      "7c1d5f0e-2b7a-4a57-9d0e-000000000000",
      "1; drop table connections",
    ]) {
      const error = await refusal(
        saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
          kind: "connection",
          connectionId,
          settings: { division: "1" },
        }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
    }
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("refuses a disabled connection, and one whose connector is not built yet, on the connection field", async () => {
    const dossier = await newDossier(opened.db, world);
    const disabled = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "connection",
        connectionId: world.connections.disabled.id,
      }),
    );
    expect(disabled).toEqual({ connectionId: ["integrations.errors.connectionDisabled"] });
    const unavailable = await fieldErrorsOf(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "connection",
        connectionId: world.connections.yuki.id,
      }),
    );
    expect(unavailable).toEqual({ connectionId: ["integrations.errors.connectorUnavailable"] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual([]);
  });

  it("keeps the stored integration untouched when a change is refused", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, WINBOOKS_INDIVIDUAL);
    const before = await integrationRowsOf(opened.db, dossier.id);
    await refusal(
      saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
        kind: "free_email",
        addresses: { purchase: "nope" },
      }),
    );
    expect(await integrationRowsOf(opened.db, dossier.id)).toEqual(before);
  });
});

describe("saveDossierIntegration: what is stored", () => {
  it("stores a template rule's inputs only (trimmed); the addresses are computed when used", async () => {
    const dossier = await newDossier(opened.db, world);
    const saved = await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, {
      kind: "email_standard",
      packageId: "yuki",
      inputs: { mailbox: "  bakkerijwouters ", extra: "dropped" },
      addresses: { purchase: "ignored@example.com" },
    });
    expect(saved.evaluation).toEqual({ state: "ok", problems: [] });
    expect(await integrationRowsOf(opened.db, dossier.id)).toMatchObject([
      {
        kind: "email",
        packageId: "yuki",
        settings: {
          addressMode: "standard",
          inputs: { mailbox: "bakkerijwouters" },
          addresses: { purchase: null, sales: null, other: null },
        },
      },
    ]);
  });

  it("stores free mail with its package name and addresses", async () => {
    const dossier = await newDossier(opened.db, world);
    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "free_email",
      packageName: " Mijn pakket ",
      addresses: { purchase: "", sales: "Verkoop@Boekhouding.Example", other: "" },
    });
    expect(await integrationRowsOf(opened.db, dossier.id)).toMatchObject([
      {
        kind: "free_email",
        packageId: null,
        settings: {
          packageName: "Mijn pakket",
          addresses: { purchase: null, sales: "Verkoop@boekhouding.example", other: null },
        },
      },
    ]);
  });

  it("stores a connection with the connector's parsed dossier settings", async () => {
    const dossier = await newDossier(opened.db, world);
    const saved = await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "connection",
      connectionId: world.connections.exact.id,
      settings: { division: "123456" },
    });
    expect(saved).toMatchObject({ optionKey: `connection:${world.connections.exact.id}`, evaluation: { state: "ok" } });
    expect(await integrationRowsOf(opened.db, dossier.id)).toMatchObject([
      { kind: "connection", connectionId: world.connections.exact.id, packageId: null, settings: { division: 123456 } },
    ]);
  });

  it("returns a domain warning without refusing the save", async () => {
    const dossier = await newDossier(opened.db, world);
    const saved = await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "email_individual",
      packageId: "exact-online",
      addresses: { purchase: "inkoop@gmail.com", sales: "verkoop@gmail.com" },
    });
    expect(saved.warnings.map((warning) => warning.field)).toEqual(["addresses.purchase", "addresses.sales"]);
    expect(await integrationRowsOf(opened.db, dossier.id)).toHaveLength(1);
  });

  it("replaces the integration when switching, and keeps one row", async () => {
    const dossier = await newDossier(opened.db, world);
    const choices = [
      WINBOOKS_INDIVIDUAL,
      { kind: "none" },
      { kind: "free_email", addresses: { purchase: "boekhouding@example.com" } },
      { kind: "connection", connectionId: world.connections.exact.id, settings: { division: 7 } },
      { kind: "email_standard", packageId: "clearfacts", inputs: { office: "devos" } },
    ] as const;
    const kinds: string[] = [];
    for (const choice of choices) {
      await saveDossierIntegration(opened.db, world.actors.admin, dossier.id, choice);
      const rows = await integrationRowsOf(opened.db, dossier.id);
      expect(rows).toHaveLength(1);
      kinds.push(`${rows[0]?.kind}:${rows[0]?.connectionId ? "c" : "-"}:${rows[0]?.packageId ?? "-"}`);
    }
    expect(kinds).toEqual(["email:-:winbooks", "none:-:-", "free_email:-:-", "connection:c:-", "email:-:clearfacts"]);
  });
});
