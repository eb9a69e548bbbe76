import { randomUUID } from "node:crypto";
import { synetonDmsConnector } from "@/lib/connectors/api/syneton-dms";
import type { SynetonDossierSettings, SynetonSecrets, SynetonSettings } from "@/lib/connectors/api/syneton-dms/config";
import type { ConnectorContext, DeliveryDocument, DeliveryDossier } from "@/lib/connectors/types";
import { findPackage } from "@/lib/packages/catalog";
import type { FakeSyneton } from "../../../../fakes/syneton-dms";

export type SynetonTestContext = ConnectorContext<SynetonSettings, SynetonSecrets, SynetonDossierSettings>;

export { allowCustomApiHosts } from "../../../../helpers/env";

export const DOSSIER: DeliveryDossier = {
  id: "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
  name: "Bakkerij Wouters",
  companyNumber: "0123456749",
  vatNumber: "BE0123456749",
  locale: "nl",
};

export const CUSTOMER_ID = 1001;

export function contextFor(
  fake: FakeSyneton,
  options: {
    settings?: Partial<Record<keyof SynetonSettings, unknown>>;
    apiKey?: string;
    dossierSettings?: Partial<SynetonDossierSettings> | null;
    idempotencyKey?: string;
    isFirstTry?: boolean;
  } = {},
): SynetonTestContext {
  const entry = findPackage("syneton-dms");
  if (!entry) throw new Error("syneton-dms is not in the catalog");
  return {
    settings: synetonDmsConnector.settingsSchema.parse({ baseUrl: fake.url, ...options.settings }),
    secrets: synetonDmsConnector.secretsSchema.parse({ apiKey: options.apiKey ?? fake.apiKey }),
    dossierSettings:
      options.dossierSettings === null
        ? null
        : synetonDmsConnector.dossierSettingsSchema.parse({ customerId: CUSTOMER_ID, ...options.dossierSettings }),
    dossier: DOSSIER,
    package: entry,
    signal: AbortSignal.timeout(15_000),
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    isFirstTry: options.isFirstTry ?? true,
    persistSecrets: async () => {
      throw new Error("Syneton API keys do not rotate");
    },
    rotateSecrets: async () => {
      throw new Error("Syneton API keys do not rotate");
    },
    oauthApp: null,
  };
}

export function documentFor(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: randomUUID(),
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "Factuur maart 2025.pdf",
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
