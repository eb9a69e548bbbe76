import { randomUUID } from "node:crypto";
import { exactOnlineConnector } from "@/lib/connectors/api/exact-online";
import {
  type ExactDossierSettings,
  type ExactSecrets,
  type ExactSettings,
  exactSecretsSchema,
} from "@/lib/connectors/api/exact-online/config";
import type { ConnectorContext, DeliveryDocument, DeliveryDossier } from "@/lib/connectors/types";
import { findPackage } from "@/lib/packages/catalog";
import type { FakeExactOnline } from "../../../../fakes/exact-online";

export type ExactTestContext = ConnectorContext<ExactSettings, ExactSecrets, ExactDossierSettings>;

export { allowCustomApiHosts } from "../../../../helpers/env";

export const DOSSIER: DeliveryDossier = {
  id: "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
  name: "Bakkerij Wouters",
  companyNumber: "0123456749",
  vatNumber: "BE0123456749",
  locale: "nl",
};

/** Secrets as the OAuth platform stores them after a code exchange with the fake. */
export function grantedSecrets(fake: FakeExactOnline, options: { isExpired?: boolean } = {}): ExactSecrets {
  const grant = fake.issueGrant();
  const expiresAt = options.isExpired ? Date.now() - 1_000 : Date.now() + grant.expiresIn * 1000;
  return {
    accessToken: grant.accessToken,
    accessTokenExpiresAt: new Date(expiresAt).toISOString(),
    refreshToken: grant.refreshToken,
    refreshedAt: new Date().toISOString(),
  };
}

/**
 * Credentials kept in memory with the runtime's rotateSecrets semantics: one rotation at a time,
 * each seeing what the previous one stored. Counts the rotations that stored something.
 */
export function memorySecrets(initial: ExactSecrets) {
  let current = exactSecretsSchema.parse(initial);
  let queue: Promise<unknown> = Promise.resolve();
  const store = {
    stored: 0,
    get current() {
      return current;
    },
    rotateSecrets(rotate: (latest: ExactSecrets) => Promise<ExactSecrets | null>): Promise<ExactSecrets> {
      const run = queue.then(async () => {
        const next = await rotate(current);
        if (next !== null) {
          current = exactSecretsSchema.parse(next);
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
  fake: FakeExactOnline,
  options: {
    secrets?: ReturnType<typeof memorySecrets>;
    division?: number | null;
    isFirstTry?: boolean;
    idempotencyKey?: string;
    clientId?: string;
    settings?: Partial<ExactSettings>;
  } = {},
): ExactTestContext {
  const entry = findPackage("exact-online");
  if (!entry) throw new Error("exact-online is not in the catalog");
  const secrets = options.secrets ?? memorySecrets(grantedSecrets(fake));
  const division = options.division === undefined ? (fake.divisions[0]?.Code ?? 100001) : options.division;
  return {
    settings: exactOnlineConnector.settingsSchema.parse({ baseUrl: fake.url, ...options.settings }),
    secrets: secrets.current,
    dossierSettings: division === null ? null : { division },
    dossier: division === null ? null : DOSSIER,
    package: entry,
    signal: AbortSignal.timeout(20_000),
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    isFirstTry: options.isFirstTry ?? true,
    persistSecrets: async () => {
      throw new Error("Exact stores credentials through rotateSecrets only");
    },
    rotateSecrets: (rotate) => secrets.rotateSecrets(rotate),
    oauthApp: { clientId: options.clientId ?? fake.clientId, clientSecret: fake.clientSecret },
  };
}

/** A delivery document; the bytes come from `pdfBytes`. */
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
