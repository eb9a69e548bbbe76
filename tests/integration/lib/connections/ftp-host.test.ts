import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { createConnection, updateConnection } from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import { ftpConnector } from "@/lib/connectors/ftp";
import { resetEnvCache } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { MESSAGES } from "@/lib/i18n/messages";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { actorsFor, useTestEncryptionKey } from "./helpers";

// The FTP host an admin types is judged when the connection is saved (with the real FTP
// connector from the registry), not only when Koppel connects.

const savedFlag = process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS;
let opened: OpenedDb;
let portalId = "";
let actors: ReturnType<typeof actorsFor>;

function allowPrivateHosts(value: "0" | "1") {
  process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS = value;
  resetEnvCache();
}

beforeAll(async () => {
  useTestEncryptionKey();
  opened = await createTestDb();
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  const otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  actors = actorsFor(portalId, otherPortalId, (await insertDossier(opened.db, portalId)).id);
});
afterEach(() => allowPrivateHosts("0"));
afterAll(async () => {
  if (savedFlag === undefined) delete process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS;
  else process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS = savedFlag;
  resetEnvCache();
  await opened?.close();
});

const input = (host: string) => ({
  packageId: "expert-m",
  channel: "ftp" as const,
  label: `FTP ${host}`,
  settings: { host, username: "kantoor", security: "explicit" },
  secrets: { password: "Sup3r-geheim-wachtwoord!" },
});

async function refusalOf(promise: Promise<unknown>): Promise<Record<string, string[]> | undefined> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).fieldErrors;
}

async function countConnections(): Promise<number> {
  return (await opened.db.select().from(connections).where(eq(connections.portalId, portalId))).length;
}

describe("saving an FTP connection judges its host", () => {
  it.each([
    ["169.254.169.254", "ftpHostMetadata"],
    ["10.0.0.1", "ftpHostPrivate"],
    ["localhost", "ftpHostLoopback"],
    ["2130706433", "ftpHostLoopback"],
    ["::ffff:127.0.0.1", "ftpHostLoopback"],
    ["[::ffff:a9fe:a9fe]", "ftpHostMetadata"],
  ])("refuses %s with the reason (%s) and saves nothing", async (host, key) => {
    allowPrivateHosts("0");
    const before = await countConnections();
    const fieldErrors = await refusalOf(createConnection(opened.db, actors.admin, portalId, input(host)));
    expect(fieldErrors).toEqual({ "settings.host": [key] });
    expect(await countConnections()).toBe(before);
  });

  it("has the reason in every language", () => {
    for (const key of ["ftpHostMetadata", "ftpHostPrivate", "ftpHostLoopback", "ftpHostLinkLocal", "ftpHostReserved"]) {
      for (const locale of ["nl", "fr", "en"] as const) {
        expect(MESSAGES[locale].connections.errors[key as "ftpHostMetadata"], `${locale} ${key}`).toMatch(/\S/);
      }
    }
  });

  it("lets private hosts be saved where the deployment allows them, never the metadata address", async () => {
    allowPrivateHosts("1");
    const saved = await createConnection(opened.db, actors.admin, portalId, input("10.0.0.1"));
    expect(saved.settings).toMatchObject({ host: "10.0.0.1" });
    expect(await refusalOf(createConnection(opened.db, actors.admin, portalId, input("169.254.169.254")))).toEqual({
      "settings.host": ["ftpHostMetadata"],
    });
  });

  it("refuses the host when an existing connection is changed, and keeps what was stored", async () => {
    allowPrivateHosts("0");
    const saved = await createConnection(opened.db, actors.admin, portalId, input("ftp.devos.example"));
    const fieldErrors = await refusalOf(
      updateConnection(opened.db, actors.admin, portalId, saved.id, {
        settings: { host: "0x7f.1", username: "kantoor" },
      }),
    );
    expect(fieldErrors).toEqual({ "settings.host": ["ftpHostLoopback"] });
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, saved.id));
    expect(row?.settings).toMatchObject({ host: "ftp.devos.example" });
  });

  it("another office's admin is still refused before the host is looked at", async () => {
    await expect(
      createConnection(opened.db, actors.otherAdmin, portalId, input("10.0.0.1")),
    ).rejects.not.toBeInstanceOf(ValidationError);
  });

  it("still refuses the host at connect time (a stored host, or a name that resolves inside)", async () => {
    allowPrivateHosts("0");
    const health = await ftpConnector.check({
      settings: { host: "127.0.0.1", username: "kantoor", security: "explicit" },
      secrets: { password: "x" },
    } as never);
    expect(health.ok).toBe(false);
    const error = health.ok ? null : health.error;
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe("host_not_allowed");
  });
});
