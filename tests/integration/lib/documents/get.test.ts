import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { attempts, dispatches, users } from "@/db/schema";
import {
  allowedActionsOf,
  getDocumentDetail,
  getDocumentFile,
  listDocumentStates,
  summarizeUbl,
} from "@/lib/documents/get";
import { buildSamplePdf } from "@/lib/documents/sample-pdf";
import { NotFoundError } from "@/lib/errors";
import { UBL_INVOICE_XML, utf8 } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { attemptCopiesOf, dispatchValues, insertDocument } from "../../../helpers/fixtures";
import { createWorld, setStatus, useTempFileStore, type World } from "./setup";

let opened: OpenedDb;
let world: World;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  await files?.dispose();
  await opened?.close();
});

const MISSING = "00000000-0000-4000-8000-000000000000";

describe("getDocumentDetail", () => {
  it("gives the facts, the status with its reason and every request with its attempts, newest request first", async () => {
    const { db } = opened;
    const document = await insertDocument(db, world.dossier);
    await setStatus(db, document.id, "sent", {
      recognisedFields: { supplierName: "Luminus", invoiceNumber: "AF-1", totalAmount: 12.5, currency: "EUR" },
      sentAt: new Date(),
      importedAt: new Date("2026-03-03T10:00:00Z"),
      packageReference: "re_123",
    });
    const [bram] = await db
      .insert(users)
      .values({ email: `bram-${randomUUID()}@example.test`, name: "Bram" })
      .returning();
    const [first] = await db
      .insert(dispatches)
      .values({
        ...dispatchValues(document, "failed"),
        trigger: "manual",
        requestedByUserId: bram?.id,
        createdAt: new Date("2026-03-01T10:00:00Z"),
      })
      .returning();
    const [second] = await db
      .insert(dispatches)
      .values({
        ...dispatchValues(document, "succeeded"),
        trigger: "retry",
        packageReference: "re_123",
        createdAt: new Date("2026-03-02T10:00:00Z"),
      })
      .returning();
    if (!first || !second) throw new Error("dispatches not inserted");
    const copies = await attemptCopiesOf(db, first.id);
    const attempt = (dispatchId: string, number: number, values: Partial<typeof attempts.$inferInsert>) => ({
      ...copies,
      portalId: world.portal.id,
      dispatchId,
      documentId: document.id,
      number,
      trigger: "manual" as const,
      connector: "email",
      target: { to: "aankoop@example.test" },
      ...values,
    });
    await db.insert(attempts).values([
      attempt(first.id, 1, {
        outcome: "retryable_error",
        errorCode: "timeout",
        reason: "connectors.errors.timeout",
        startedAt: new Date("2026-03-01T10:00:01Z"),
      }),
      attempt(first.id, 2, {
        outcome: "permanent_error",
        errorCode: "recipient_refused",
        reason: "connectors.errors.recipient_refused",
        startedAt: new Date("2026-03-01T10:01:00Z"),
      }),
      attempt(second.id, 1, {
        trigger: "retry",
        outcome: "succeeded",
        packageReference: "re_123",
        startedAt: new Date("2026-03-02T10:00:01Z"),
      }),
    ]);

    const detail = await getDocumentDetail(db, world.actors.entrepreneur, world.dossier.id, document.id);
    expect(detail).toMatchObject({
      id: document.id,
      status: "sent",
      documentType: "purchase_invoice",
      packageReference: "re_123",
      importedAt: new Date("2026-03-03T10:00:00Z"),
      recognisedFields: { supplierName: "Luminus", invoiceNumber: "AF-1" },
      allowed: { send: false, retry: false, type: false, delete: false, archive: true, unarchive: false },
    });
    expect(detail.history.map((entry) => entry.trigger)).toEqual(["retry", "manual"]);
    expect(detail.history[0]?.requestedBy).toBeNull();
    expect(detail.history[1]?.requestedBy).toEqual({ name: "Bram", email: bram?.email });
    expect(detail.history[1]?.attempts.map((entry) => [entry.number, entry.outcome, entry.reason])).toEqual([
      [1, "retryable_error", "connectors.errors.timeout"],
      [2, "permanent_error", "connectors.errors.recipient_refused"],
    ]);
    expect(detail.history[0]?.attempts).toHaveLength(1);
    // No storage key, no secrets: only what the page shows.
    expect(detail).not.toHaveProperty("storageKey");
  });

  it("answers 404 for a document of another dossier, another office, or an unknown or malformed id", async () => {
    const { db } = opened;
    const neighbour = await insertDocument(db, world.neighbourDossier);
    const foreign = await insertDocument(db, world.foreignDossier);
    const own = await insertDocument(db, world.dossier);
    const cases: [keyof World["actors"], string, string][] = [
      // Asked through the wrong dossier: the document is not in it.
      ["accountant", world.dossier.id, neighbour.id],
      // The entrepreneur may not see the neighbouring dossier at all.
      ["entrepreneur", world.neighbourDossier.id, neighbour.id],
      ["otherAdmin", world.dossier.id, own.id],
      ["otherToken", world.dossier.id, own.id],
      ["admin", world.foreignDossier.id, foreign.id],
      ["admin", world.dossier.id, MISSING],
      ["admin", world.dossier.id, "not-a-uuid"],
    ];
    for (const [who, dossierId, documentId] of cases) {
      await expect(getDocumentDetail(db, world.actors[who], dossierId, documentId)).rejects.toThrow(NotFoundError);
    }
  });
});

describe("listDocumentStates", () => {
  it("gives the live state of the dossier's documents asked for, and leaves out anything else", async () => {
    const { db } = opened;
    const sending = await insertDocument(db, world.dossier);
    await setStatus(db, sending.id, "sending");
    const failed = await insertDocument(db, world.dossier);
    await setStatus(db, failed.id, "failed", {
      lastErrorCode: "recipient_refused",
      lastErrorReason: "connectors.errors.recipient_refused",
    });
    const neighbour = await insertDocument(db, world.neighbourDossier);
    const states = await listDocumentStates(db, world.actors.entrepreneur, world.dossier.id, [
      sending.id,
      failed.id,
      neighbour.id,
      MISSING,
      "nonsense",
    ]);
    const byId = new Map(states.map((state) => [state.id, state]));
    expect([...byId.keys()].sort()).toEqual([sending.id, failed.id].sort());
    expect(byId.get(sending.id)?.status).toBe("sending");
    expect(byId.get(failed.id)).toMatchObject({
      status: "failed",
      lastErrorReason: "connectors.errors.recipient_refused",
      allowed: { retry: true, delete: true, type: true, send: false },
    });
  });

  it("answers 404 for a dossier the actor may not see", async () => {
    await expect(listDocumentStates(opened.db, world.actors.otherAdmin, world.dossier.id, [MISSING])).rejects.toThrow(
      NotFoundError,
    );
  });
});

describe("getDocumentFile", () => {
  it("reads the stored bytes for members of the dossier", async () => {
    const { db } = opened;
    const document = await insertDocument(db, world.dossier);
    const content = buildSamplePdf({ title: "Factuur", supplierName: "Luminus" });
    await files.store.put(document.storageKey, content, { contentType: "application/pdf" });
    for (const who of ["entrepreneur", "accountant", "admin", "token"] as const) {
      const file = await getDocumentFile(db, world.actors[who], document.id);
      expect(file.mimeType).toBe("application/pdf");
      expect(file.fileName).toBe(document.fileName);
      expect(Buffer.from(file.content).equals(Buffer.from(content))).toBe(true);
    }
  });

  it("answers 404 to other offices, other dossiers' entrepreneurs, unknown ids and missing files", async () => {
    const { db } = opened;
    const document = await insertDocument(db, world.neighbourDossier);
    await files.store.put(document.storageKey, buildSamplePdf({ title: "x" }), { contentType: "application/pdf" });
    await expect(getDocumentFile(db, world.actors.entrepreneur, document.id)).rejects.toThrow(NotFoundError);
    await expect(getDocumentFile(db, world.actors.otherAdmin, document.id)).rejects.toThrow(NotFoundError);
    await expect(getDocumentFile(db, world.actors.admin, MISSING)).rejects.toThrow(NotFoundError);
    await expect(getDocumentFile(db, world.actors.admin, "../../etc/passwd")).rejects.toThrow(NotFoundError);
    const withoutFile = await insertDocument(db, world.dossier);
    await expect(getDocumentFile(db, world.actors.admin, withoutFile.id)).rejects.toThrow(NotFoundError);
  });
});

describe("allowedActionsOf", () => {
  const state = (status: "inbox" | "sending" | "sent" | "failed" | "rejected", extra = {}) => ({
    status,
    documentType: "purchase_invoice" as const,
    archivedAt: null,
    ...extra,
  });
  // The life rules, seen by the dossier's entrepreneur (the permission table gives them every document action).
  const allowed = (documentState: ReturnType<typeof state>) =>
    allowedActionsOf(
      world.actors.entrepreneur,
      { portalId: world.portal.id, dossierId: world.dossier.id },
      documentState,
    );

  it("offers send, type and delete for a recognised inbox document", () => {
    expect(allowed(state("inbox"))).toEqual({
      send: true,
      retry: false,
      sendAgain: false,
      type: true,
      delete: true,
      archive: false,
      unarchive: false,
      confirmNotDuplicate: false,
    });
  });

  it("offers no send for a document without a type, only typing and deleting", () => {
    expect(allowed(state("inbox", { documentType: null }))).toMatchObject({
      send: false,
      type: true,
      delete: true,
    });
  });

  it("offers retry for failed and send again for rejected documents", () => {
    expect(allowed(state("failed"))).toMatchObject({ retry: true, send: false, sendAgain: false });
    expect(allowed(state("rejected"))).toMatchObject({ sendAgain: true, send: false, retry: false });
  });

  it("offers only archive for a sent document, and only un-archive once archived", () => {
    expect(allowed(state("sent"))).toEqual({
      send: false,
      retry: false,
      sendAgain: false,
      type: false,
      delete: false,
      archive: true,
      unarchive: false,
      confirmNotDuplicate: false,
    });
    expect(allowed(state("sent", { archivedAt: new Date() }))).toMatchObject({
      archive: false,
      unarchive: true,
    });
  });

  it("offers nothing while a document is being sent", () => {
    expect(Object.values(allowed(state("sending"))).some(Boolean)).toBe(false);
  });

  it("gives the office's admin, accountant and token the same buttons as the dossier's entrepreneur", () => {
    const scope = { portalId: world.portal.id, dossierId: world.dossier.id };
    for (const documentState of [state("inbox"), state("failed"), state("rejected"), state("sent")]) {
      for (const actor of [world.actors.admin, world.actors.accountant, world.actors.token]) {
        expect(allowedActionsOf(actor, scope, documentState)).toEqual(allowed(documentState));
      }
    }
  });

  it("offers nothing to whom the permission table refuses the dossier, whatever the rules allow", () => {
    const outsiders = [
      [world.actors.otherAdmin, { portalId: world.portal.id, dossierId: world.dossier.id }],
      [world.actors.otherToken, { portalId: world.portal.id, dossierId: world.dossier.id }],
      // The entrepreneur on the neighbouring dossier of the same office.
      [world.actors.entrepreneur, { portalId: world.portal.id, dossierId: world.neighbourDossier.id }],
    ] as const;
    for (const [actor, scope] of outsiders) {
      for (const documentState of [
        state("inbox"),
        state("failed"),
        state("rejected"),
        state("sent", { archivedAt: new Date() }),
      ]) {
        expect(Object.values(allowedActionsOf(actor, scope, documentState)).some(Boolean)).toBe(false);
      }
    }
  });
});

describe("summarizeUbl", () => {
  it("reads number, dates, parties, amount and lines of a UBL invoice", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>INV-2026-042</cbc:ID>
  <cbc:IssueDate>2026-03-14</cbc:IssueDate>
  <cbc:DueDate>2026-04-13</cbc:DueDate>
  <!-- <cbc:ID>not this one</cbc:ID> -->
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Drukkerij &amp; Co</cbc:Name></cac:PartyName>
    <cac:PartyLegalEntity><cbc:RegistrationName>Drukkerij &amp; Co BV</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Studio Lemaire</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="eur">121.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID></cac:InvoiceLine>
  <cac:InvoiceLine><cbc:ID>2</cbc:ID></cac:InvoiceLine>
</Invoice>`;
    expect(summarizeUbl(utf8(xml))).toEqual({
      kind: "Invoice",
      number: "INV-2026-042",
      issueDate: "2026-03-14",
      dueDate: "2026-04-13",
      supplierName: "Drukkerij & Co BV",
      customerName: "Studio Lemaire",
      payableAmount: "121.00",
      currency: "EUR",
      lineCount: 2,
    });
  });

  it("leaves out what a minimal file does not say, and is null for anything but UBL", () => {
    expect(summarizeUbl(utf8(UBL_INVOICE_XML))).toMatchObject({
      kind: "Invoice",
      number: "INV-2026-001",
      supplierName: null,
      payableAmount: null,
      lineCount: 0,
    });
    expect(summarizeUbl(buildSamplePdf({ title: "x" }))).toBeNull();
  });
});
