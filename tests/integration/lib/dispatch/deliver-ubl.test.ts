import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { connections } from "@/db/schema";
import { clearYukiSessions } from "@/lib/connectors/api/yuki";
import { closeFtpSessions } from "@/lib/connectors/ftp";
import { connectionSecretsContext, encryptSecrets } from "@/lib/crypto/secrets";
import { deliverDispatch } from "@/lib/dispatch/deliver";
import { requestSend } from "@/lib/dispatch/request-send";
import { resetEnvCache } from "@/lib/env";
import { type FakeFtpServer, startFakeFtpServer } from "../../../fakes/ftp-server";
import { startFakeResend } from "../../../fakes/resend";
import { FAKE_YUKI_ACCESS_KEY, type FakeYuki, startFakeYuki } from "../../../fakes/yuki";
import { createTestDb } from "../../../helpers/db";
import { allowCustomApiHosts } from "../../../helpers/env";
import { insertDossier } from "../../../helpers/fixtures";
import { isPdf, pdfText } from "../../../helpers/pdf-text";
import { ublBytes } from "../../../helpers/ubl";
import { allowPrivateFtpHosts } from "../connectors/ftp/helpers";
import { DOSSIER_SETTINGS as YUKI_DOSSIER_SETTINGS } from "../connectors/yuki/helpers";
import { createWorld, type World } from "../integrations/setup";
import {
  attemptsOf,
  collectingEnqueue,
  dispatchesOf,
  insertSendableDocument,
  setIntegration,
  useTempFileStore,
} from "./setup";

// A UBL e-invoice goes to each channel in the form its package takes (catalog `ubl`), through the
// whole delivery (requestSend → deliverDispatch → connector → the channel's fake): FTP gets the PDF
// and its XML side by side, mail attaches both, Yuki uploads the PDF with its UBL companion, and a
// package that takes only PDF gets Koppel's rendering when the XML carries no PDF.

let opened: OpenedDb;
let world: World;
let cleanupFiles: () => void;
let resend: Awaited<ReturnType<typeof startFakeResend>>;
let ftp: FakeFtpServer;
let yuki: FakeYuki;

const ENV_KEYS = ["RESEND_API_KEY", "RESEND_BASE_URL"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

/** The supplier's own PDF, as a UBL file carries it (AdditionalDocumentReference). */
const EMBEDDED_PDF = new TextEncoder().encode("%PDF-1.7\n% the supplier's own invoice\n%%EOF\n");

beforeAll(async () => {
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  cleanupFiles = useTempFileStore();
  world = await createWorld(opened.db);
  resend = await startFakeResend();
  process.env.RESEND_API_KEY = "re_test";
  process.env.RESEND_BASE_URL = resend.url;
  allowPrivateFtpHosts("1");
  allowCustomApiHosts("1");
  resetEnvCache();
  ftp = await startFakeFtpServer();
  yuki = await startFakeYuki();
});
beforeEach(() => {
  resend.requests.length = 0;
  clearYukiSessions();
});
afterAll(async () => {
  await closeFtpSessions();
  await ftp?.close();
  await yuki?.close();
  await resend?.close();
  cleanupFiles?.();
  allowPrivateFtpHosts(undefined);
  allowCustomApiHosts(undefined);
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

/** A UBL invoice in the dossier's Inbox, recognised as a purchase invoice, with or without its PDF. */
async function insertUblInvoice(dossier: { id: string; portalId: string }, options: { withPdf: boolean }) {
  return insertSendableDocument(opened.db, dossier, {
    fileName: "factuur-0042.xml",
    mimeType: "application/xml",
    content: ublBytes({ embeddedPdf: options.withPdf ? EMBEDDED_PDF : null }),
    recognisedFields: { supplierName: "Bakkerij Wouters BV", invoiceNumber: "INV-2026-0042" },
  });
}

/** Sends one document as the accountant and runs its delivery; returns the dispatch's attempt. */
async function sendAndDeliver(dossier: { id: string }, documentId: string) {
  const queue = collectingEnqueue();
  const { accepted, refused } = await requestSend(
    opened.db,
    world.actors.accountant,
    { dossierId: dossier.id, documentIds: [documentId], trigger: "manual" },
    { enqueue: queue.enqueue },
  );
  expect(refused).toEqual([]);
  const event = queue.events[0];
  if (!event || !accepted[0]) throw new Error("not accepted");
  const result = await deliverDispatch(opened.db, event.dispatchId);
  expect(result.outcome).toBe("sent");
  const [attempt] = await attemptsOf(opened.db, event.dispatchId);
  const [dispatch] = await dispatchesOf(opened.db, documentId);
  return { attempt, dispatch };
}

async function insertConnection(input: {
  packageId: string;
  channel: "api" | "ftp";
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
}) {
  const id = randomUUID();
  await opened.db.insert(connections).values({
    id,
    portalId: world.portal.id,
    packageId: input.packageId,
    channel: input.channel,
    label: input.packageId,
    settings: input.settings,
    secretsEncrypted: encryptSecrets(input.secrets, connectionSecretsContext(id)),
    status: "connected",
  });
  return id;
}

type MailBody = { to: string[]; attachments: { filename: string; content: string; content_type: string }[] };

describe("a UBL e-invoice by mail", () => {
  it("attaches the embedded PDF and the XML under one name for a package that takes both (free mail)", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, {
      kind: "free_email",
      addresses: { purchase: "boekhouding@kantoor.example" },
    });
    const document = await insertUblInvoice(dossier, { withPdf: true });

    const { attempt, dispatch } = await sendAndDeliver(dossier, document.id);

    const mails = resend.requests.filter((request) => request.url === "/emails");
    expect(mails).toHaveLength(1);
    const body = mails[0]?.body as MailBody;
    expect(body.attachments).toEqual([
      {
        filename: "factuur-0042.pdf",
        content: Buffer.from(EMBEDDED_PDF).toString("base64"),
        content_type: "application/pdf",
      },
      {
        filename: "factuur-0042.xml",
        content: Buffer.from(document.content).toString("base64"),
        content_type: "application/xml",
      },
    ]);
    // The history says which form went.
    expect(attempt?.target).toMatchObject({ ublForm: "pdf+xml", ublPdf: "embedded" });
    expect(dispatch?.target).toMatchObject({ ublForm: "pdf+xml", ublPdf: "embedded" });
  });

  it("attaches only Koppel's rendering, named as one, for a PDF-only package when the XML carries no PDF", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    // Octopus takes structured PDFs only (catalog ubl: pdf).
    await setIntegration(opened.db, dossier, {
      kind: "email",
      packageId: "octopus",
      addresses: { purchase: "uid-008352-24@import.octopus.be" },
    });
    const document = await insertUblInvoice(dossier, { withPdf: false });

    const { attempt } = await sendAndDeliver(dossier, document.id);

    const body = resend.requests.find((request) => request.url === "/emails")?.body as MailBody;
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment?.filename).toBe("factuur-0042-rendering.pdf");
    expect(attachment?.content_type).toBe("application/pdf");
    const rendering = Buffer.from(attachment?.content ?? "", "base64");
    expect(isPdf(rendering)).toBe(true);
    // Compressed, but its title (UTF-16 in the info dictionary) names the invoice and the mark.
    const title = Buffer.from("Weergave door Koppel van e-factuur INV-2026-0042", "utf16le").swap16();
    expect(rendering.includes(title)).toBe(true);
    expect(attempt?.target).toMatchObject({ ublForm: "pdf", ublPdf: "rendering" });
  });
});

describe("a UBL e-invoice over FTP", () => {
  it("lands as the PDF and its XML side by side, under one deterministic name (Expert/M takes both)", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connectionId = await insertConnection({
      packageId: "expert-m",
      channel: "ftp",
      settings: { host: ftp.host, port: ftp.port, username: "probe", security: "plain" },
      secrets: { password: "secret" },
    });
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: {} });
    const document = await insertUblInvoice(dossier, { withPdf: false });

    const { attempt, dispatch } = await sendAndDeliver(dossier, document.id);

    const ours = ftp.listFiles().filter((file) => file.includes(document.id.replace(/-/g, "").slice(0, 12)));
    expect(ours).toHaveLength(2);
    const pdfPath = ours.find((file) => file.endsWith(".pdf")) ?? "";
    const xmlPath = ours.find((file) => file.endsWith(".xml")) ?? "";
    expect(pdfPath).toMatch(/^\/\d{10}\/Aankoop\/\d{8}-\d{6}_factuur-0042-rendering_[0-9a-f]{12}\.pdf$/);
    expect(xmlPath).toBe(pdfPath.replace(/\.pdf$/, ".xml"));
    expect(ftp.readFile(xmlPath).equals(Buffer.from(document.content))).toBe(true);
    expect(isPdf(ftp.readFile(pdfPath))).toBe(true);
    // No temporary file is left behind.
    expect(ftp.listFiles().some((file) => file.endsWith(".part"))).toBe(false);
    expect(dispatch?.packageReference).toBe(pdfPath);
    expect(attempt?.target).toMatchObject({
      ublForm: "pdf+xml",
      ublPdf: "rendering",
      fileName: pdfPath.split("/").pop(),
      companionFileName: xmlPath.split("/").pop(),
    });
  });
});

describe("a UBL e-invoice to Yuki", () => {
  it("uploads the embedded PDF with the XML as its companion (UploadDocumentWithAttachment)", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const connectionId = await insertConnection({
      packageId: "yuki",
      channel: "api",
      settings: { region: "be", baseUrl: yuki.url },
      secrets: { accessKey: FAKE_YUKI_ACCESS_KEY },
    });
    await setIntegration(opened.db, dossier, { kind: "connection", connectionId, settings: YUKI_DOSSIER_SETTINGS });
    const document = await insertUblInvoice(dossier, { withPdf: true });

    const { dispatch } = await sendAndDeliver(dossier, document.id);

    const stored = yuki.documents.find((candidate) => candidate.id === dispatch?.packageReference);
    expect(stored?.fileName).toMatch(/^factuur-0042_KP[0-9a-f]+\.pdf$/);
    expect(Buffer.from(stored?.content ?? []).equals(Buffer.from(EMBEDDED_PDF))).toBe(true);
    expect(stored?.attachment?.fileName).toBe(stored?.fileName.replace(/\.pdf$/, ".xml"));
    expect(Buffer.from(stored?.attachment?.content ?? []).equals(Buffer.from(document.content))).toBe(true);
    expect(yuki.callCount("UploadDocumentWithAttachment")).toBe(1);
    expect(dispatch?.target).toMatchObject({ ublForm: "pdf+xml", ublPdf: "embedded" });
  });

  it("sends the rendered PDF without companion to Yuki's mailbox, which recognises only PDF", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, {
      kind: "email",
      packageId: "yuki",
      addresses: { purchase: "bakkerijwouters@yukiworks.be" },
    });
    const document = await insertUblInvoice(dossier, { withPdf: false });

    await sendAndDeliver(dossier, document.id);

    const body = resend.requests.find((request) => request.url === "/emails")?.body as MailBody;
    expect(body.attachments.map((attachment) => attachment.filename)).toEqual(["factuur-0042-rendering.pdf"]);
  });
});

describe("a PDF is not touched", () => {
  it("goes as it is, and the history records no UBL form", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    await setIntegration(opened.db, dossier, {
      kind: "free_email",
      addresses: { purchase: "boekhouding@kantoor.example" },
    });
    const document = await insertSendableDocument(opened.db, dossier, { fileName: "scan.pdf" });

    const { attempt } = await sendAndDeliver(dossier, document.id);

    const body = resend.requests.find((request) => request.url === "/emails")?.body as MailBody;
    expect(body.attachments).toEqual([
      {
        filename: "scan.pdf",
        content: Buffer.from(document.content).toString("base64"),
        content_type: "application/pdf",
      },
    ]);
    expect(attempt?.target).not.toHaveProperty("ublForm");
    expect(pdfText(document.content)).toBe("");
  });
});
