import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { arrayContains, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedDb, openDb } from "@/db";
import { invitations, outboxEmails, portalMembers, portals } from "@/db/schema";
import { acceptInvitation } from "@/lib/invitations/accept";

// The operator's commands as an operator runs them: `tsx --conditions=react-server scripts/…`
// (what `npm run office:create` / `office:invite` run) in child processes, against a fresh
// embedded database in a temp KOPPEL_DATA_DIR, mailing into its outbox. The database is opened
// here only after they have exited (PGlite: one process per data dir).

const TSX = path.join(process.cwd(), "node_modules", ".bin", "tsx");
let dataDir: string;

type Run = { code: number; stdout: string; stderr: string };

function run(script: "office-create" | "office-invite", args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KOPPEL_DATA_DIR: dataDir,
    AUTH_URL: "https://ops.koppel.test",
  };
  for (const key of ["DATABASE_URL", "RESEND_API_KEY", "KOPPEL_SIGNUP"]) delete env[key];
  return new Promise((resolve) => {
    execFile(
      TSX,
      ["--conditions=react-server", `scripts/${script}.ts`, ...args],
      { env, cwd: process.cwd() },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "koppel-office-commands-"));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run office:create / office:invite", { timeout: 180_000 }, () => {
  it("refuses bad input with what is wrong and the usage, exit code 1, before touching a database", async () => {
    const bad = await run("office-create", ["--name", "Kantoor", "--enterprise-number", "0123456700", "--admin", "x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--enterprise-number: This isn't a valid Belgian company number.");
    expect(bad.stderr).toContain("--admin: Enter a valid e-mail address");
    expect(bad.stderr).toContain("usage: npm run office:create --");
    const unknown = await run("office-invite", ["--mail", "a@b.be"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("--mail");
    expect(unknown.stderr).toContain("usage: npm run office:invite --");
  });

  it("creates an office and its admin's invitation, refuses it twice, and invites a sign-up", async () => {
    const created = await run("office-create", [
      "--name",
      "Kantoor Wouters",
      "--enterprise-number",
      "0123.456.749",
      "--admin",
      "Admin@Wouters.be",
      "--language",
      "fr",
    ]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const portalId = created.stdout.match(/office "Kantoor Wouters" created: ([0-9a-f-]{36})/)?.[1];
    const adminLink = created.stdout.match(/https:\/\/ops\.koppel\.test\/invitations\/([\w-]{43})/)?.[1];
    expect(portalId).toBeDefined();
    expect(adminLink).toBeDefined();
    expect(created.stdout).toContain("the mail is in the local outbox");

    const again = await run("office-create", [
      "--name",
      "Nog eens",
      "--enterprise-number",
      "0123456749",
      "--admin",
      "ander@wouters.be",
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("--enterprise-number: An office with this enterprise number is already on Koppel.");

    const invited = await run("office-invite", ["--email", "nieuw@kantoor.be"]);
    expect(invited.code).toBe(0);
    const inviteLink = invited.stdout.match(/https:\/\/ops\.koppel\.test\/sign-up\?invite=([\w-]{43})/)?.[1];
    expect(inviteLink).toBeDefined();

    const opened: OpenedDb = await openDb({ pgliteDir: path.join(dataDir, "pglite") });
    try {
      const { db } = opened;
      expect(await db.select({ id: portals.id, name: portals.name }).from(portals)).toEqual([
        { id: portalId, name: "Kantoor Wouters" },
      ]);
      expect(
        await db
          .select({ kind: invitations.kind, email: invitations.email, locale: invitations.locale })
          .from(invitations)
          .orderBy(invitations.createdAt),
      ).toEqual([
        { kind: "portal_member", email: "admin@wouters.be", locale: "fr" },
        { kind: "sign_up_invite", email: "nieuw@kantoor.be", locale: "nl" },
      ]);
      const mails = await db
        .select({ text: outboxEmails.text })
        .from(outboxEmails)
        .where(arrayContains(outboxEmails.to, ["admin@wouters.be"]));
      expect(mails.map((mail) => mail.text.includes(`/invitations/${adminLink}`))).toEqual([true]);

      // The printed link is the admin's way in.
      const accepted = await acceptInvitation(db, adminLink ?? "");
      expect(
        await db
          .select({ userId: portalMembers.userId, role: portalMembers.role })
          .from(portalMembers)
          .where(eq(portalMembers.portalId, portalId ?? "")),
      ).toEqual([{ userId: accepted.userId, role: "admin" }]);
    } finally {
      await opened.close();
    }
  });
});
