import { createElement } from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CurrentIntegrationCard } from "@/app/(app)/dossiers/[dossierId]/integration/_components/current-integration";
import type { OpenedDb } from "@/db";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { getDossierIntegration } from "@/lib/integrations/get";
import { saveDossierIntegration } from "@/lib/integrations/save";
import { createTestDb } from "../../../helpers/db";
import { renderInLocale } from "../../../helpers/render-intl";
import { createWorld, insertConnectionOf, newDossier, type World } from "./setup";

// The card's test-send form imports the server actions; none runs here.
vi.mock("@/lib/auth/session", () => ({
  requireActor: async () => {
    throw new Error("no server action runs in these tests");
  },
}));

let opened: OpenedDb;
let world: World;
beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

/** Text as React writes it into HTML. */
const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#x27;");

describe("the dossier's Integration tab: the current integration card", () => {
  it("labels a connection's settings as its form does (an FTP dossier folder), in every language", async () => {
    const dossier = await newDossier(opened.db, world);
    const ftp = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "expert-m",
      channel: "ftp",
      label: "Expert/M FTP",
    });
    await saveDossierIntegration(opened.db, world.actors.accountant, dossier.id, {
      kind: "connection",
      connectionId: ftp.id,
      settings: { dossierFolder: "KLANT-17" },
    });
    const view = await getDossierIntegration(opened.db, world.actors.accountant, dossier.id);
    expect(view.current).toMatchObject({
      kind: "connection",
      settings: { dossierFolder: "KLANT-17" },
      settingLabelKeys: { dossierFolder: "connectors.ftp.fields.dossierFolder.label" },
    });

    for (const locale of LOCALES) {
      const html = renderInLocale(locale, createElement(CurrentIntegrationCard, { view }));
      expect(html).toContain("KLANT-17");
      expect(html).toContain(escapeHtml(MESSAGES[locale].connectors.ftp.fields.dossierFolder.label));
      expect(html).not.toContain(">dossierFolder<");
    }
  });
});
