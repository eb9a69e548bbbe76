import { rmSync } from "node:fs";
import path from "node:path";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections, documents } from "@/db/schema";
import { createConnection, testConnection } from "@/lib/connections/service";
import { closeFtpSessions } from "@/lib/connectors/ftp";
import type { DocumentType } from "@/lib/connectors/types";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { listConnectionsForReadBack, readBackConnection } from "@/lib/read-back/service";
import { type FakeFtpServer, startFakeFtpServer } from "../../../fakes/ftp-server";
import { createTestDb } from "../../../helpers/db";
import { insertDossier } from "../../../helpers/fixtures";
import { useTestEncryptionKey } from "../connections/helpers";
import { allowPrivateFtpHosts } from "../connectors/ftp/helpers";
import { collectingEnqueue, insertSendableDocument, setIntegration, useTempFileStore } from "../dispatch/setup";
import { createWorld, insertConnectionOf, type World } from "../integrations/setup";

// FTP end to end below the UI: an admin's FTP connection (real encryption, real check), a dossier
// on it, a bulk send of 20 documents through requestSend and the deliver step into an in-process
// FTP server, then the read-back marking the documents an importer took away as imported.

let opened: OpenedDb;
let world: World;
let server: FakeFtpServer;
let cleanupFiles: () => void;
let connectionId = "";
let dossier: { id: string; portalId: string; companyNumber: string };
const delivered = new Map<string, string>();

const MIX: Array<[DocumentType, number]> = [
  ["purchase_invoice", 8],
  ["receipt", 2],
  ["purchase_credit_note", 2],
  ["sales_invoice", 4],
  ["sales_credit_note", 1],
  ["other", 3],
];

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  useTestEncryptionKey();
  opened = await createTestDb();
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  server = await startFakeFtpServer({ users: { kantoor: "Geheim-FTP-1" } });

  const connection = await createConnection(opened.db, world.actors.admin, world.portal.id, {
    packageId: "expert-m",
    channel: "ftp",
    label: "Expert/M kantoorserver",
    settings: { host: "127.0.0.1", port: String(server.port), username: "kantoor", security: "plain" },
    secrets: { password: "Geheim-FTP-1" },
  });
  connectionId = connection.id;
  expect(await testConnection(opened.db, world.actors.admin, world.portal.id, connectionId)).toMatchObject({
    status: "connected",
  });
  dossier = await insertDossier(opened.db, world.portal.id);
  await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: {} });
});
afterAll(async () => {
  // The deliveries left a pooled session open on the server; close it before the server.
  await closeFtpSessions();
  await server?.close();
  cleanupFiles?.();
  await opened?.close();
  allowPrivateFtpHosts(undefined);
});

describe("a bulk send of 20 documents over FTP", () => {
  it("lands every document once, in its category's folder, and ends Sent", async () => {
    const ids: string[] = [];
    for (const [documentType, count] of MIX) {
      for (let i = 0; i < count; i++) ids.push((await insertSendableDocument(opened.db, dossier, { documentType })).id);
    }
    const queue = collectingEnqueue();
    const { accepted, refused } = await requestSend(
      opened.db,
      world.actors.accountant,
      { dossierId: dossier.id, documentIds: ids, trigger: "bulk" },
      { enqueue: queue.enqueue },
    );
    expect(refused).toEqual([]);
    expect(accepted).toHaveLength(20);
    // FTP deliveries of one connection run in two lanes (concurrencyKeyOf): run them as the job
    // driver does, one at a time per lane and both lanes at once.
    const lanes = new Map<string, string[]>();
    for (const event of queue.events) {
      lanes.set(event.concurrencyKey, [...(lanes.get(event.concurrencyKey) ?? []), event.dispatchId]);
    }
    expect([...lanes.keys()].sort()).toEqual([`${connectionId}:0`, `${connectionId}:1`]);
    const loginsBefore = server.logins.length;
    const commandsBefore = server.commands.length;
    await Promise.all(
      [...lanes.values()].map(async (dispatchIds) => {
        for (const dispatchId of dispatchIds) {
          expect(await deliverDispatch(opened.db, dispatchId)).toMatchObject({ outcome: "sent" });
        }
      }),
    );
    // One session, lent to one delivery at a time: each file's STOR, RNFR, RNTO form one block.
    expect(server.logins.length - loginsBefore).toBe(1);
    const owners = server.commands
      .slice(commandsBefore)
      .map((entry) => /_([0-9a-f]{12})\.pdf/.exec(entry.command)?.[1])
      .filter((owner): owner is string => owner !== undefined);
    const blocks = owners.filter((owner, index) => index === 0 || owners[index - 1] !== owner);
    expect(owners).toHaveLength(60);
    expect(blocks).toHaveLength(20);

    const rows = await opened.db
      .select({ id: documents.id, status: documents.status, packageReference: documents.packageReference })
      .from(documents)
      .where(inArray(documents.id, ids));
    expect(rows.every((row) => row.status === "sent")).toBe(true);
    for (const row of rows) delivered.set(row.id, row.packageReference ?? "");

    const files = server.listFiles();
    expect(files).toHaveLength(20);
    expect(files.sort()).toEqual([...delivered.values()].sort());
    const base = `/${dossier.companyNumber}`;
    const inFolder = (folder: string) => files.filter((file) => path.posix.dirname(file) === `${base}/${folder}`);
    expect(inFolder("Aankoop")).toHaveLength(12);
    expect(inFolder("Verkoop")).toHaveLength(5);
    expect(inFolder("Divers")).toHaveLength(3);
    for (const [id, reference] of delivered) {
      expect(path.posix.basename(reference)).toContain(id.replace(/-/g, "").slice(0, 12));
    }
  });
});

describe("read-back", () => {
  it("marks the documents whose files the importer took away as imported, and only those", async () => {
    expect(await listConnectionsForReadBack(opened.db)).toEqual([{ id: connectionId, portalId: world.portal.id }]);
    const taken = [...delivered.entries()].slice(0, 7);
    for (const [, reference] of taken) rmSync(path.join(server.root, reference));

    const first = await readBackConnection(opened.db, connectionId);
    expect(first).toEqual({ outcome: "checked", checked: 20, imported: 7, rejected: 0 });

    const rows = await opened.db
      .select({ id: documents.id, importedAt: documents.importedAt, status: documents.status })
      .from(documents)
      .where(inArray(documents.id, [...delivered.keys()]));
    const importedIds = rows.filter((row) => row.importedAt !== null).map((row) => row.id);
    expect(importedIds.sort()).toEqual(taken.map(([id]) => id).sort());
    expect(rows.every((row) => row.status === "sent")).toBe(true);

    // A second run asks only about the rest and changes nothing.
    expect(await readBackConnection(opened.db, connectionId)).toEqual({
      outcome: "checked",
      checked: 13,
      imported: 0,
      rejected: 0,
    });
    // Documents sent longer ago than the window are not asked about.
    const later = new Date(Date.now() + 31 * 24 * 60 * 60 * 1000);
    expect(await readBackConnection(opened.db, connectionId, { now: () => later })).toEqual({
      outcome: "skipped",
      reason: "nothing_sent",
    });
  });

  it("reports an unreachable server as a failed run and marks nothing", async () => {
    const [row] = await opened.db.select().from(connections).where(eq(connections.id, connectionId));
    const settings = { ...(row?.settings ?? {}) };
    await opened.db
      .update(connections)
      .set({ settings: { ...settings, port: 1 } })
      .where(eq(connections.id, connectionId));
    try {
      const result = await readBackConnection(opened.db, connectionId);
      expect(result).toMatchObject({ outcome: "failed" });
    } finally {
      await opened.db.update(connections).set({ settings }).where(eq(connections.id, connectionId));
    }
  });

  it("leaves connections that need re-authorisation or are disabled alone", async () => {
    for (const status of ["needs_reauth", "disabled"] as const) {
      await opened.db.update(connections).set({ status }).where(eq(connections.id, connectionId));
      expect(await readBackConnection(opened.db, connectionId)).toEqual({ outcome: "skipped", reason: "status" });
      expect(await listConnectionsForReadBack(opened.db)).toEqual([]);
    }
    await opened.db.update(connections).set({ status: "connected" }).where(eq(connections.id, connectionId));
    expect(await listConnectionsForReadBack(opened.db)).toHaveLength(1);
  });

  it("skips connections without a read-back and unknown ids", async () => {
    // Clearfacts has no API connector: a connection of it has nothing to ask.
    const withoutConnector = await insertConnectionOf(opened.db, world.portal.id, {
      packageId: "clearfacts",
      label: "Clearfacts (no API connector)",
    });
    expect(await readBackConnection(opened.db, withoutConnector.id)).toEqual({
      outcome: "skipped",
      reason: "no_read_back",
    });
    expect(await readBackConnection(opened.db, "00000000-0000-4000-8000-000000000000")).toEqual({
      outcome: "skipped",
      reason: "not_found",
    });
  });
});
