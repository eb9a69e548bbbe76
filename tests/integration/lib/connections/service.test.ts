import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, dossierIntegrations } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { listConnectionsDueForCheck, runConnectionCheck } from "@/lib/connections/check";
import { ConnectorUnavailableError } from "@/lib/connections/errors";
import {
  createConnection,
  getConnection,
  listConnectionOptions,
  listConnections,
  setConnectionDisabled,
  testConnection,
  updateConnection,
} from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import { connectionSecretsContext, decryptSecrets } from "@/lib/crypto/secrets";
import { AppError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { createTestDb } from "../../../helpers/db";
import { insertConnection, insertDossier, insertPortal } from "../../../helpers/fixtures";
import { actorsFor, createFakeConnector, useTestEncryptionKey } from "./helpers";

const PASSWORD = "Sup3r-geheim-wachtwoord!";
const NEW_PASSWORD = "N1euw-wachtwoord-2025";
const USERNAME = "devos-ftp-user";

let opened: OpenedDb;
let portalId = "";
let otherPortalId = "";
let dossierId = "";
let actors: ReturnType<typeof actorsFor>;
const fake = createFakeConnector();

beforeAll(async () => {
  useTestEncryptionKey();
  opened = await createTestDb();
  const portal = await insertPortal(opened.db, "Kantoor A");
  const other = await insertPortal(opened.db, "Kantoor B");
  portalId = portal.id;
  otherPortalId = other.id;
  dossierId = (await insertDossier(opened.db, portalId)).id;
  actors = actorsFor(portalId, otherPortalId, dossierId);
});
afterAll(async () => {
  await opened?.close();
});
beforeEach(() => {
  fake.state.behaviour = async () => ({ ok: true, checkedAt: new Date() });
  fake.state.calls.length = 0;
});

const validInput = (label = "Expert/M kantoorserver") => ({
  packageId: "expert-m",
  channel: "ftp" as const,
  label,
  // As a form posts them: strings.
  settings: { host: "ftp.devos.example", port: "2121", security: "explicit", passive: "false" },
  secrets: { username: USERNAME, password: PASSWORD },
});

async function createAsAdmin(label?: string) {
  return createConnection(opened.db, actors.admin, portalId, validInput(label), fake.deps);
}

async function storedRow(id: string) {
  const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
  if (!row) throw new Error("connection missing");
  return row;
}

async function storedSecrets(id: string) {
  const row = await storedRow(id);
  return decryptSecrets(row.secretsEncrypted ?? "", connectionSecretsContext(id));
}

async function allConnections() {
  return opened.db.select().from(connections).orderBy(asc(connections.id));
}

describe("createConnection", () => {
  it("lets an admin add a connection: settings typed by the connector's schema, secrets encrypted", async () => {
    const view = await createAsAdmin();
    expect(view).toMatchObject({
      packageId: "expert-m",
      packageName: "Expert/M",
      channel: "ftp",
      label: "Expert/M kantoorserver",
      settings: { host: "ftp.devos.example", port: 2121, security: "explicit", passive: false },
      status: "not_checked",
      secretsSet: { username: true, password: true },
      dossierCount: 0,
      isConnectorAvailable: true,
      lastCheckedAt: null,
    });
    const row = await storedRow(view.id);
    expect(row.portalId).toBe(portalId);
    expect(row.secretsEncrypted).not.toContain(PASSWORD);
    expect(await storedSecrets(view.id)).toEqual({ username: USERNAME, password: PASSWORD });
    // Bound to its own row: the blob does not decrypt as another connection's.
    expect(() => decryptSecrets(row.secretsEncrypted ?? "", connectionSecretsContext(otherPortalId))).toThrow();
  });

  it("applies the schema's defaults for fields left blank", async () => {
    const view = await createConnection(
      opened.db,
      actors.admin,
      portalId,
      { ...validInput("Defaults"), settings: { host: "ftp.example", port: "", security: "" } },
      fake.deps,
    );
    expect(view.settings).toEqual({ host: "ftp.example", port: 21, security: "explicit", passive: true });
  });

  it("allows several connections of one package, told apart by their label", async () => {
    const first = await createAsAdmin("Expert/M Gent");
    const second = await createAsAdmin("Expert/M Brugge");
    expect(first.id).not.toBe(second.id);
    const labels = (await listConnections(opened.db, actors.admin, portalId, fake.deps)).map((c) => c.label);
    expect(labels).toEqual(expect.arrayContaining(["Expert/M Gent", "Expert/M Brugge"]));
  });

  it("refuses missing and malformed fields with field errors, and saves nothing", async () => {
    const before = await allConnections();
    const error = await createConnection(
      opened.db,
      actors.admin,
      portalId,
      { ...validInput(" "), settings: { port: "99999", security: "sftp" }, secrets: { username: "u", password: "" } },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    // The label is checked first, by the shared input schema.
    expect((error as ValidationError).fieldErrors).toEqual({ label: ["labelRequired"] });

    const fieldsError = await createConnection(
      opened.db,
      actors.admin,
      portalId,
      { ...validInput(), settings: { port: "99999", security: "sftp" }, secrets: { username: "u", password: "" } },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect(fieldsError).toBeInstanceOf(ValidationError);
    expect((fieldsError as ValidationError).fieldErrors).toEqual({
      "settings.host": ["required"],
      "settings.port": ["tooBig"],
      "settings.security": ["option"],
      "secrets.password": ["required"],
    });
    expect(JSON.stringify((fieldsError as ValidationError).fieldErrors)).not.toContain("sftp");
    expect(await allConnections()).toEqual(before);
  });

  it("refuses a channel the package does not offer, and the e-mail channel", async () => {
    for (const [packageId, channel] of [
      ["expert-m", "api"],
      ["yuki", "ftp"],
      ["clearfacts", "email"],
    ] as const) {
      const error = await createConnection(
        opened.db,
        actors.admin,
        portalId,
        { ...validInput(), packageId, channel: channel as "api" },
        fake.deps,
      ).catch((caught: unknown) => caught);
      expect(error, `${packageId}/${channel}`).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fieldErrors ?? {})).toEqual(["channel"]);
    }
    const unknown = await createConnection(
      opened.db,
      actors.admin,
      portalId,
      { ...validInput(), packageId: "boekhoud-xl" },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect((unknown as ValidationError).fieldErrors).toEqual({ packageId: ["packageUnknown"] });
  });

  it("refuses a package whose connector is not built yet", async () => {
    const before = await allConnections();
    // Every package's connector exists in the real registry now; the fake registry has no API connectors.
    const error = await createConnection(
      opened.db,
      actors.admin,
      portalId,
      { ...validInput(), packageId: "wolters-kluwer", channel: "api" },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectorUnavailableError);
    expect(error).toMatchObject({ messageKey: "connectorUnavailable" });
    const viaFake = await createConnection(
      opened.db,
      actors.admin,
      portalId,
      { ...validInput(), packageId: "yuki", channel: "api" },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect(viaFake).toBeInstanceOf(ConnectorUnavailableError);
    expect(await allConnections()).toEqual(before);
  });
});

describe("updateConnection", () => {
  it("changes the label only, keeping settings, secrets and health", async () => {
    const created = await createAsAdmin("Oud label");
    await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    const blobBefore = (await storedRow(created.id)).secretsEncrypted;
    const view = await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { label: "Nieuw label" },
      fake.deps,
    );
    expect(view).toMatchObject({ label: "Nieuw label", status: "connected", settings: created.settings });
    expect((await storedRow(created.id)).secretsEncrypted).toBe(blobBefore);
  });

  it("keeps a stored secret when its field is blank or absent, and replaces one that is filled", async () => {
    const created = await createAsAdmin();
    await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { settings: { host: "ftp2.devos.example", port: "21" }, secrets: { username: "", password: "" } },
      fake.deps,
    );
    expect(await storedSecrets(created.id)).toEqual({ username: USERNAME, password: PASSWORD });
    expect((await storedRow(created.id)).settings).toMatchObject({ host: "ftp2.devos.example", port: 21 });

    await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { secrets: { password: NEW_PASSWORD } },
      fake.deps,
    );
    expect(await storedSecrets(created.id)).toEqual({ username: USERNAME, password: NEW_PASSWORD });
    // Settings were not sent: the stored ones stay.
    expect((await storedRow(created.id)).settings).toMatchObject({ host: "ftp2.devos.example" });
  });

  it("makes the health unknown again after new credentials, but never re-enables a disabled one", async () => {
    const created = await createAsAdmin();
    await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    expect((await storedRow(created.id)).status).toBe("connected");
    await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { secrets: { password: NEW_PASSWORD } },
      fake.deps,
    );
    expect((await storedRow(created.id)).status).toBe("not_checked");

    await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, true, fake.deps);
    await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { secrets: { password: PASSWORD } },
      fake.deps,
    );
    expect((await storedRow(created.id)).status).toBe("disabled");
  });

  it("refuses invalid settings with field errors and keeps what was stored", async () => {
    const created = await createAsAdmin();
    const before = await storedRow(created.id);
    const error = await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { label: "Anders", settings: { host: "", port: "abc" }, secrets: { password: NEW_PASSWORD } },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect((error as ValidationError).fieldErrors).toEqual({
      "settings.host": ["required"],
      "settings.port": ["number"],
    });
    expect(await storedRow(created.id)).toEqual(before);
  });

  it("only lets the label change while the package's connector is not built", async () => {
    // The fake registry has no API connectors.
    const seeded = await insertConnection(opened.db, portalId, { packageId: "wolters-kluwer" });
    const view = await updateConnection(opened.db, actors.admin, portalId, seeded.id, { label: "Exact BE" }, fake.deps);
    expect(view).toMatchObject({ label: "Exact BE", isConnectorAvailable: false });
    await expect(
      updateConnection(opened.db, actors.admin, portalId, seeded.id, { settings: { country: "nl" } }, fake.deps),
    ).rejects.toBeInstanceOf(ConnectorUnavailableError);
    // Blank secrets are "keep": nothing to validate.
    await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      seeded.id,
      { label: "Exact", secrets: { apiKey: "" } },
      fake.deps,
    );
  });
});

describe("setConnectionDisabled", () => {
  it("disables keeping every bit of history, and re-enabling makes the health unknown", async () => {
    const created = await createAsAdmin();
    await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    fake.state.behaviour = async () => ({
      ok: false,
      checkedAt: new Date(),
      error: new ConnectorError("retryable", "server_error"),
    });
    await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    const before = await storedRow(created.id);
    await opened.db
      .insert(dossierIntegrations)
      .values({ portalId, dossierId, kind: "connection", connectionId: created.id, settings: { folder: "0123" } });

    const disabled = await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, true, fake.deps);
    expect(disabled).toMatchObject({ status: "disabled", dossierCount: 1 });
    const row = await storedRow(created.id);
    expect(row).toMatchObject({
      status: "disabled",
      lastCheckedAt: before.lastCheckedAt,
      lastSuccessAt: before.lastSuccessAt,
      lastErrorCode: "server_error",
      lastErrorAt: before.lastErrorAt,
      secretsEncrypted: before.secretsEncrypted,
      settings: before.settings,
    });
    // The dossier keeps its integration; it reads as "needs attention" from the status.
    const [integration] = await opened.db
      .select()
      .from(dossierIntegrations)
      .where(eq(dossierIntegrations.dossierId, dossierId));
    expect(integration?.connectionId).toBe(created.id);

    const enabled = await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, false, fake.deps);
    expect(enabled.status).toBe("not_checked");
    expect((await storedRow(created.id)).lastSuccessAt).toEqual(before.lastSuccessAt);
    await opened.db.delete(dossierIntegrations).where(eq(dossierIntegrations.dossierId, dossierId));
  });

  it("enabling a connection that is not disabled changes nothing", async () => {
    const created = await createAsAdmin();
    await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    const view = await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, false, fake.deps);
    expect(view.status).toBe("connected");
  });
});

describe("testConnection and runConnectionCheck record health", () => {
  it("connected: sets last check and last success, clears the last error; the check gets the decrypted secrets", async () => {
    const created = await createAsAdmin();
    fake.state.behaviour = async () => ({
      ok: false,
      checkedAt: new Date(),
      error: new ConnectorError("retryable", "timeout"),
    });
    await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    expect((await storedRow(created.id)).lastErrorCode).toBe("timeout");

    fake.state.behaviour = async () => ({ ok: true, checkedAt: new Date() });
    const result = await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps);
    expect(result).toMatchObject({ status: "connected", errorCode: null });
    const row = await storedRow(created.id);
    expect(row).toMatchObject({ status: "connected", lastErrorCode: null, lastErrorAt: null });
    expect(row.lastCheckedAt).toEqual(row.lastSuccessAt);
    expect(row.lastCheckedAt).not.toBeNull();
    expect(fake.state.calls.at(-1)).toEqual({
      settings: { host: "ftp.devos.example", port: 2121, security: "explicit", passive: false },
      secrets: { username: USERNAME, password: PASSWORD },
    });
  });

  it("needs_reauth when the package refuses the credentials", async () => {
    const created = await createAsAdmin();
    fake.state.behaviour = async () => ({
      ok: false,
      checkedAt: new Date(),
      error: new ConnectorError("auth", "auth_failed"),
    });
    const result = await runConnectionCheck(opened.db, actors.admin, created.id, fake.deps);
    expect(result).toMatchObject({ status: "needs_reauth", errorCode: "auth_failed" });
    const row = await storedRow(created.id);
    expect(row).toMatchObject({ status: "needs_reauth", lastErrorCode: "auth_failed", lastSuccessAt: null });
    expect(row.lastErrorAt).toEqual(row.lastCheckedAt);
  });

  it("error with the code for retryable failures, thrown ones included", async () => {
    const created = await createAsAdmin();
    fake.state.behaviour = async () => ({
      ok: false,
      checkedAt: new Date(),
      error: new ConnectorError("retryable", "rate_limited", { retryAfterMs: 1000 }),
    });
    expect(await runConnectionCheck(opened.db, actors.system, created.id, fake.deps)).toMatchObject({
      status: "error",
      errorCode: "rate_limited",
    });
    fake.state.behaviour = async () => {
      throw new Error("ECONNRESET 10.0.0.1 password=oops");
    };
    expect(await runConnectionCheck(opened.db, actors.system, created.id, fake.deps)).toMatchObject({
      status: "error",
      errorCode: "unknown",
    });
    // Vendor text never lands in the row.
    expect(JSON.stringify(await storedRow(created.id))).not.toContain("oops");
  });

  it("error with code timeout when the check does not answer in time", async () => {
    const created = await createAsAdmin();
    fake.state.behaviour = () => new Promise(() => {});
    const result = await runConnectionCheck(opened.db, actors.admin, created.id, { ...fake.deps, checkTimeoutMs: 50 });
    expect(result).toMatchObject({ status: "error", errorCode: "timeout" });
  });

  it("error connector_unavailable for a package whose connector is not built", async () => {
    const seeded = await insertConnection(opened.db, portalId, { packageId: "wolters-kluwer" });
    await opened.db.update(connections).set({ status: "connected" }).where(eq(connections.id, seeded.id));
    // The fake registry has no API connectors.
    const result = await runConnectionCheck(opened.db, actors.system, seeded.id, fake.deps);
    expect(result).toMatchObject({ status: "error", errorCode: "connector_unavailable" });
    expect(await storedRow(seeded.id)).toMatchObject({ status: "error", lastErrorCode: "connector_unavailable" });
  });

  it("leaves a disabled connection alone, and one disabled during the check stays disabled", async () => {
    const created = await createAsAdmin();
    await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, true, fake.deps);
    const before = await storedRow(created.id);
    expect(await runConnectionCheck(opened.db, actors.system, created.id, fake.deps)).toMatchObject({
      status: "disabled",
    });
    expect(fake.state.calls).toHaveLength(0);
    expect(await storedRow(created.id)).toEqual(before);

    const racing = await createAsAdmin();
    fake.state.behaviour = async () => {
      await setConnectionDisabled(opened.db, actors.admin, portalId, racing.id, true, fake.deps);
      return { ok: true, checkedAt: new Date() };
    };
    expect(await testConnection(opened.db, actors.admin, portalId, racing.id, fake.deps)).toMatchObject({
      status: "disabled",
    });
    expect(await storedRow(racing.id)).toMatchObject({ status: "disabled", lastSuccessAt: null });
  });

  it("needs the actor to see the connection; malformed and unknown ids are not found", async () => {
    const created = await createAsAdmin();
    await expect(runConnectionCheck(opened.db, actors.otherAdmin, created.id, fake.deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(runConnectionCheck(opened.db, actors.entrepreneur, created.id, fake.deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(runConnectionCheck(opened.db, actors.system, "nope", fake.deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      runConnectionCheck(opened.db, actors.system, "00000000-0000-4000-8000-000000000000", fake.deps),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.state.calls).toHaveLength(0);
  });
});

describe("listConnectionsDueForCheck", () => {
  it("lists every checkable connection that is not disabled, never-checked first, then the longest unchecked", async () => {
    const due = await listConnectionsDueForCheck(opened.db, fake.deps);
    const rows = await allConnections();
    // The fake connector serves the FTP channel only; the seeded API connections have none.
    const active = rows.filter((row) => row.status !== "disabled" && row.channel === "ftp");
    expect(active.length).toBeGreaterThan(0);
    expect(due.map((row) => row.id).sort()).toEqual(active.map((row) => row.id).sort());
    const checkedAt = due.map((entry) => rows.find((row) => row.id === entry.id)?.lastCheckedAt ?? null);
    const firstChecked = checkedAt.findIndex((value) => value !== null);
    expect(checkedAt.slice(firstChecked).every((value) => value !== null)).toBe(true);
    const times = checkedAt.slice(firstChecked).map((value) => value?.getTime() ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(due.every((row) => row.portalId === portalId)).toBe(true);
  });

  it("leaves out connections whose connector is not built yet", async () => {
    expect(await listConnectionsDueForCheck(opened.db, { loadConnector: async () => null })).toEqual([]);
  });
});

describe("who may do what", () => {
  type Write = (actor: Actor, connectionId: string) => Promise<unknown>;
  const WRITES: Record<string, Write> = {
    create: (actor) => createConnection(opened.db, actor, portalId, validInput("Gestolen"), fake.deps),
    update: (actor, id) =>
      updateConnection(
        opened.db,
        actor,
        portalId,
        id,
        { label: "Gewijzigd", settings: { host: "evil.example" }, secrets: { password: "x" } },
        fake.deps,
      ),
    disable: (actor, id) => setConnectionDisabled(opened.db, actor, portalId, id, true, fake.deps),
    enable: (actor, id) => setConnectionDisabled(opened.db, actor, portalId, id, false, fake.deps),
    test: (actor, id) => testConnection(opened.db, actor, portalId, id, fake.deps),
  };
  const REFUSED = [
    ["accountant", ForbiddenError],
    ["tokenAccountant", ForbiddenError],
    ["entrepreneur", NotFoundError],
    ["otherAdmin", NotFoundError],
  ] as const;
  const cases = REFUSED.flatMap(([role, error]) =>
    Object.keys(WRITES).map((write) => [role, write, error.name, error] as const),
  );

  it.each(cases)("%s may not %s a connection (%s), nothing saved, no check run", async (role, write, _name, error) => {
    const created = await createAsAdmin("Doelwit");
    if (write === "enable") await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, true, fake.deps);
    const before = await allConnections();
    const outcome = await WRITES[write]?.(actors[role], created.id).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(error);
    expect(await allConnections()).toEqual(before);
    expect(fake.state.calls).toHaveLength(0);
  });

  it("refuses before validating: a non-admin learns nothing from bad input", async () => {
    const outcome = await createConnection(
      opened.db,
      actors.accountant,
      portalId,
      { ...validInput(""), packageId: "nope" },
      fake.deps,
    ).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(ForbiddenError);
  });

  it("the system may manage; an API key may not, whatever its role and scopes (lib/auth/scopes.ts)", async () => {
    await expect(
      createConnection(opened.db, actors.tokenAdmin, portalId, validInput("Via API"), fake.deps),
    ).rejects.toMatchObject({ httpStatus: 403, messageKey: "apiKeyNotAllowed" });
    const created = await createAsAdmin("Door het systeem uitgeschakeld");
    await expect(
      setConnectionDisabled(opened.db, actors.tokenAdmin, portalId, created.id, true, fake.deps),
    ).rejects.toMatchObject({ httpStatus: 403, messageKey: "apiKeyNotAllowed" });
    await setConnectionDisabled(opened.db, actors.system, portalId, created.id, true, fake.deps);
    expect((await storedRow(created.id)).status).toBe("disabled");
  });

  it("accountants and accountant tokens read the list; entrepreneurs and other offices get not found", async () => {
    const created = await createAsAdmin("Zichtbaar");
    for (const actor of [actors.accountant, actors.tokenAccountant, actors.admin]) {
      const list = await listConnections(opened.db, actor, portalId, fake.deps);
      expect(list.map((c) => c.id)).toContain(created.id);
      expect((await getConnection(opened.db, actor, portalId, created.id, fake.deps)).label).toBe("Zichtbaar");
    }
    for (const actor of [actors.entrepreneur, actors.otherAdmin]) {
      await expect(listConnections(opened.db, actor, portalId, fake.deps)).rejects.toBeInstanceOf(NotFoundError);
      await expect(getConnection(opened.db, actor, portalId, created.id, fake.deps)).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
  });

  it("treats another portal's connection id as not found, for every call", async () => {
    const foreign = await createConnection(
      opened.db,
      actors.system,
      otherPortalId,
      validInput("Van kantoor B"),
      fake.deps,
    );
    const before = await allConnections();
    const calls = [
      () => getConnection(opened.db, actors.admin, portalId, foreign.id, fake.deps),
      () => updateConnection(opened.db, actors.admin, portalId, foreign.id, { label: "Mijn" }, fake.deps),
      () => setConnectionDisabled(opened.db, actors.admin, portalId, foreign.id, true, fake.deps),
      () => testConnection(opened.db, actors.admin, portalId, foreign.id, fake.deps),
      // Naming the other portal itself does not help either.
      () => updateConnection(opened.db, actors.admin, otherPortalId, foreign.id, { label: "Mijn" }, fake.deps),
      () => getConnection(opened.db, actors.admin, portalId, "not-a-uuid", fake.deps),
      () => listConnections(opened.db, actors.admin, "not-a-uuid", fake.deps),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(NotFoundError);
    expect(await allConnections()).toEqual(before);
    expect((await listConnections(opened.db, actors.admin, portalId, fake.deps)).map((c) => c.id)).not.toContain(
      foreign.id,
    );
  });
});

describe("the public view", () => {
  it("never carries a secret value or the encrypted blob", async () => {
    const created = await createAsAdmin("Geheimhouding");
    await updateConnection(
      opened.db,
      actors.admin,
      portalId,
      created.id,
      { secrets: { password: NEW_PASSWORD } },
      fake.deps,
    );
    const blob = (await storedRow(created.id)).secretsEncrypted ?? "";
    const views = [
      created,
      await getConnection(opened.db, actors.accountant, portalId, created.id, fake.deps),
      await listConnections(opened.db, actors.admin, portalId, fake.deps),
      await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, true, fake.deps),
      await setConnectionDisabled(opened.db, actors.admin, portalId, created.id, false, fake.deps),
      await testConnection(opened.db, actors.admin, portalId, created.id, fake.deps),
    ];
    const serialized = JSON.stringify(views);
    for (const secret of [PASSWORD, NEW_PASSWORD, USERNAME, blob, blob.split(".")[3] ?? "", "secretsEncrypted"]) {
      expect(serialized).not.toContain(secret);
    }
    expect(views[1]).toMatchObject({ secretsSet: { username: true, password: true } });
  });

  it("counts the dossiers that deliver through each connection", async () => {
    const created = await createAsAdmin("Gebruikt");
    const dossier = await insertDossier(opened.db, portalId);
    await opened.db
      .insert(dossierIntegrations)
      .values({ portalId, dossierId: dossier.id, kind: "connection", connectionId: created.id });
    const view = (await listConnections(opened.db, actors.accountant, portalId, fake.deps)).find(
      (c) => c.id === created.id,
    );
    expect(view?.dossierCount).toBe(1);
  });

  it("flags secrets as not set when none are stored", async () => {
    const seeded = await insertConnection(opened.db, portalId);
    const view = await getConnection(opened.db, actors.admin, portalId, seeded.id, fake.deps);
    expect(view).toMatchObject({ secretsSet: {}, isConnectorAvailable: false });
  });
});

describe("listConnectionOptions", () => {
  it("offers every API and FTP package: FTP with the FTP connector's form, API ones with theirs once built, as coming soon otherwise", async () => {
    const options = await listConnectionOptions(actors.admin, portalId);
    expect(options.length).toBeGreaterThan(0);
    expect(options.every((option) => option.channel === "api" || option.channel === "ftp")).toBe(true);
    const ftp = options.filter((option) => option.channel === "ftp");
    expect(ftp.length).toBeGreaterThan(0);
    expect(ftp.every((option) => option.isAvailable && option.form?.secrets.some((f) => f.name === "password"))).toBe(
      true,
    );
    const api = options.filter((option) => option.channel === "api");
    expect(api.every((option) => (option.isAvailable ? option.form !== null : option.form === null))).toBe(true);
    expect(api.find((option) => option.packageId === "yuki")?.form?.secrets.map((field) => field.name)).toEqual([
      "accessKey",
    ]);
    // Every API package's connector is built now, each with the form of its own schemas.
    expect(api.every((option) => option.isAvailable)).toBe(true);
    const secretsOf = (packageId: string) =>
      api.find((option) => option.packageId === packageId)?.form?.secrets.map((field) => field.name);
    expect(secretsOf("syneton-dms")).toEqual(["apiKey"]);
    expect(secretsOf("wolters-kluwer")).toEqual(["clientSecret"]);
    expect(options.map((option) => `${option.packageId}/${option.channel}`)).toEqual(
      expect.arrayContaining(["exact-online/api", "yuki/api", "expert-m/ftp", "generic-ftp/ftp"]),
    );
    expect(options.some((option) => option.packageId === "clearfacts")).toBe(false);
  });

  it("generates the form of an available connector from its schemas", async () => {
    const options = await listConnectionOptions(actors.admin, portalId, fake.deps);
    const ftp = options.find((option) => option.packageId === "expert-m");
    expect(ftp?.isAvailable).toBe(true);
    expect(ftp?.form?.settings).toEqual([
      { name: "host", kind: "string", isRequired: true, isSecret: false, labelKey: "connections.fields.host" },
      {
        name: "port",
        kind: "integer",
        isRequired: false,
        isSecret: false,
        defaultValue: 21,
        minimum: 1,
        maximum: 65535,
      },
      {
        name: "security",
        kind: "enum",
        isRequired: false,
        isSecret: false,
        options: ["explicit", "implicit", "none"],
        defaultValue: "explicit",
      },
      { name: "passive", kind: "boolean", isRequired: false, isSecret: false, defaultValue: true },
    ]);
    expect(ftp?.form?.secrets.map((field) => [field.name, field.isSecret, field.isRequired])).toEqual([
      ["username", true, true],
      ["password", true, true],
    ]);
    await expect(listConnectionOptions(actors.entrepreneur, portalId)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("errors are application errors", () => {
  it("the unavailable-connector error maps to a code and a key, not a crash", () => {
    const error = new ConnectorUnavailableError();
    expect(error).toBeInstanceOf(AppError);
    expect({ code: error.code, messageKey: error.messageKey, httpStatus: error.httpStatus }).toEqual({
      code: "conflict",
      messageKey: "connectorUnavailable",
      httpStatus: 409,
    });
  });
});
