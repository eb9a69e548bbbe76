import { randomUUID } from "node:crypto";
import { createTranslator } from "next-intl";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenedDb } from "@/db";
import { dossierMembers, portalMembers, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { listOutboxEmails, outboxAccessFor } from "@/lib/email/outbox";
import { sendEmail } from "@/lib/email/send";
import { resetEnvCache } from "@/lib/env";
import { MESSAGES } from "@/lib/i18n/messages";
import { createTestDb } from "../../../helpers/db";
import { insertDossier, insertPortal } from "../../../helpers/fixtures";

// The local outbox holds live sign-in links. Under `next dev` it is the developer's way in, whatever
// KOPPEL_DEMO says; on a demo server only an admin sees it, and only mail for people of their own
// office(s) and of no other; anywhere else, and whenever Resend sends, nobody.

const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ getActor: async () => session.actor }));
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace?: string) =>
    createTranslator({ locale: "en", messages: MESSAGES.en, namespace: namespace as never }),
  getFormatter: async () => ({ dateTime: (date: Date) => date.toISOString() }),
}));
const { default: OutboxPage } = await import("@/app/dev/outbox/page");
const { default: CheckEmailPage } = await import("@/app/(auth)/sign-in/check-email/page");

const ENV_KEYS = ["NODE_ENV", "KOPPEL_DEMO", "RESEND_API_KEY"] as const;
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>>) {
  const env = process.env as Record<string, string | undefined>;
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  resetEnvCache();
}
const DEV = { NODE_ENV: "development" };
const DEMO = { NODE_ENV: "production", KOPPEL_DEMO: "1" };

let opened: OpenedDb;
let portalA = "";
let portalB = "";
const person = {
  adminA: { id: randomUUID(), email: "admin@kantoor-a.test" },
  accountantA: { id: randomUUID(), email: "Accountant@Kantoor-A.test" },
  entrepreneurA: { id: randomUUID(), email: "ondernemer@klant-a.test" },
  inBoth: { id: randomUUID(), email: "zelfstandige@beide.test" },
  adminB: { id: randomUUID(), email: "admin@kantoor-b.test" },
};
let adminA: Actor;
let accountantA: Actor;
let adminB: Actor;

async function mail(to: string[], subject: string) {
  await sendEmail({
    to,
    subject,
    text: `Sign in: http://localhost:3000/api/auth/callback/email?token=${randomUUID()}`,
    idempotencyKey: randomUUID(),
  });
}

beforeAll(async () => {
  setEnv(DEV);
  opened = await createTestDb();
  globalThis.__koppelDb = Promise.resolve(opened);
  portalA = (await insertPortal(opened.db, "Kantoor A")).id;
  portalB = (await insertPortal(opened.db, "Kantoor B")).id;
  const dossierA = await insertDossier(opened.db, portalA);
  const dossierB = await insertDossier(opened.db, portalB);
  await opened.db
    .insert(users)
    .values(Object.values(person).map(({ id, email }) => ({ id, email: email.toLowerCase() })));
  await opened.db.insert(portalMembers).values([
    { portalId: portalA, userId: person.adminA.id, role: "admin" },
    { portalId: portalA, userId: person.accountantA.id, role: "accountant" },
    { portalId: portalA, userId: person.inBoth.id, role: "accountant" },
    { portalId: portalB, userId: person.adminB.id, role: "admin" },
  ]);
  await opened.db.insert(dossierMembers).values([
    { portalId: portalA, dossierId: dossierA.id, userId: person.entrepreneurA.id },
    { portalId: portalB, dossierId: dossierB.id, userId: person.inBoth.id },
  ]);
  adminA = { kind: "user", userId: person.adminA.id, portalRoles: { [portalA]: "admin" }, dossiers: {} };
  accountantA = { kind: "user", userId: person.accountantA.id, portalRoles: { [portalA]: "accountant" }, dossiers: {} };
  adminB = { kind: "user", userId: person.adminB.id, portalRoles: { [portalB]: "admin" }, dossiers: {} };

  await mail([person.accountantA.email], "for accountant A");
  await mail([person.entrepreneurA.email], "for entrepreneur A");
  await mail([person.adminB.email], "for admin B");
  await mail([person.inBoth.email], "for someone in both offices");
  await mail([person.adminA.email, person.adminB.email], "for both admins");
  await mail(["stranger@nowhere.test"], "for nobody we know");
});
beforeEach(() => {
  session.actor = null;
});
afterAll(async () => {
  setEnv(saved);
  globalThis.__koppelDb = undefined;
  await opened?.close();
});

/** The text and attributes of a rendered element tree (element types, which may be circular, left out). */
function markupOf(node: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(node, (key, value: unknown) => {
    if (key === "type" || key === "_owner") return undefined;
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return undefined;
      seen.add(value);
    }
    return value;
  });
}

const subjects = async (actor: Actor | null) => {
  const access = outboxAccessFor(actor);
  return access ? (await listOutboxEmails(opened.db, access)).map((email) => email.subject).sort() : null;
};

describe("who may read the outbox", () => {
  it("under next dev: anyone, everything, also with KOPPEL_DEMO=0 (a sign-in link is always reachable)", async () => {
    setEnv({ ...DEV, KOPPEL_DEMO: "0" });
    expect(await subjects(null)).toHaveLength(6);
  });

  it("on a demo server: nobody anonymous, no accountant, no API key", async () => {
    setEnv(DEMO);
    expect(outboxAccessFor(null)).toBeNull();
    expect(outboxAccessFor(accountantA)).toBeNull();
    expect(
      outboxAccessFor({ kind: "token", tokenId: randomUUID(), portalId: portalA, role: "admin", scopes: [] }),
    ).toBeNull();
  });

  it("on a demo server an admin sees only mail whose every recipient is in their office and in no other", async () => {
    setEnv(DEMO);
    expect(await subjects(adminA)).toEqual(["for accountant A", "for entrepreneur A"]);
    expect(await subjects(adminB)).toEqual(["for admin B"]);
  });

  it("in production without demo, and whenever Resend sends, nobody", () => {
    setEnv({ NODE_ENV: "production" });
    expect(outboxAccessFor(adminA)).toBeNull();
    setEnv({ ...DEV, RESEND_API_KEY: "re_test" });
    expect(outboxAccessFor(null)).toBeNull();
    setEnv({ ...DEMO, RESEND_API_KEY: "re_test" });
    expect(outboxAccessFor(adminA)).toBeNull();
  });
});

describe("the pages", () => {
  it("/dev/outbox answers 404 to an anonymous visitor of a demo server", async () => {
    setEnv(DEMO);
    await expect(OutboxPage()).rejects.toMatchObject({ digest: expect.stringContaining("404") });
  });

  it("/dev/outbox shows a demo admin their office's mail and not another office's", async () => {
    setEnv(DEMO);
    session.actor = adminA;
    const html = markupOf(await OutboxPage());
    expect(html).toContain("for accountant A");
    expect(html).not.toContain("for admin B");
    expect(html).not.toContain("for someone in both offices");
  });

  it("the check-email page links to the outbox under next dev only", async () => {
    setEnv({ ...DEV, KOPPEL_DEMO: "0" });
    expect(markupOf(await CheckEmailPage())).toContain("/dev/outbox");
    setEnv(DEMO);
    expect(markupOf(await CheckEmailPage())).not.toContain("/dev/outbox");
  });
});
