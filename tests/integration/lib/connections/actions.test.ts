import { readFileSync } from "node:fs";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { connectionSecretsContext, decryptSecrets } from "@/lib/crypto/secrets";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { actorsFor, sharedFake, useTestEncryptionKey } from "./helpers";

// The page's server actions, run for real: only the session (who is signed in), the database
// handle, Next's cache and the connector registry (no API/FTP connector exists yet) are stand-ins.
const session = vi.hoisted(() => ({ actor: null as unknown, db: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/connectors/registry", async (importOriginal) => {
  const { sharedFake: fake } = await import("./helpers");
  return {
    ...(await importOriginal<typeof import("@/lib/connectors/registry")>()),
    loadConnector: fake.deps.loadConnector,
  };
});

const { createConnectionAction, setConnectionDisabledAction, testConnectionAction, updateConnectionAction } =
  await import("@/app/(app)/portals/[portalId]/integrations/actions");
const { revalidatePath } = await import("next/cache");

const ACTIONS_FILE = path.join(process.cwd(), "app", "(app)", "portals", "[portalId]", "integrations", "actions.ts");
const PASSWORD = "Act10n-wachtwoord!";

let opened: OpenedDb;
let portalId = "";
let actors: ReturnType<typeof actorsFor>;

beforeAll(async () => {
  useTestEncryptionKey();
  opened = await createTestDb();
  session.db = opened.db;
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  const otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  actors = actorsFor(portalId, otherPortalId, (await insertDossier(opened.db, portalId)).id);
});
afterAll(async () => {
  await opened?.close();
});
beforeEach(() => {
  sharedFake.state.behaviour = async () => ({ ok: true, checkedAt: new Date() });
  sharedFake.state.calls.length = 0;
  vi.mocked(revalidatePath).mockClear();
});

function signIn(actor: Actor) {
  session.actor = actor;
}

function formOf(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(values)) form.append(name, value);
  return form;
}

const createForm = (label = "Expert/M via actie") =>
  formOf({
    portalId,
    packageId: "expert-m",
    channel: "ftp",
    label,
    "settings.host": "ftp.devos.example",
    "settings.port": "21",
    "settings.security": "explicit",
    // A checkbox posts a hidden "false" and, when ticked, "true" after it.
    "settings.passive": "false",
    "secrets.username": "devos",
    "secrets.password": PASSWORD,
  });

async function allConnections() {
  return opened.db.select().from(connections).orderBy(asc(connections.id));
}

async function createAsAdmin(label?: string): Promise<string> {
  signIn(actors.admin);
  const result = await createConnectionAction(createForm(label));
  if (!result.ok) throw new Error(`create failed: ${JSON.stringify(result)}`);
  return result.connectionId;
}

describe("the integrations page's actions", () => {
  it("create: an admin adds a connection; the answer is its id only", async () => {
    signIn(actors.admin);
    const result = await createConnectionAction(createForm());
    expect(result).toEqual({ ok: true, connectionId: expect.any(String) });
    if (!result.ok) return;
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, result.connectionId));
    expect(row).toMatchObject({ portalId, packageId: "expert-m", settings: { passive: false, port: 21 } });
    expect(decryptSecrets(row?.secretsEncrypted ?? "", connectionSecretsContext(result.connectionId))).toEqual({
      username: "devos",
      password: PASSWORD,
    });
    expect(revalidatePath).toHaveBeenCalledWith(`/portals/${portalId}`, "layout");
  });

  it("create: field errors come back per field, without echoing a secret", async () => {
    signIn(actors.admin);
    const form = createForm();
    form.set("settings.host", "");
    form.set("settings.port", "70000");
    const result = await createConnectionAction(form);
    expect(result).toEqual({
      ok: false,
      error: { code: "validation_failed", messageKey: "validationFailed" },
      fieldErrors: { "settings.host": ["required"], "settings.port": ["tooBig"] },
    });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it.each([
    ["accountant", "forbidden"],
    ["otherAdmin", "not_found"],
    ["entrepreneur", "not_found"],
  ] as const)("every write by %s is refused (%s) and saves nothing", async (role, code) => {
    const id = await createAsAdmin(`Doelwit ${role}`);
    const before = await allConnections();
    vi.mocked(revalidatePath).mockClear();
    signIn(actors[role]);
    const update = formOf({ portalId, connectionId: id, label: "Overgenomen", "secrets.password": "x" });
    const results = [
      await createConnectionAction(createForm("Gestolen")),
      await updateConnectionAction(update),
      await setConnectionDisabledAction(portalId, id, true),
      await setConnectionDisabledAction(portalId, id, false),
      await testConnectionAction(portalId, id),
    ];
    for (const result of results) expect(result).toMatchObject({ ok: false, error: { code } });
    expect(await allConnections()).toEqual(before);
    expect(sharedFake.state.calls).toHaveLength(0);
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("update: a blank password keeps the stored one; the answer carries no secret", async () => {
    const id = await createAsAdmin();
    const result = await updateConnectionAction(
      formOf({
        portalId,
        connectionId: id,
        label: "Hernoemd",
        "settings.host": "ftp2.devos.example",
        "secrets.username": "",
        "secrets.password": "",
      }),
    );
    expect(result).toEqual({ ok: true, connectionId: id });
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
    expect(row).toMatchObject({ label: "Hernoemd", settings: { host: "ftp2.devos.example" } });
    expect(decryptSecrets(row?.secretsEncrypted ?? "", connectionSecretsContext(id))).toEqual({
      username: "devos",
      password: PASSWORD,
    });
  });

  it("disable, enable and test answer with statuses only", async () => {
    const id = await createAsAdmin();
    expect(await setConnectionDisabledAction(portalId, id, true)).toEqual({ ok: true, status: "disabled" });
    expect(await setConnectionDisabledAction(portalId, id, false)).toEqual({ ok: true, status: "not_checked" });
    expect(await testConnectionAction(portalId, id)).toEqual({ ok: true, status: "connected", errorCode: null });
    expect(sharedFake.state.calls).toHaveLength(1);
    expect(await testConnectionAction(portalId, "not-a-uuid")).toMatchObject({ ok: false });
  });

  it("the actions file holds no authorization logic: parse → service → revalidate", () => {
    const source = readFileSync(ACTIONS_FILE, "utf8");
    expect(source.trimStart().startsWith('"use server";')).toBe(true);
    // Every export is an async action; nothing else leaves a "use server" module.
    const exports = source.match(/^export .*$/gm) ?? [];
    expect(exports.length).toBeGreaterThan(0);
    for (const line of exports) expect(line).toMatch(/^export async function \w+Action\(/);
    // Who may do what is decided in lib/connections/service.ts.
    expect(source).not.toMatch(/lib\/auth\/(authorize|permissions)|\bauthorize\(|\bcan\(|portalRoles|\.role\b/);
    expect(source).toContain('from "@/lib/connections/service"');
    expect(source).not.toMatch(/secretsEncrypted|decryptSecrets|encryptSecrets/);
  });
});
