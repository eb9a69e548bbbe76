import { rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectorError } from "@/lib/connectors/errors";
import { closeFtpSessions, ftpConnector } from "@/lib/connectors/ftp";
import type { DeliveryDocument } from "@/lib/connectors/types";
import { type FakeFtpServer, startFakeFtpServer } from "../../../../fakes/ftp-server";
import { allowPrivateFtpHosts, contextFor, documentFor, pdfBytes } from "./helpers";

// Delivery against a real FTP server (ftp-srv, plain FTP, in this process): folders per profile,
// temporary name then rename, idempotent retries, and how failures are classified.

let server: FakeFtpServer;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  server = await startFakeFtpServer();
});
afterAll(async () => {
  // Pooled sessions first: the server must not wait for clients that are still logged in.
  await closeFtpSessions();
  await server?.close();
  allowPrivateFtpHosts(undefined);
});
beforeEach(() => {
  // Each test starts from an empty server that replaces files on rename.
  server.refuseRenameOntoExisting = false;
  for (const entry of server.listFiles().map((file) => file.split("/")[1])) {
    rmSync(path.join(server.root, entry ?? ""), { recursive: true, force: true });
  }
  server.readOnlyPaths.clear();
  server.dropNextUploadAfterBytes = null;
});

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(caught instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(caught)}`);
  return caught;
}

const TYPES = {
  purchase: "purchase_invoice",
  sales: "sales_credit_note",
  other: "other",
} as const satisfies Record<DeliveryDocument["category"], DeliveryDocument["documentType"]>;

describe("folders per package profile", () => {
  it.each([
    ["expert-m", { purchase: "/0123456749/Aankoop", sales: "/0123456749/Verkoop", other: "/0123456749/Divers" }],
    [
      "sage-bob",
      {
        purchase: "/0123456749/Scans/Aankopen",
        sales: "/0123456749/Scans/Verkopen",
        other: "/0123456749/Scans/Diversen",
      },
    ],
    ["adsolut", { purchase: "/BE0123456749/Aankoop", sales: "/BE0123456749/Verkoop", other: "/BE0123456749/Divers" }],
    ["generic-ftp", { purchase: "/0123456749/purchase", sales: "/0123456749/sales", other: "/0123456749/other" }],
    ["vero-online", { purchase: "/0123456749/purchase", sales: "/0123456749/sales", other: "/0123456749/other" }],
    ["account-2000", { purchase: "/0123456749/purchase", sales: "/0123456749/sales", other: "/0123456749/other" }],
  ] as const)("%s puts purchase, sales and other documents in their folders", async (packageId, folders) => {
    const ctx = contextFor(server, { packageId });
    const expected: string[] = [];
    for (const category of ["purchase", "sales", "other"] as const) {
      const document = documentFor({ category, documentType: TYPES[category], fileName: `${category}.pdf` });
      const receipt = await ftpConnector.deliver(ctx, document, { content: pdfBytes(1_500) });
      const name = `20250315-090507_${category}_${document.id.replace(/-/g, "").slice(0, 12)}.pdf`;
      expect(receipt).toEqual({
        packageReference: `${folders[category]}/${name}`,
        target: { host: "127.0.0.1", folder: folders[category], fileName: name, isAlreadyThere: false },
      });
      expected.push(`${folders[category]}/${name}`);
    }
    expect(server.listFiles()).toEqual(expected.sort());
  });

  it("follows the dossier's own folder, the base folder and the connection's layout override", async () => {
    const ctx = contextFor(server, {
      packageId: "vero-online",
      settings: { baseFolder: "/koppel/in", layout: "{dossierFolder}/{year}/{category}", salesFolder: "VERKOPEN" },
      dossierSettings: { dossierFolder: "WOUTERS" },
    });
    const document = documentFor({
      category: "sales",
      documentType: "sales_invoice",
      recognisedFields: { invoiceDate: "2024-12-31" },
    });
    const receipt = await ftpConnector.deliver(ctx, document, { content: pdfBytes() });
    expect(receipt.packageReference).toMatch(
      /^\/koppel\/in\/WOUTERS\/2024\/VERKOPEN\/20250315-090507_factuur_[0-9a-f]{12}\.pdf$/,
    );
    expect(server.listFiles()).toEqual([receipt.packageReference]);
  });

  it("resolves a relative base folder from the folder the user lands in", async () => {
    const ctx = contextFor(server, { settings: { baseFolder: "import" } });
    const receipt = await ftpConnector.deliver(ctx, documentFor(), { content: pdfBytes() });
    expect(receipt.packageReference).toMatch(/^\/import\/0123456749\/purchase\//);
  });

  it("refuses a dossier without a folder when the profile has no default for it", async () => {
    const ctx = contextFor(server, { dossier: null });
    const error = await failureOf(ftpConnector.deliver(ctx, documentFor(), { content: pdfBytes() }));
    expect(error).toMatchObject({ kind: "permanent", code: "invalid_settings" });
    expect(server.listFiles()).toEqual([]);
  });
});

describe("upload under a temporary name, then rename", () => {
  it("leaves only the final file, with the exact bytes", async () => {
    const content = pdfBytes(200_000, 7);
    const document = documentFor({ fileName: "../../Factuur «maart» 2025.PDF" });
    const receipt = await ftpConnector.deliver(contextFor(server), document, { content });
    const shortId = document.id.replace(/-/g, "").slice(0, 12);
    expect(receipt.packageReference).toBe(`/0123456749/purchase/20250315-090507_Factuur-maart-2025_${shortId}.pdf`);
    expect(server.listFiles()).toEqual([receipt.packageReference]);
    expect(server.readFile(receipt.packageReference ?? "").equals(Buffer.from(content))).toBe(true);
  });

  it("a retry after the connection dropped mid-upload leaves exactly one file", async () => {
    const content = pdfBytes(300_000, 3);
    const document = documentFor();
    const idempotencyKey = "1b7c3f0e-2d4a-4e5b-8c6d-7e8f9a0b1c2d";

    server.dropNextUploadAfterBytes = 10_000;
    const error = await failureOf(ftpConnector.deliver(contextFor(server, { idempotencyKey }), document, { content }));
    expect(error).toMatchObject({ kind: "retryable", code: "network" });
    // What the server kept of the broken try is a hidden temporary file, never the final name.
    const leftovers = server.listFiles();
    expect(leftovers).toHaveLength(1);
    expect(path.posix.basename(leftovers[0] ?? "")).toMatch(/^\..*\.pdf\.part$/);
    expect(statSync(path.join(server.root, leftovers[0] ?? "")).size).toBeLessThan(content.length);

    const receipt = await ftpConnector.deliver(contextFor(server, { idempotencyKey, isFirstTry: false }), document, {
      content,
    });
    expect(server.listFiles()).toEqual([receipt.packageReference]);
    expect(server.readFile(receipt.packageReference ?? "").equals(Buffer.from(content))).toBe(true);
  });

  it("counts a final file of the same size as delivered (a retry after a lost answer)", async () => {
    const content = pdfBytes(5_000);
    const document = documentFor();
    const first = await ftpConnector.deliver(contextFor(server), document, { content });
    const file = path.join(server.root, first.packageReference ?? "");
    const before = statSync(file).mtimeMs;
    // The try whose answer was lost also lost its session: the retry logs in afresh.
    await closeFtpSessions();
    const loginsBefore = server.logins.length;

    const second = await ftpConnector.deliver(contextFor(server, { isFirstTry: false }), document, { content });
    expect(second.packageReference).toBe(first.packageReference);
    expect(second.target.isAlreadyThere).toBe(true);
    expect(server.logins.length).toBe(loginsBefore + 1);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(server.listFiles()).toEqual([first.packageReference]);
  });

  it.each([
    { isFirstTry: false, refuseRenameOntoExisting: false },
    { isFirstTry: false, refuseRenameOntoExisting: true },
    // A first try never asks: a file of this name is an earlier dispatch's of the same document.
    { isFirstTry: true, refuseRenameOntoExisting: false },
    { isFirstTry: true, refuseRenameOntoExisting: true },
  ])("replaces a final file of another size (%o)", async ({ isFirstTry, refuseRenameOntoExisting }) => {
    const document = documentFor();
    const first = await ftpConnector.deliver(contextFor(server), document, { content: pdfBytes(100) });
    server.refuseRenameOntoExisting = refuseRenameOntoExisting;
    const content = pdfBytes(4_000, 9);
    const second = await ftpConnector.deliver(contextFor(server, { isFirstTry }), document, { content });
    expect(second).toMatchObject({ packageReference: first.packageReference, target: { isAlreadyThere: false } });
    expect(server.listFiles()).toEqual([first.packageReference]);
    expect(server.readFile(first.packageReference ?? "").equals(Buffer.from(content))).toBe(true);
  });

  it("a first try costs four commands on a pooled session: EPSV, STOR, RNFR, RNTO", async () => {
    await ftpConnector.deliver(contextFor(server), documentFor(), { content: pdfBytes(1_000) });
    const before = server.commands.length;
    await ftpConnector.deliver(contextFor(server), documentFor(), { content: pdfBytes(2_000) });
    expect(server.commands.slice(before).map(({ command }) => command.split(" ")[0])).toEqual([
      "EPSV",
      "STOR",
      "RNFR",
      "RNTO",
    ]);
  });

  it("names test sends so the office recognises them", async () => {
    const receipt = await ftpConnector.deliver(contextFor(server), documentFor({ isTest: true }), {
      content: pdfBytes(),
    });
    expect(path.posix.basename(receipt.packageReference ?? "")).toMatch(/^KOPPEL-TEST_/);
  });
});

describe("a PDF with its UBL companion", () => {
  const ubl = new TextEncoder().encode("<Invoice>the UBL file</Invoice>");

  it("writes the XML next to the PDF under the same name, each through a temporary name", async () => {
    const document = documentFor({ fileName: "factuur-0042.pdf" });
    const content = pdfBytes(3_000);
    const receipt = await ftpConnector.deliver(contextFor(server, { packageId: "expert-m" }), document, {
      content,
      companion: { fileName: "factuur-0042.xml", content: ubl },
    });
    const pdfPath = receipt.packageReference ?? "";
    const xmlPath = pdfPath.replace(/\.pdf$/, ".xml");
    expect(pdfPath).toMatch(/^\/0123456749\/Aankoop\/20250315-090507_factuur-0042_[0-9a-f]{12}\.pdf$/);
    expect(server.listFiles()).toEqual([pdfPath, xmlPath]);
    expect(server.readFile(xmlPath).equals(Buffer.from(ubl))).toBe(true);
    expect(receipt.target).toMatchObject({
      fileName: path.posix.basename(pdfPath),
      companionFileName: path.posix.basename(xmlPath),
      isAlreadyThere: false,
    });
    // The PDF first, then its XML: an importer that picks up the XML finds its PDF there.
    const stores = server.commands.filter(({ command }) => command.startsWith("STOR"));
    expect(stores.slice(-2).map(({ command }) => (command.endsWith(".pdf.part") ? "pdf" : "xml"))).toEqual([
      "pdf",
      "xml",
    ]);
  });

  it("a repeated try writes only what is missing, and nothing when both are there", async () => {
    const document = documentFor({ fileName: "factuur-0042.pdf" });
    const content = pdfBytes(3_000);
    const file = { content, companion: { fileName: "factuur-0042.xml", content: ubl } };
    const idempotencyKey = "2b0f8c44-1c1e-4a0e-8d5f-3a8c2f1e9b77";
    // The first try got as far as the PDF: its answer was lost before the XML went.
    const first = await ftpConnector.deliver(contextFor(server, { idempotencyKey }), document, { content });
    const xmlPath = (first.packageReference ?? "").replace(/\.pdf$/, ".xml");
    expect(server.listFiles()).toEqual([first.packageReference]);

    const second = await ftpConnector.deliver(
      contextFor(server, { idempotencyKey, isFirstTry: false }),
      document,
      file,
    );
    expect(second.packageReference).toBe(first.packageReference);
    expect(second.target.isAlreadyThere).toBe(false);
    expect(server.listFiles()).toEqual([first.packageReference, xmlPath]);

    const storesBefore = server.commands.filter(({ command }) => command.startsWith("STOR")).length;
    const third = await ftpConnector.deliver(contextFor(server, { idempotencyKey, isFirstTry: false }), document, file);
    expect(third.target.isAlreadyThere).toBe(true);
    expect(server.commands.filter(({ command }) => command.startsWith("STOR")).length).toBe(storesBefore);
    expect(server.listFiles()).toEqual([first.packageReference, xmlPath]);
  });
});

describe("failures", () => {
  it("a wrong password is an auth error: the connection needs re-authorisation", async () => {
    const error = await failureOf(
      ftpConnector.deliver(contextFor(server, { password: "wrong" }), documentFor(), { content: pdfBytes() }),
    );
    expect(error).toMatchObject({ kind: "auth", code: "login_failed" });
    expect(error.vendorDetail).toMatch(/^login: 530/);
  });

  it("a read-only folder is a permanent permission error", async () => {
    server.makeFolder("/readonly/0123456749/purchase");
    server.readOnlyPaths.add("/readonly");
    const ctx = contextFor(server, { settings: { baseFolder: "/readonly" } });
    const error = await failureOf(ftpConnector.deliver(ctx, documentFor(), { content: pdfBytes() }));
    expect(error).toMatchObject({ kind: "permanent", code: "permission_denied" });
    expect(error.vendorDetail).toMatch(/^upload: 550/);
    expect(server.listFiles()).toEqual([]);
  });

  it("a folder that may not be created is a permanent permission error", async () => {
    server.readOnlyPaths.add("/locked");
    const ctx = contextFor(server, { settings: { baseFolder: "/locked" } });
    const error = await failureOf(ftpConnector.deliver(ctx, documentFor(), { content: pdfBytes() }));
    expect(error).toMatchObject({ kind: "permanent", code: "permission_denied" });
    expect(error.vendorDetail).toMatch(/^folder: 550/);
  });

  it("explicit FTPS against a server without TLS is a TLS error, before any password is sent", async () => {
    const loginsBefore = server.logins.length;
    const error = await failureOf(
      ftpConnector.deliver(contextFor(server, { settings: { security: "explicit" } }), documentFor(), {
        content: pdfBytes(),
      }),
    );
    expect(error).toMatchObject({ kind: "permanent", code: "tls_failed" });
    expect(server.logins.length).toBe(loginsBefore);
  });
});

describe("read-back (pollStatus)", () => {
  it("reports a file the importer took away as imported, one still there as pending", async () => {
    const ctx = contextFor(server, { packageId: "expert-m" });
    const kept = await ftpConnector.deliver(ctx, documentFor(), { content: pdfBytes() });
    const taken = await ftpConnector.deliver(ctx, documentFor({ category: "sales", documentType: "sales_invoice" }), {
      content: pdfBytes(),
    });
    rmSync(path.join(server.root, taken.packageReference ?? ""));

    const states = await ftpConnector.pollStatus(contextFor(server, { packageId: "expert-m" }), [
      kept.packageReference ?? "",
      taken.packageReference ?? "",
      "/0123456749/Gone-folder/x.pdf",
    ]);
    expect(states).toEqual([
      { packageReference: kept.packageReference, state: "pending" },
      { packageReference: taken.packageReference, state: "imported" },
      // A folder that cannot be listed proves nothing: pending, never "imported".
      { packageReference: "/0123456749/Gone-folder/x.pdf", state: "pending" },
    ]);
  });
});
