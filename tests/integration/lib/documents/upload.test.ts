import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { documents } from "@/db/schema";
import { MAX_DOCUMENT_BYTES } from "@/lib/documents/sniff";
import { MAX_FILES_PER_UPLOAD, uploadDocuments } from "@/lib/documents/upload";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { sampleExe, samplePdf, samplePng } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { createWorld, useTempFileStore, type World } from "./setup";

// uploadDocuments: the one upload service behind the app's upload route and the REST API.

vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));

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

function formOf(parts: { name: string; value: Blob | string; fileName?: string }[]): FormData {
  const form = new FormData();
  for (const part of parts) {
    if (typeof part.value === "string") form.append(part.name, part.value);
    else form.append(part.name, part.value, part.fileName);
  }
  return form;
}

const file = (content: Uint8Array, fileName = "factuur.pdf") => ({
  name: "file",
  value: new Blob([new Uint8Array(content)]),
  fileName,
});

async function countIn(dossierId: string) {
  return (await opened.db.select({ id: documents.id }).from(documents).where(eq(documents.dossierId, dossierId)))
    .length;
}

describe("uploadDocuments", () => {
  it("ingests each file of the form and answers what became of it, in order, with 201/200 as the routes answer", async () => {
    const all = await uploadDocuments(opened.db, world.actors.entrepreneur, {
      dossierId: world.dossier.id,
      source: "upload",
      form: formOf([file(samplePdf(200)), file(samplePng(200), "bon.png"), { name: "documentType", value: "receipt" }]),
    });
    expect(all.httpStatus).toBe(201);
    expect(all.files).toMatchObject([
      {
        index: 0,
        fileName: "factuur.pdf",
        ok: true,
        document: { mimeType: "application/pdf", documentType: "receipt" },
      },
      { index: 1, fileName: "bon.png", ok: true, document: { mimeType: "image/png", documentType: "receipt" } },
    ]);

    const some = await uploadDocuments(opened.db, world.actors.accountant, {
      dossierId: world.dossier.id,
      source: "upload",
      form: formOf([file(new Uint8Array(0), "leeg.pdf"), file(samplePdf(100))]),
    });
    expect(some.httpStatus).toBe(200);
    expect(some.files[0]).toEqual({
      index: 0,
      fileName: "leeg.pdf",
      ok: false,
      httpStatus: 400,
      code: "file_empty",
      messageKey: "upload.empty",
    });

    const none = await uploadDocuments(opened.db, world.actors.accountant, {
      dossierId: world.dossier.id,
      source: "upload",
      form: formOf([file(sampleExe(100), "a.pdf"), file(samplePdf(MAX_DOCUMENT_BYTES + 1), "groot.pdf")]),
    });
    // The first refusal's status, each file with its own code.
    expect(none.httpStatus).toBe(415);
    expect(none.files.map((outcome) => (outcome.ok ? "ok" : outcome.code))).toEqual([
      "file_type_unsupported",
      "file_too_large",
    ]);
  });

  it("authorizes the dossier before it looks at the form: an outsider learns nothing from a bad form", async () => {
    const badForm = () => formOf([{ name: "documentType", value: "nonsense" }]);
    for (const dossierId of [world.foreignDossier.id, world.neighbourDossier.id]) {
      await expect(
        uploadDocuments(opened.db, world.actors.entrepreneur, { dossierId, source: "upload", form: badForm() }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(
      uploadDocuments(opened.db, world.actors.otherToken, {
        dossierId: world.dossier.id,
        source: "api",
        form: badForm(),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      uploadDocuments(
        opened.db,
        { ...world.actors.token, scopes: ["documents:read"] },
        { dossierId: world.dossier.id, source: "api", form: formOf([file(samplePdf(50))]) },
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("refuses a form without files, with too many, or with an unknown type, storing nothing", async () => {
    const before = await countIn(world.dossier.id);
    const cases = [
      { form: formOf([{ name: "file", value: "not a file" }]), field: "file", key: "upload.noFiles" },
      {
        form: formOf(Array.from({ length: MAX_FILES_PER_UPLOAD + 1 }, () => file(samplePdf(50)))),
        field: "file",
        key: "upload.tooManyFiles",
      },
      {
        form: formOf([file(samplePdf(50)), { name: "documentType", value: "invoice" }]),
        field: "documentType",
        key: "document.invalidType",
      },
    ];
    for (const { form, field, key } of cases) {
      const error = await uploadDocuments(opened.db, world.actors.admin, {
        dossierId: world.dossier.id,
        source: "upload",
        form,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors).toEqual({ [field]: [key] });
    }
    expect(await countIn(world.dossier.id)).toBe(before);
  });
});
