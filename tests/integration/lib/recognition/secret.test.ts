import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import { resetEnvCache } from "@/lib/env";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { getRecognitionWebhookInfo, recognitionWebhookSecret } from "@/lib/recognition/secret";

const ENV_KEYS = ["RECOGNITION_WEBHOOK_SECRET", "DATABASE_URL", "KOPPEL_DATA_DIR"] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const dataDirs: string[] = [];

function setEnv(values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

function freshDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "koppel-secret-"));
  dataDirs.push(dir);
  return dir;
}

afterEach(() => setEnv({}));
afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  resetEnvCache();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const portalId = randomUUID();
const otherPortalId = randomUUID();
const dossierId = randomUUID();
const actors = {
  admin: { kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "admin" }, dossiers: {} },
  accountant: { kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "accountant" }, dossiers: {} },
  entrepreneur: { kind: "user", userId: randomUUID(), portalRoles: {}, dossiers: { [dossierId]: portalId } },
  otherAdmin: { kind: "user", userId: randomUUID(), portalRoles: { [otherPortalId]: "admin" }, dossiers: {} },
  adminToken: { kind: "token", tokenId: randomUUID(), portalId, role: "admin", scopes: API_SCOPES },
} satisfies Record<string, Actor>;

describe("the recognition webhook secret", () => {
  it("is generated once into the data dir for the embedded default, and shown to admins", () => {
    const dataDir = freshDataDir();
    setEnv({ KOPPEL_DATA_DIR: dataDir });
    const info = getRecognitionWebhookInfo(actors.admin, portalId);
    expect(info).toMatchObject({ path: "/api/webhooks/recognition", secretSource: "generated" });
    expect(info.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dataDir, "secrets", "recognition_webhook_secret");
    expect(readFileSync(file, "utf8")).toBe(info.secret);
    expect(statSync(file).mode & 0o077).toBe(0);
    // The same secret on every read: the recognition step keeps working across restarts.
    expect(recognitionWebhookSecret()).toBe(info.secret);
    expect(getRecognitionWebhookInfo(actors.adminToken, portalId).secret).toBe(info.secret);
  });

  it("comes from RECOGNITION_WEBHOOK_SECRET when set, and is then never shown in the app", () => {
    const secret = "set-by-the-operator-0123456789-abcdefghij";
    setEnv({ KOPPEL_DATA_DIR: freshDataDir(), RECOGNITION_WEBHOOK_SECRET: secret });
    expect(recognitionWebhookSecret()).toBe(secret);
    expect(getRecognitionWebhookInfo(actors.admin, portalId)).toEqual({
      path: "/api/webhooks/recognition",
      secretSource: "environment",
      secret: null,
    });
  });

  it("is required when DATABASE_URL is set", () => {
    setEnv({ KOPPEL_DATA_DIR: freshDataDir(), DATABASE_URL: "postgres://koppel@db.invalid/koppel" });
    expect(() => recognitionWebhookSecret()).toThrow(/RECOGNITION_WEBHOOK_SECRET must be set/);
    expect(getRecognitionWebhookInfo(actors.admin, portalId)).toMatchObject({ secretSource: "missing", secret: null });
  });

  it("refuses a secret shorter than 32 characters", () => {
    setEnv({ RECOGNITION_WEBHOOK_SECRET: "too-short" });
    expect(() => recognitionWebhookSecret()).toThrow(/RECOGNITION_WEBHOOK_SECRET/);
  });

  it("is for admins only: accountants are refused, outsiders and entrepreneurs get not found", () => {
    setEnv({ KOPPEL_DATA_DIR: freshDataDir() });
    expect(() => getRecognitionWebhookInfo(actors.accountant, portalId)).toThrow(ForbiddenError);
    expect(() => getRecognitionWebhookInfo(actors.entrepreneur, portalId)).toThrow(NotFoundError);
    expect(() => getRecognitionWebhookInfo(actors.otherAdmin, portalId)).toThrow(NotFoundError);
  });
});
