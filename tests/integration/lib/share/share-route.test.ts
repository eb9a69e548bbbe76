import { eq } from "drizzle-orm";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { pendingShares } from "@/db/schema";
import { MAX_UPLOAD_REQUEST_BYTES } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { sampleExe, samplePdf } from "../../../fixtures/documents";
import { createTestDb } from "../../../helpers/db";
import { useTempFileStore } from "../documents/setup";
import { createShareWorld, documentsIn, type ShareWorld, shareForm, sharesOf } from "./setup";

// The share target (POST /share) and the pick page's server action, run for real down from the
// session: who is signed in (Auth.js's auth()), the database handle, Next's cache and the
// language are the only stand-ins, so each actor is built from membership rows as in production.
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/jobs/client", () => ({ sendJobEvent: vi.fn(async () => undefined) }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "fr", messages: MESSAGES.fr, namespace: namespace as never }),
}));

const { GET, POST } = await import("@/app/(app)/share/route");
const { pickShareDossierAction } = await import("@/app/(app)/share/[shareId]/actions");

const APP = "https://koppel.example";
const SAME_ORIGIN = { origin: APP, host: "koppel.example" };
const savedAuthUrl = process.env.AUTH_URL;

let opened: OpenedDb;
let world: ShareWorld;
let files: Awaited<ReturnType<typeof useTempFileStore>>;

beforeAll(async () => {
  process.env.AUTH_URL = APP;
  resetEnvCache();
  opened = await createTestDb();
  session.db = opened.db;
  world = await createShareWorld(opened.db);
  files = await useTempFileStore();
});
afterAll(async () => {
  if (savedAuthUrl === undefined) delete process.env.AUTH_URL;
  else process.env.AUTH_URL = savedAuthUrl;
  resetEnvCache();
  await files?.dispose();
  await opened?.close();
});
beforeEach(() => {
  session.userId = null;
});

function share(headers: Record<string, string>, form: FormData | string = pdfForm()): Request {
  return new Request(`${APP}/share`, { method: "POST", body: form, headers });
}

const pdfForm = () => shareForm([{ content: samplePdf(300), name: "factuur.pdf", type: "application/pdf" }]);

function location(response: Response): string {
  expect(response.status).toBe(303);
  return response.headers.get("location") ?? "";
}

async function pendingCount(): Promise<number> {
  return (await opened.db.select({ id: pendingShares.id }).from(pendingShares)).length;
}

/** next/navigation's redirect, thrown: "NEXT_REDIRECT;<type>;<url>;<status>;". */
async function redirectOf(promise: Promise<unknown>): Promise<string> {
  const thrown = await promise.then(
    () => {
      throw new Error("expected a redirect");
    },
    (error: unknown) => error as { digest?: string },
  );
  return String(thrown.digest).split(";")[2] ?? "";
}

function pickForm(shareId: string, dossierId: string): FormData {
  const form = new FormData();
  form.append("shareId", shareId);
  form.append("dossierId", dossierId);
  return form;
}

/** A share of the multi-dossier entrepreneur, waiting: its id. */
async function waitingShare(): Promise<string> {
  session.userId = world.ids.multi;
  const path = location(await POST(share(SAME_ORIGIN)));
  const shareId = /^\/share\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (!shareId) throw new Error(`no pick page: ${path}`);
  return shareId;
}

describe("POST /share: from the installed app only", () => {
  it.each([
    ["another site", { origin: "https://evil.example", host: "koppel.example" }],
    ["another site that claims to be the same", { origin: "https://evil.example", "sec-fetch-site": "none" }],
    ["an opaque origin from another site", { origin: "null", "sec-fetch-site": "cross-site" }],
    ["no Origin and no fetch metadata", { host: "koppel.example" }],
    ["no Origin, cross-site", { "sec-fetch-site": "cross-site" }],
    ["no Origin, same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
  ])("refuses %s with 403 in the person's language, reading nothing", async (_, headers) => {
    session.userId = world.ids.solo;
    const before = (await documentsIn(opened.db, world.dossier.id)).length;
    const response = await POST(share(headers));
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain(MESSAGES.fr.share.crossSite.title);
    expect(await documentsIn(opened.db, world.dossier.id)).toHaveLength(before);
  });

  it.each([
    ["Koppel's own origin", SAME_ORIGIN],
    ["no Origin, Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }],
    ["no Origin, started by the browser's share sheet (Sec-Fetch-Site none)", { "sec-fetch-site": "none" }],
    ["an opaque origin, started by the browser's share sheet", { origin: "null", "sec-fetch-site": "none" }],
  ])("takes a share with %s", async (_, headers) => {
    session.userId = world.ids.solo;
    expect(location(await POST(share(headers)))).toBe(`/dossiers/${world.dossier.id}?shared=1`);
  });

  it("refuses another site before it says anything about the session", async () => {
    expect((await POST(share({ origin: "https://evil.example" }))).status).toBe(403);
  });
});

describe("POST /share: where the files go", () => {
  it("sends an anonymous share to sign in, to be asked to share again, and keeps nothing", async () => {
    const before = await pendingCount();
    expect(location(await POST(share(SAME_ORIGIN)))).toBe("/sign-in?callbackUrl=%2Fshare%2Fnotice%2Fsigned-in");
    expect(await pendingCount()).toBe(before);
    expect((await files.keys()).filter((key) => key.startsWith("shares/"))).toEqual([]);
  });

  it("lands the entrepreneur of one dossier on it, with what arrived and why the rest did not", async () => {
    session.userId = world.ids.solo;
    const before = (await documentsIn(opened.db, world.dossier.id)).length;
    const form = shareForm([
      { content: samplePdf(200), name: "factuur.pdf" },
      { content: sampleExe(100), name: "factuur2.pdf" },
    ]);
    expect(location(await POST(share(SAME_ORIGIN, form)))).toBe(
      `/dossiers/${world.dossier.id}?shared=1&refused=upload.unsupportedType`,
    );
    expect(await documentsIn(opened.db, world.dossier.id)).toHaveLength(before + 1);
  });

  it("lands an office's admin with one dossier in their own office's dossier, never another", async () => {
    session.userId = world.ids.otherAdmin;
    expect(location(await POST(share(SAME_ORIGIN)))).toBe(`/dossiers/${world.foreignDossier.id}?shared=1`);
  });

  it("sends someone with several dossiers to pick one, and keeps the files for them only", async () => {
    const shareId = await waitingShare();
    const [row] = (await sharesOf(opened.db, world.ids.multi)).filter((candidate) => candidate.id === shareId);
    expect(row?.files).toHaveLength(1);
  });

  it("tells someone without a dossier so, and keeps nothing", async () => {
    session.userId = world.ids.nobody;
    expect(location(await POST(share(SAME_ORIGIN)))).toBe("/share/notice/no-dossier");
    expect(await sharesOf(opened.db, world.ids.nobody)).toEqual([]);
  });

  it("refuses a body larger than one upload, without reading it all, whatever its length says", async () => {
    session.userId = world.ids.solo;
    const big = shareForm([{ content: samplePdf(MAX_UPLOAD_REQUEST_BYTES + 1), name: "groot.pdf" }]);
    // A FormData body carries no Content-Length header: the read stops at the limit.
    expect(location(await POST(share(SAME_ORIGIN, big)))).toBe("/share/notice/too-large");
    const declared = share({ ...SAME_ORIGIN, "content-length": String(MAX_UPLOAD_REQUEST_BYTES + 1) });
    expect(location(await POST(declared))).toBe("/share/notice/too-large");
  });

  it("says so when nothing came along, too much came along, or the body is not a form", async () => {
    session.userId = world.ids.multi;
    const empty = new FormData();
    empty.append("title", "Factuur");
    expect(location(await POST(share(SAME_ORIGIN, empty)))).toBe("/share/notice/no-files");
    const tooMany = shareForm(
      Array.from({ length: 21 }, (_, index) => ({ content: samplePdf(), name: `${index}.pdf` })),
    );
    expect(location(await POST(share(SAME_ORIGIN, tooMany)))).toBe("/share/notice/too-many-files");
    expect(location(await POST(share({ ...SAME_ORIGIN, "content-type": "text/plain" }, "file=x")))).toBe(
      "/share/notice/unreadable",
    );
  });

  it("sends a GET of /share home", () => {
    expect(location(GET())).toBe("/");
  });
});

describe("pickShareDossierAction", () => {
  it("uploads the waiting files to the picked dossier and lands there with the outcome", async () => {
    const shareId = await waitingShare();
    const before = (await documentsIn(opened.db, world.secondDossier.id)).length;
    expect(await redirectOf(pickShareDossierAction(null, pickForm(shareId, world.secondDossier.id)))).toBe(
      `/dossiers/${world.secondDossier.id}?shared=1`,
    );
    expect(await documentsIn(opened.db, world.secondDossier.id)).toHaveLength(before + 1);
    expect((await sharesOf(opened.db, world.ids.multi)).map((row) => row.id)).not.toContain(shareId);
  });

  it("is not found for anyone but the person who shared, and leaves the share waiting", async () => {
    const shareId = await waitingShare();
    for (const userId of [world.ids.solo, world.ids.accountant, world.ids.otherAdmin, world.ids.otherEntrepreneur]) {
      session.userId = userId;
      for (const dossierId of [world.dossier.id, world.foreignDossier.id]) {
        expect(await pickShareDossierAction(null, pickForm(shareId, dossierId))).toEqual({
          ok: false,
          error: { code: "not_found", messageKey: "notFound" },
        });
      }
    }
    const [row] = await opened.db.select().from(pendingShares).where(eq(pendingShares.id, shareId));
    expect(row?.userId).toBe(world.ids.multi);
  });

  it("is not found for a dossier of another office, even for the person who shared", async () => {
    const shareId = await waitingShare();
    session.userId = world.ids.multi;
    expect(await pickShareDossierAction(null, pickForm(shareId, world.foreignDossier.id))).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    expect((await sharesOf(opened.db, world.ids.multi)).map((row) => row.id)).toContain(shareId);
  });

  it("sends an anonymous caller to sign in", async () => {
    const shareId = await waitingShare();
    session.userId = null;
    expect(await redirectOf(pickShareDossierAction(null, pickForm(shareId, world.dossier.id)))).toBe("/sign-in");
    expect((await sharesOf(opened.db, world.ids.multi)).map((row) => row.id)).toContain(shareId);
  });
});
