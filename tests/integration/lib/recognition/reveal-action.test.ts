import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { resetEnvCache } from "@/lib/env";
import { recognitionWebhookSecret } from "@/lib/recognition/secret";

// The admin page's "Show" button, run for real: only the session (who is signed in) is a stand-in.
const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));

const { revealRecognitionSecretAction } = await import("@/app/(app)/portals/[portalId]/settings/webhook/actions");

const ENV_KEYS = ["RECOGNITION_WEBHOOK_SECRET", "DATABASE_URL", "KOPPEL_DATA_DIR"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const dataDir = mkdtempSync(path.join(tmpdir(), "koppel-reveal-"));

beforeAll(() => {
  delete process.env.RECOGNITION_WEBHOOK_SECRET;
  delete process.env.DATABASE_URL;
  process.env.KOPPEL_DATA_DIR = dataDir;
  resetEnvCache();
});
afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  rmSync(dataDir, { recursive: true, force: true });
});

const portalId = randomUUID();
const as = (actor: Actor) => {
  session.actor = actor;
};

describe("revealRecognitionSecretAction", () => {
  it("gives an admin the generated secret", async () => {
    as({ kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "admin" }, dossiers: {} });
    expect(await revealRecognitionSecretAction(portalId)).toEqual({ ok: true, secret: recognitionWebhookSecret() });
  });

  it("refuses an accountant of the office", async () => {
    as({ kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "accountant" }, dossiers: {} });
    expect(await revealRecognitionSecretAction(portalId)).toEqual({
      ok: false,
      error: { code: "forbidden", messageKey: "forbidden" },
    });
  });

  it("answers not found to another office's admin", async () => {
    as({ kind: "user", userId: randomUUID(), portalRoles: { [randomUUID()]: "admin" }, dossiers: {} });
    expect(await revealRecognitionSecretAction(portalId)).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("refuses a portal id that is not a uuid", async () => {
    as({ kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "admin" }, dossiers: {} });
    expect(await revealRecognitionSecretAction("../../etc")).toMatchObject({
      ok: false,
      error: { code: "validation_failed" },
    });
  });
});
