import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { Actor } from "@/lib/auth/actor";
import { API_SCOPES } from "@/lib/auth/scopes";
import type { ConnectionDeps } from "@/lib/connections/deps";
import { ConnectorError } from "@/lib/connectors/errors";
import type { Connector, ConnectorContext, HealthResult } from "@/lib/connectors/types";
import { resetKeyringCache } from "@/lib/crypto/secrets";
import { resetEnvCache } from "@/lib/env";

/**
 * A fake FTP-like connector with real zod schemas (settings with a default and an enum, two
 * secret fields) and a check() the test controls. API and FTP connectors arrive in later issues;
 * the services only ever see the Connector contract.
 */
export const fakeSettingsSchema = z.object({
  host: z.string().trim().min(1).meta({ labelKey: "connections.fields.host" }),
  port: z.number().int().min(1).max(65535).default(21),
  security: z.enum(["explicit", "implicit", "none"]).default("explicit"),
  passive: z.boolean().default(true),
});

export const fakeSecretsSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});

export type CheckBehaviour = (ctx: ConnectorContext<unknown, unknown, unknown>) => Promise<HealthResult>;

export function createFakeConnector() {
  const state = {
    behaviour: (async () => ({ ok: true, checkedAt: new Date() })) as CheckBehaviour,
    calls: [] as { settings: unknown; secrets: unknown }[],
  };
  const connector: Connector = {
    id: "fake-ftp",
    channel: "ftp",
    settingsSchema: fakeSettingsSchema,
    secretsSchema: fakeSecretsSchema,
    dossierSettingsSchema: z.object({ folder: z.string() }),
    async check(ctx) {
      state.calls.push({ settings: ctx.settings, secrets: ctx.secrets });
      return state.behaviour(ctx);
    },
    async deliver() {
      throw new ConnectorError("permanent", "package_refused", { vendorDetail: "fake connector does not deliver" });
    },
  };
  // Only the FTP channel has a connector here, as if the FTP issue had landed.
  const deps: ConnectionDeps = {
    loadConnector: async (_packageId, channel) => (channel === "ftp" ? connector : null),
    checkTimeoutMs: 2_000,
  };
  return { connector, deps, state };
}

/** A fresh encryption key for the test file (never the one generated into .data/). */
export function useTestEncryptionKey(): string {
  const value = `v1:${randomBytes(32).toString("base64")}`;
  process.env.APP_ENCRYPTION_KEY = value;
  delete process.env.APP_ENCRYPTION_KEYS_PREVIOUS;
  resetEnvCache();
  resetKeyringCache();
  return value;
}

export function actorsFor(portalId: string, otherPortalId: string, dossierId: string) {
  return {
    admin: { kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "admin" }, dossiers: {} },
    accountant: { kind: "user", userId: randomUUID(), portalRoles: { [portalId]: "accountant" }, dossiers: {} },
    entrepreneur: { kind: "user", userId: randomUUID(), portalRoles: {}, dossiers: { [dossierId]: portalId } },
    tokenAdmin: { kind: "token", tokenId: randomUUID(), portalId, role: "admin", scopes: API_SCOPES },
    tokenAccountant: { kind: "token", tokenId: randomUUID(), portalId, role: "accountant", scopes: API_SCOPES },
    otherAdmin: { kind: "user", userId: randomUUID(), portalRoles: { [otherPortalId]: "admin" }, dossiers: {} },
    system: { kind: "system", reason: "test" },
  } satisfies Record<string, Actor>;
}

/** One fake per test file, for module mocks that must share it with the test (actions.test.ts). */
export const sharedFake = createFakeConnector();
