import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierMembers, dossiers, portalMembers, users } from "@/db/schema";
import { companyNumberFromBase, formatCompanyNumber } from "@/lib/dossiers/company-number";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The dossier's edit form and the new-dossier form, run for real down from the session: who is
// signed in (Auth.js's auth(), which needs Next's server runtime) and the database handle are the
// only stand-ins, so the actor is built from the membership rows as in production.
const session = vi.hoisted(() => ({ userId: null as string | null, db: null as unknown }));
vi.mock("@/lib/auth/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
}));
vi.mock("@/db", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/db")>()),
  getDb: async () => session.db,
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const { updateDossierDetailsAction } = await import("@/app/(app)/dossiers/[dossierId]/actions");
const { createDossierAction } = await import("@/app/(app)/portals/[portalId]/actions");

let opened: OpenedDb;
let portalId = "";
let dossierId = "";
const people = { admin: "", accountant: "", entrepreneur: "", otherAdmin: "" };
let nextBase = 17_000_001;
const freshCompanyNumber = () => companyNumberFromBase(nextBase++);

async function insertUser(): Promise<string> {
  const [user] = await opened.db
    .insert(users)
    .values({ email: `${randomUUID()}@office.test` })
    .returning({ id: users.id });
  if (!user) throw new Error("no user");
  return user.id;
}

function formOf(values: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(values)) form.append(name, value);
  return form;
}

async function rowOf(id: string) {
  const [row] = await opened.db.select().from(dossiers).where(eq(dossiers.id, id));
  if (!row) throw new Error("dossier is gone");
  return row;
}

beforeAll(async () => {
  opened = await createTestDb();
  session.db = opened.db;
  portalId = (await insertPortal(opened.db, "Kantoor A")).id;
  const otherPortalId = (await insertPortal(opened.db, "Kantoor B")).id;
  dossierId = (await insertDossier(opened.db, portalId)).id;
  people.admin = await insertUser();
  people.accountant = await insertUser();
  people.entrepreneur = await insertUser();
  people.otherAdmin = await insertUser();
  await opened.db.insert(portalMembers).values([
    { portalId, userId: people.admin, role: "admin" },
    { portalId, userId: people.accountant, role: "accountant" },
    { portalId: otherPortalId, userId: people.otherAdmin, role: "admin" },
  ]);
  await opened.db.insert(dossierMembers).values({ portalId, dossierId, userId: people.entrepreneur });
});
beforeEach(() => {
  session.userId = people.admin;
});
afterAll(async () => {
  await opened?.close();
});

describe("updateDossierDetailsAction", () => {
  it("saves name, numbers and language for the office's admin and accountant", async () => {
    for (const [userId, locale] of [
      [people.admin, "fr"],
      [people.accountant, "en"],
    ] as const) {
      session.userId = userId;
      const dossier = await insertDossier(opened.db, portalId);
      const companyNumber = freshCompanyNumber();
      const result = await updateDossierDetailsAction(
        null,
        formOf({
          dossierId: dossier.id,
          name: "  Fleuriste Dupont SRL ",
          companyNumber: formatCompanyNumber(companyNumber),
          vatNumber: "",
          locale,
        }),
      );
      expect(result).toEqual({ ok: true, dossierId: dossier.id });
      expect(await rowOf(dossier.id)).toMatchObject({
        name: "Fleuriste Dupont SRL",
        companyNumber,
        // Left empty: the Belgian default follows the company number.
        vatNumber: `BE${companyNumber}`,
        locale,
      });
    }
  });

  it("keeps a VAT number of the dossier's own", async () => {
    const dossier = await insertDossier(opened.db, portalId);
    const own = freshCompanyNumber();
    const result = await updateDossierDetailsAction(
      null,
      formOf({
        dossierId: dossier.id,
        name: dossier.name,
        companyNumber: dossier.companyNumber,
        vatNumber: `be ${formatCompanyNumber(own)}`,
        locale: "nl",
      }),
    );
    expect(result).toMatchObject({ ok: true });
    expect((await rowOf(dossier.id)).vatNumber).toBe(`BE${own}`);
  });

  it("answers field errors as message keys, with what was typed, and changes nothing", async () => {
    const dossier = await insertDossier(opened.db, portalId);
    const taken = await insertDossier(opened.db, portalId);
    for (const [values, field, key] of [
      [
        { name: " ", companyNumber: dossier.companyNumber, vatNumber: "", locale: "fr" },
        "name",
        "dossierName.required",
      ],
      [
        { name: "X", companyNumber: "0123.456.789", vatNumber: "", locale: "fr" },
        "companyNumber",
        "companyNumber.invalid",
      ],
      [
        { name: "X", companyNumber: taken.companyNumber, vatNumber: "", locale: "fr" },
        "companyNumber",
        "companyNumber.duplicate",
      ],
      [
        { name: "X", companyNumber: dossier.companyNumber, vatNumber: "NL123", locale: "fr" },
        "vatNumber",
        "vatNumber.invalid",
      ],
      [
        { name: "X", companyNumber: dossier.companyNumber, vatNumber: "", locale: "de" },
        "locale",
        "dossierLocale.invalid",
      ],
    ] as const) {
      const result = await updateDossierDetailsAction(null, formOf({ dossierId: dossier.id, ...values }));
      expect(result).toMatchObject({
        ok: false,
        error: { code: "validation_failed" },
        fieldErrors: { [field]: [key] },
        values,
      });
    }
    expect(await rowOf(dossier.id)).toMatchObject({
      name: dossier.name,
      companyNumber: dossier.companyNumber,
      locale: "nl",
    });
  });

  it("refuses the dossier's entrepreneur (they see the values, they do not change them)", async () => {
    session.userId = people.entrepreneur;
    const before = await rowOf(dossierId);
    const result = await updateDossierDetailsAction(
      null,
      formOf({ dossierId, name: "Mijn bedrijf", companyNumber: before.companyNumber, vatNumber: "", locale: "fr" }),
    );
    expect(result).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await rowOf(dossierId)).toEqual(before);
  });

  it("answers not found to another office's admin and changes nothing", async () => {
    session.userId = people.otherAdmin;
    const before = await rowOf(dossierId);
    const result = await updateDossierDetailsAction(
      null,
      formOf({ dossierId, name: "Overgenomen", companyNumber: before.companyNumber, vatNumber: "", locale: "en" }),
    );
    expect(result).toMatchObject({ ok: false, error: { code: "not_found", messageKey: "notFound" } });
    expect(await rowOf(dossierId)).toEqual(before);
  });

  it("sends a visitor without a session to sign in", async () => {
    session.userId = null;
    const refused = await updateDossierDetailsAction(
      null,
      formOf({ dossierId, name: "Anoniem", companyNumber: freshCompanyNumber(), vatNumber: "", locale: "fr" }),
    ).then(
      () => {
        throw new Error("expected a redirect");
      },
      (error: unknown) => error as { digest?: string },
    );
    // next/navigation's redirect: "NEXT_REDIRECT;<type>;<url>;<status>;".
    expect(String(refused.digest).split(";")[2]).toBe("/sign-in");
    expect((await rowOf(dossierId)).name).not.toBe("Anoniem");
  });
});

describe("createDossierAction with a language", () => {
  it("creates the dossier in the chosen language, and in Dutch when none is sent", async () => {
    for (const [locale, expected] of [
      ["fr", "fr"],
      ["en", "en"],
      [null, "nl"],
    ] as const) {
      const result = await createDossierAction(
        null,
        formOf({
          portalId,
          name: "Nieuw bedrijf",
          companyNumber: freshCompanyNumber(),
          vatNumber: "",
          ...(locale ? { locale } : {}),
        }),
      );
      if (!result?.ok) throw new Error(`expected a dossier: ${JSON.stringify(result)}`);
      expect((await rowOf(result.dossierId)).locale).toBe(expected);
    }
  });

  it("refuses a language it does not know as a field error", async () => {
    const result = await createDossierAction(
      null,
      formOf({ portalId, name: "Nieuw bedrijf", companyNumber: freshCompanyNumber(), vatNumber: "", locale: "de" }),
    );
    expect(result).toMatchObject({ ok: false, fieldErrors: { locale: ["dossierLocale.invalid"] } });
  });
});
