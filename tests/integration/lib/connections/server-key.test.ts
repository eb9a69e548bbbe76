import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { runConnectionCheck } from "@/lib/connections/check";
import { decryptConnectionSecrets } from "@/lib/connections/runtime";
import { createConnection, getConnection, listConnections, updateConnection } from "@/lib/connections/service";
import { closeFtpSessions } from "@/lib/connectors/ftp";
import { ftpSecretsSchema } from "@/lib/connectors/ftp/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { type FakeSftpServer, startFakeSftpServer } from "../../../fakes/sftp-server";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";
import { allowPrivateFtpHosts } from "../connectors/ftp/helpers";
import { actorsFor, useTestEncryptionKey } from "./helpers";

// The connection view's `serverKey`: an SFTP connection shows the host key it trusts (pinned on
// first use through the real connection test, or typed), and nothing else of its secrets; other
// connections show none. Real FTP connector, real SSH server in this process.

// The card's buttons import the page's server actions; a static render never calls them, so the
// sign-in they would ask for (Auth.js, which needs Next's server runtime) stays out.
vi.mock("@/lib/auth/session", () => ({
  requireActor: async () => {
    throw new Error("no server action runs in these tests");
  },
}));

const PASSWORD = "Adsolut-wachtwoord 7!";

let server: FakeSftpServer;
let opened: OpenedDb;
let portalId = "";
let actors: ReturnType<typeof actorsFor>;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  useTestEncryptionKey();
  server = await startFakeSftpServer({ users: { kantoor: PASSWORD } });
  opened = await createTestDb();
  const portal = await insertPortal(opened.db, "Kantoor Adsolut");
  const other = await insertPortal(opened.db, "Kantoor B");
  portalId = portal.id;
  actors = actorsFor(portalId, other.id, (await insertDossier(opened.db, portalId)).id);
});
afterAll(async () => {
  await closeFtpSessions();
  await server?.close();
  await opened?.close();
  allowPrivateFtpHosts(undefined);
});

const sftpSettings = (extra: Record<string, string> = {}) => ({
  host: "127.0.0.1",
  port: String(server.port),
  username: "kantoor",
  security: "sftp",
  ...extra,
});

async function createSftp(label: string, extra: Record<string, string> = {}) {
  return createConnection(opened.db, actors.admin, portalId, {
    packageId: "adsolut",
    channel: "ftp",
    label,
    settings: sftpSettings(extra),
    secrets: { password: PASSWORD },
  });
}

async function storedRow(id: string) {
  const [row] = await opened.db.select().from(connections).where(eq(connections.id, id));
  if (!row) throw new Error("connection missing");
  return row;
}

describe("the connection view's server key", () => {
  it("is unknown before the first connection, the pinned key after it, and never anything else of the secrets", async () => {
    const created = await createSftp("Adsolut cloud");
    expect(created.serverKey).toEqual({ fingerprint: null, source: "first_use" });

    expect(await runConnectionCheck(opened.db, actors.system, created.id)).toMatchObject({ status: "connected" });
    const pin = ftpSecretsSchema.parse(decryptConnectionSecrets(await storedRow(created.id))).pinnedHostKey;
    expect(pin?.fingerprint).toBe(server.hostKeyFingerprint);

    const views = [
      await getConnection(opened.db, actors.admin, portalId, created.id),
      // Accountants see the page too, and the key with it.
      await getConnection(opened.db, actors.accountant, portalId, created.id),
      (await listConnections(opened.db, actors.accountant, portalId)).find((view) => view.id === created.id),
    ];
    for (const view of views) {
      expect(view?.serverKey).toEqual({ fingerprint: server.hostKeyFingerprint, source: "pinned" });
      expect(view?.secretsSet).toEqual({ password: true });
    }
    const serialized = JSON.stringify(views);
    const blob = (await storedRow(created.id)).secretsEncrypted ?? "";
    for (const secret of [PASSWORD, blob, "pinnedHostKey", "pinnedAt", pin?.pinnedAt ?? "?", "secretsEncrypted"]) {
      expect(serialized).not.toContain(secret);
    }
    // The fingerprint is in the view once per view: as serverKey, not in the settings.
    expect(views[0]?.settings).not.toHaveProperty("hostKeyFingerprint");
  });

  it("says typed when the admin entered the fingerprint, whatever was pinned before", async () => {
    const created = await createSftp("Adsolut cloud getypt");
    await runConnectionCheck(opened.db, actors.system, created.id);
    const typed = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    const view = await updateConnection(opened.db, actors.admin, portalId, created.id, {
      settings: sftpSettings({ hostKeyFingerprint: `${typed}=` }),
    });
    // As the connector will compare it: normalised, without the padding.
    expect(view.serverKey).toEqual({ fingerprint: typed, source: "typed" });
  });

  it("is unknown again when the settings point at another port than the pin was made at", async () => {
    const created = await createSftp("Adsolut cloud verhuisd");
    await runConnectionCheck(opened.db, actors.system, created.id);
    const view = await updateConnection(opened.db, actors.admin, portalId, created.id, {
      settings: sftpSettings({ port: String(server.port === 65535 ? 65534 : server.port + 1) }),
    });
    // The pin stays stored (for that host and port), but the next connection will pin anew.
    expect(ftpSecretsSchema.parse(decryptConnectionSecrets(await storedRow(created.id))).pinnedHostKey).toBeDefined();
    expect(view.serverKey).toEqual({ fingerprint: null, source: "first_use" });
  });

  it("is null for FTP(S) connections and API connections", async () => {
    const ftps = await createConnection(opened.db, actors.admin, portalId, {
      packageId: "expert-m",
      channel: "ftp",
      label: "Expert/M FTPS",
      settings: { host: "ftp.example.be", username: "kantoor", security: "explicit" },
      secrets: { password: PASSWORD },
    });
    expect(ftps.serverKey).toBeNull();
    const api = await createConnection(opened.db, actors.admin, portalId, {
      packageId: "yuki",
      channel: "api",
      label: "Yuki",
      settings: {},
      secrets: { accessKey: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f" },
    });
    expect(api.serverKey).toBeNull();
  });
});

describe("the Integrations page's card of an SFTP connection", () => {
  async function renderCard(connectionId: string, locale: "nl" | "fr" | "en") {
    const [{ createElement }, { renderToStaticMarkup }, { NextIntlClientProvider }, { ConnectionCard }] =
      await Promise.all([
        import("react"),
        import("react-dom/server"),
        import("next-intl"),
        import("@/app/(app)/portals/[portalId]/integrations/_components/connection-card"),
      ]);
    // What an accountant sees (no buttons): the key is for everyone who sees the page.
    const connection = await getConnection(opened.db, actors.accountant, portalId, connectionId);
    return renderToStaticMarkup(
      createElement(NextIntlClientProvider, {
        locale,
        messages: MESSAGES[locale],
        timeZone: "Europe/Brussels",
        now: new Date(),
        children: createElement(ConnectionCard, {
          portalId,
          connection,
          canManage: false,
          canAuthorize: false,
          form: null,
        }),
      }),
    );
  }

  it("shows the pinned fingerprint with where it comes from, in every language, and says when none is known yet", async () => {
    const created = await createSftp("Adsolut cloud kaart");
    const before = await renderCard(created.id, "nl");
    expect(before).toContain('data-server-key="first_use"');
    expect(before).toContain(MESSAGES.nl.connections.card.serverKey.firstUse);

    await runConnectionCheck(opened.db, actors.system, created.id);
    for (const locale of ["nl", "fr", "en"] as const) {
      const card = await renderCard(created.id, locale);
      const texts = MESSAGES[locale].connections.card.serverKey;
      expect(card).toContain('data-server-key="pinned"');
      expect(card).toContain(texts.label);
      expect(card).toContain(`${server.hostKeyFingerprint}</code>`);
      expect(card).toContain(`(${texts.pinned})`);
      // The subtitle names the protocol the office chose.
      expect(card).toContain("Adsolut · SFTP");
    }
  });

  it("shows no server key on an FTPS connection's card", async () => {
    const ftps = await createConnection(opened.db, actors.admin, portalId, {
      packageId: "expert-m",
      channel: "ftp",
      label: "Expert/M kaart",
      settings: { host: "ftp.example.be", username: "kantoor", security: "explicit" },
      secrets: { password: PASSWORD },
    });
    const card = await renderCard(ftps.id, "nl");
    expect(card).not.toContain("data-server-key");
    expect(card).not.toContain(MESSAGES.nl.connections.card.serverKey.label);
    expect(card).toContain("Expert/M · FTP");
  });
});
