import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { pendingShares } from "@/db/schema";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/sniff";
import { MAX_FILES_PER_UPLOAD, type UploadedFileOutcome, uploadDocuments } from "@/lib/documents/upload";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { JOB_HANDLERS } from "@/lib/jobs/handler-registry";
import type { JobStep } from "@/lib/jobs/types";
import { getPendingShare, pickShareDossier, prunePendingShares, receiveShare } from "@/lib/share/share";
import { PENDING_SHARE_LIFETIME_MS } from "@/lib/share/target";
import { sampleExe, samplePdf, samplePng } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { useTempFileStore } from "../documents/setup";
import { createShareWorld, documentsIn, type ShareWorld, shareForm, sharesOf } from "./setup";

// Files shared from a phone's share sheet (lib/share/share.ts): straight into the one dossier a
// person may upload to, or waiting in the file store until they pick one of several; always
// through the upload service, with its checks, limits and refusals.

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

const HOUR = 60 * 60 * 1000;

let opened: OpenedDb;
let world: ShareWorld;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createShareWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  globalThis.__koppelDb = undefined;
  await files?.dispose();
  await opened?.close();
});
afterEach(async () => {
  // Each test starts without waiting shares: the store's "shares/" keys are then its own.
  for (const share of await opened.db.select().from(pendingShares)) {
    for (const file of share.files) await files.store.delete(file.storageKey);
    await opened.db.delete(pendingShares).where(eq(pendingShares.id, share.id));
  }
});

const sharedKeys = async () => (await files.keys()).filter((key) => key.startsWith("shares/"));

/** What a person sees of an outcome: which file, and accepted or why not. */
const verdicts = (outcomes: UploadedFileOutcome[]) =>
  outcomes.map((outcome) =>
    outcome.ok
      ? { fileName: outcome.fileName, ok: true }
      : { fileName: outcome.fileName, ok: false, code: outcome.code, messageKey: outcome.messageKey },
  );

/** A share with a refusal of every kind an upload knows, and one good file. */
const mixedFiles = () => [
  { content: new Uint8Array(0), name: "leeg.pdf", type: "application/pdf" },
  { content: sampleExe(100), name: "factuur.pdf", type: "application/pdf" },
  { content: samplePdf(MAX_DOCUMENT_BYTES + 1), name: "groot.pdf", type: "application/pdf" },
  { content: samplePdf(300), name: "goed.pdf", type: "application/pdf" },
];

async function pendingShareOf(actor: ShareWorld["actors"]["multi"], form: FormData, now?: Date): Promise<string> {
  const receipt = await receiveShare(opened.db, actor, { form, now });
  if (receipt.kind !== "pending") throw new Error(`expected a pending share, got ${receipt.kind}`);
  return receipt.shareId;
}

describe("receiveShare", () => {
  it("puts the files of someone with one dossier straight into it, as uploads", async () => {
    const before = (await documentsIn(opened.db, world.dossier.id)).length;
    const receipt = await receiveShare(opened.db, world.actors.solo, {
      form: shareForm([
        { content: samplePdf(200), name: "factuur.pdf", type: "application/pdf" },
        { content: samplePng(200), name: "bon.png", type: "image/png" },
      ]),
    });
    expect(receipt).toMatchObject({
      kind: "ingested",
      dossierId: world.dossier.id,
      files: [
        { fileName: "factuur.pdf", ok: true, document: { mimeType: "application/pdf", status: "inbox" } },
        { fileName: "bon.png", ok: true, document: { mimeType: "image/png" } },
      ],
    });
    const after = await documentsIn(opened.db, world.dossier.id);
    expect(after).toHaveLength(before + 2);
    expect(after.every((document) => document.source === "upload")).toBe(true);
    expect(await sharesOf(opened.db, world.ids.solo)).toEqual([]);
    expect(await sharedKeys()).toEqual([]);
  });

  it("refuses what an upload refuses, file by file, with the upload's codes, and takes the rest", async () => {
    const receipt = await receiveShare(opened.db, world.actors.solo, { form: shareForm(mixedFiles()) });
    if (receipt.kind !== "ingested") throw new Error("expected the files to be ingested");
    const upload = await uploadDocuments(opened.db, world.actors.solo, {
      dossierId: world.dossier.id,
      source: "upload",
      form: shareForm(mixedFiles()),
    });
    expect(verdicts(receipt.files)).toEqual(verdicts(upload.files));
    expect(verdicts(receipt.files)).toEqual([
      { fileName: "leeg.pdf", ok: false, code: "file_empty", messageKey: "upload.empty" },
      { fileName: "factuur.pdf", ok: false, code: "file_type_unsupported", messageKey: "upload.unsupportedType" },
      { fileName: "groot.pdf", ok: false, code: "file_too_large", messageKey: "upload.tooLarge" },
      { fileName: "goed.pdf", ok: true },
    ]);
  });

  it("refuses a form without files, or with more than an upload takes, as an upload does, and keeps nothing", async () => {
    for (const actor of [world.actors.solo, world.actors.multi]) {
      const noFiles = new FormData();
      noFiles.append("file", "not a file");
      await expect(receiveShare(opened.db, actor, { form: noFiles })).rejects.toMatchObject({
        constructor: ValidationError,
        fieldErrors: { file: ["upload.noFiles"] },
      });
      const tooMany = shareForm(
        Array.from({ length: MAX_FILES_PER_UPLOAD + 1 }, (_, index) => ({
          content: samplePdf(),
          name: `${index}.pdf`,
        })),
      );
      await expect(receiveShare(opened.db, actor, { form: tooMany })).rejects.toMatchObject({
        fieldErrors: { file: ["upload.tooManyFiles"] },
      });
    }
    expect(await sharesOf(opened.db, world.ids.multi)).toEqual([]);
    expect(await sharedKeys()).toEqual([]);
  });

  it("keeps nothing for someone who may upload to no dossier", async () => {
    const receipt = await receiveShare(opened.db, world.actors.nobody, {
      form: shareForm([{ content: samplePdf(), name: "factuur.pdf" }]),
    });
    expect(receipt).toEqual({ kind: "noDossier" });
    expect(await sharesOf(opened.db, world.ids.nobody)).toEqual([]);
    expect(await sharedKeys()).toEqual([]);
  });

  it("lands an admin with one dossier in their own office's dossier", async () => {
    const receipt = await receiveShare(opened.db, world.actors.otherAdmin, {
      form: shareForm([{ content: samplePdf(), name: "facture.pdf" }]),
    });
    expect(receipt).toMatchObject({ kind: "ingested", dossierId: world.foreignDossier.id });
  });

  it("keeps the files of someone with several dossiers for 24 hours, under our own keys, for them alone", async () => {
    const now = new Date("2026-03-02T10:00:00Z");
    const before = (await documentsIn(opened.db, world.dossier.id)).length;
    const pdf = samplePdf(400);
    const shareId = await pendingShareOf(
      world.actors.multi,
      shareForm([
        { content: pdf, name: "../../etc/factuur maart.pdf", type: "application/pdf" },
        { content: samplePng(90), name: "bon.png", type: "image/png; evil" },
      ]),
      now,
    );
    const [row] = await sharesOf(opened.db, world.ids.multi);
    expect(row).toMatchObject({ id: shareId, userId: world.ids.multi });
    expect(row?.expiresAt.getTime()).toBe(now.getTime() + PENDING_SHARE_LIFETIME_MS);
    expect(row?.files).toEqual([
      {
        storageKey: `shares/${shareId}/0`,
        fileName: "../../etc/factuur maart.pdf",
        contentType: "application/pdf",
        sizeBytes: pdf.byteLength,
      },
      {
        storageKey: `shares/${shareId}/1`,
        fileName: "bon.png",
        // The multipart parser keeps the media type and drops the parameters ("; evil").
        contentType: "image/png",
        sizeBytes: 90,
      },
    ]);
    expect(await sharedKeys()).toEqual([`shares/${shareId}/0`, `shares/${shareId}/1`]);
    expect(await files.store.get(`shares/${shareId}/0`)).toEqual(pdf);
    // Nothing is a document yet.
    expect(await documentsIn(opened.db, world.dossier.id)).toHaveLength(before);
  });

  it("keeps the files of an accountant too: their office's dossiers are theirs to pick from", async () => {
    const shareId = await pendingShareOf(world.actors.accountant, shareForm([{ content: samplePdf(), name: "a.pdf" }]));
    const view = await getPendingShare(opened.db, world.actors.accountant, shareId);
    expect(view.dossiers.map((dossier) => dossier.id).sort()).toEqual(
      [world.dossier.id, world.secondDossier.id].sort(),
    );
  });
});

describe("getPendingShare and pickShareDossier", () => {
  it("shows the person who shared their files and the dossiers they may pick, by name", async () => {
    const shareId = await pendingShareOf(
      world.actors.multi,
      shareForm([{ content: samplePdf(120), name: "factuur.pdf" }]),
    );
    const view = await getPendingShare(opened.db, world.actors.multi, shareId);
    expect(view.files).toEqual([{ fileName: "factuur.pdf", sizeBytes: 120 }]);
    expect(view.dossiers).toEqual(
      [world.dossier, world.secondDossier]
        .map((dossier) => ({
          id: dossier.id,
          portalId: dossier.portalId,
          name: dossier.name,
          portalName: "Kantoor De Vos",
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it("is not found for anyone else, for an unknown or malformed id, and once expired", async () => {
    const now = new Date();
    const shareId = await pendingShareOf(world.actors.multi, shareForm([{ content: samplePdf(), name: "a.pdf" }]), now);
    for (const actor of [world.actors.solo, world.actors.accountant, world.actors.otherAdmin, world.actors.nobody]) {
      await expect(getPendingShare(opened.db, actor, shareId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(pickShareDossier(opened.db, actor, { shareId, dossierId: world.dossier.id })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    for (const id of [randomUUID(), "not-a-uuid", ""]) {
      await expect(getPendingShare(opened.db, world.actors.multi, id)).rejects.toBeInstanceOf(NotFoundError);
    }
    const later = new Date(now.getTime() + PENDING_SHARE_LIFETIME_MS);
    await expect(getPendingShare(opened.db, world.actors.multi, shareId, later)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      pickShareDossier(opened.db, world.actors.multi, { shareId, dossierId: world.dossier.id, now: later }),
    ).rejects.toBeInstanceOf(NotFoundError);
    // Nobody's attempt took it: it still waits, with its file.
    expect(await sharesOf(opened.db, world.ids.multi)).toHaveLength(1);
    expect(await sharedKeys()).toEqual([`shares/${shareId}/0`]);
  });

  it("refuses a dossier the person may not upload to, and the share keeps waiting", async () => {
    const shareId = await pendingShareOf(world.actors.multi, shareForm([{ content: samplePdf(), name: "a.pdf" }]));
    const before = (await documentsIn(opened.db, world.foreignDossier.id)).length;
    for (const dossierId of [world.foreignDossier.id, randomUUID(), "x"]) {
      await expect(pickShareDossier(opened.db, world.actors.multi, { shareId, dossierId })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    expect(await documentsIn(opened.db, world.foreignDossier.id)).toHaveLength(before);
    expect(await sharesOf(opened.db, world.ids.multi)).toHaveLength(1);
    expect(await sharedKeys()).toEqual([`shares/${shareId}/0`]);
  });

  it("uploads the files to the picked dossier once, with the upload's refusals, then deletes the share and its files", async () => {
    const shareId = await pendingShareOf(world.actors.multi, shareForm(mixedFiles()));
    const before = await documentsIn(opened.db, world.secondDossier.id);
    const picked = await pickShareDossier(opened.db, world.actors.multi, {
      shareId,
      dossierId: world.secondDossier.id,
    });
    expect(picked.dossierId).toBe(world.secondDossier.id);
    const upload = await uploadDocuments(opened.db, world.actors.multi, {
      dossierId: world.secondDossier.id,
      source: "upload",
      form: shareForm(mixedFiles()),
    });
    expect(verdicts(picked.files)).toEqual(verdicts(upload.files));
    expect(picked.files.filter((file) => file.ok)).toHaveLength(1);

    const after = await documentsIn(opened.db, world.secondDossier.id);
    expect(after).toHaveLength(before.length + 2); // the picked share's good file, and the upload's
    expect(after.map((document) => document.fileName)).toContain("goed.pdf");
    expect(await sharesOf(opened.db, world.ids.multi)).toEqual([]);
    expect(await sharedKeys()).toEqual([]);

    // A second tap on the page, or a second tab: the share is gone, nothing is uploaded twice.
    await expect(
      pickShareDossier(opened.db, world.actors.multi, { shareId, dossierId: world.secondDossier.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await documentsIn(opened.db, world.secondDossier.id)).toHaveLength(after.length);
  });

  it("lets two picks of one share race: one uploads, the other is not found", async () => {
    const shareId = await pendingShareOf(world.actors.multi, shareForm([{ content: samplePdf(), name: "a.pdf" }]));
    const before = (await documentsIn(opened.db, world.dossier.id)).length;
    const results = await Promise.allSettled([
      pickShareDossier(opened.db, world.actors.multi, { shareId, dossierId: world.dossier.id }),
      pickShareDossier(opened.db, world.actors.multi, { shareId, dossierId: world.dossier.id }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((result) => result.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(NotFoundError);
    expect(await documentsIn(opened.db, world.dossier.id)).toHaveLength(before + 1);
  });
});

describe("prunePendingShares", () => {
  it("deletes the shares nobody picked within 24 hours with their files, and keeps the others", async () => {
    const now = new Date();
    const old = await pendingShareOf(
      world.actors.multi,
      shareForm([
        { content: samplePdf(), name: "a.pdf" },
        { content: samplePng(), name: "b.png" },
      ]),
      new Date(now.getTime() - PENDING_SHARE_LIFETIME_MS - HOUR),
    );
    const fresh = await pendingShareOf(
      world.actors.accountant,
      shareForm([{ content: samplePdf(), name: "c.pdf" }]),
      new Date(now.getTime() - HOUR),
    );
    // A share whose files are already gone (an earlier run stopped halfway) goes all the same.
    const orphan = await pendingShareOf(
      world.actors.multi,
      shareForm([{ content: samplePdf(), name: "d.pdf" }]),
      new Date(now.getTime() - 2 * PENDING_SHARE_LIFETIME_MS),
    );
    await files.store.delete(`shares/${orphan}/0`);

    expect(await prunePendingShares(opened.db, { now })).toBe(2);
    expect((await opened.db.select({ id: pendingShares.id }).from(pendingShares)).map((row) => row.id)).toEqual([
      fresh,
    ]);
    expect(await sharedKeys()).toEqual([`shares/${fresh}/0`]);
    expect(old).not.toBe(fresh);
    expect(await prunePendingShares(opened.db, { now })).toBe(0);
  });

  it("runs as the hourly pending-shares-prune job", async () => {
    globalThis.__koppelDb = Promise.resolve(opened);
    await pendingShareOf(
      world.actors.multi,
      shareForm([{ content: samplePdf(), name: "a.pdf" }]),
      new Date(Date.now() - PENDING_SHARE_LIFETIME_MS - HOUR),
    );
    const { handler } = await JOB_HANDLERS["pending-shares-prune"]();
    const step: JobStep = {
      run: async (_name, fn) => fn(),
      sendEvents: async () => undefined,
      sleepUntil: async () => {},
    };
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    expect(await handler.run({ payload: {}, step, logger, attempt: 0 })).toEqual({ deleted: 1 });
    expect(await sharesOf(opened.db, world.ids.multi)).toEqual([]);
    expect(await sharedKeys()).toEqual([]);
  });
});
