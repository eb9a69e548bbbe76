import { randomUUID } from "node:crypto";
import { woltersKluwerConnector } from "@/lib/connectors/api/wolters-kluwer";
import {
  type WoltersKluwerDossierSettings,
  type WoltersKluwerSecrets,
  type WoltersKluwerSettings,
  woltersKluwerSecretsSchema,
} from "@/lib/connectors/api/wolters-kluwer/config";
import type { ConnectorContext, DeliveryDocument, DeliveryDossier } from "@/lib/connectors/types";
import { findPackage } from "@/lib/packages/catalog";
import { FAKE_WK_ADMINISTRATIONS, type FakeWoltersKluwer } from "../../../../fakes/wolters-kluwer";

export type WkTestContext = ConnectorContext<WoltersKluwerSettings, WoltersKluwerSecrets, WoltersKluwerDossierSettings>;

export { allowCustomApiHosts } from "../../../../helpers/env";

export const DOSSIER: DeliveryDossier = {
  id: "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
  name: "Bakkerij Wouters",
  companyNumber: "0123456749",
  vatNumber: "BE0123456749",
  locale: "nl",
};

export const ADMINISTRATION_ID = FAKE_WK_ADMINISTRATIONS[0]?.id ?? "";

/** Secrets as the OAuth platform stores them after a code exchange with the fake. */
export function grantedSecrets(fake: FakeWoltersKluwer, options: { isExpired?: boolean } = {}): WoltersKluwerSecrets {
  const grant = fake.issueGrant();
  const expiresAt = options.isExpired ? Date.now() - 1_000 : Date.now() + grant.expiresIn * 1000;
  return {
    accessToken: grant.accessToken,
    accessTokenExpiresAt: new Date(expiresAt).toISOString(),
    refreshToken: grant.refreshToken,
    refreshedAt: new Date().toISOString(),
  };
}

/** Credentials kept in memory with the runtime's rotateSecrets semantics (one rotation at a time). */
export function memorySecrets(initial: WoltersKluwerSecrets) {
  let current = woltersKluwerSecretsSchema.parse(initial);
  let queue: Promise<unknown> = Promise.resolve();
  const store = {
    stored: 0,
    get current() {
      return current;
    },
    rotateSecrets(
      rotate: (latest: WoltersKluwerSecrets) => Promise<WoltersKluwerSecrets | null>,
    ): Promise<WoltersKluwerSecrets> {
      const run = queue.then(async () => {
        const next = await rotate(current);
        if (next !== null) {
          current = woltersKluwerSecretsSchema.parse(next);
          store.stored++;
        }
        return current;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
  return store;
}

/** A connector context against the fake, as lib/connections/runtime.ts would build it. */
export function contextFor(
  fake: FakeWoltersKluwer,
  options: {
    secrets?: ReturnType<typeof memorySecrets>;
    dossierSettings?: Partial<WoltersKluwerDossierSettings> | null;
    isFirstTry?: boolean;
    idempotencyKey?: string;
    settings?: Partial<Record<keyof WoltersKluwerSettings, unknown>>;
  } = {},
): WkTestContext {
  const entry = findPackage("wolters-kluwer");
  if (!entry) throw new Error("wolters-kluwer is not in the catalog");
  const secrets = options.secrets ?? memorySecrets(grantedSecrets(fake));
  const dossierSettings =
    options.dossierSettings === null
      ? null
      : woltersKluwerConnector.dossierSettingsSchema.parse({
          administrationId: ADMINISTRATION_ID,
          ...options.dossierSettings,
        });
  return {
    settings: woltersKluwerConnector.settingsSchema.parse({
      baseUrl: fake.url,
      loginUrl: fake.url,
      ...options.settings,
    }),
    secrets: secrets.current,
    dossierSettings,
    dossier: DOSSIER,
    package: entry,
    signal: AbortSignal.timeout(20_000),
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    isFirstTry: options.isFirstTry ?? true,
    persistSecrets: async () => {
      throw new Error("Wolters Kluwer stores credentials through rotateSecrets only");
    },
    rotateSecrets: (rotate) => secrets.rotateSecrets(rotate),
    oauthApp: { clientId: fake.clientId, clientSecret: fake.clientSecret },
  };
}

export function documentFor(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: randomUUID(),
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "factuur-2025-031.pdf",
    mimeType: "application/pdf",
    sizeBytes: 0,
    sha256: "",
    recognisedFields: {},
    isTest: false,
    ...overrides,
  };
}

export function pdfBytes(label = "Koppel test"): Uint8Array {
  return new TextEncoder().encode(`%PDF-1.4\n% ${label}\n${"x".repeat(2048)}\n%%EOF\n`);
}
