import { randomUUID } from "node:crypto";
import { yukiConnector } from "@/lib/connectors/api/yuki";
import type { YukiDossierSettings, YukiSecrets, YukiSettings } from "@/lib/connectors/api/yuki/config";
import type { ConnectorContext, DeliveryDocument, DeliveryDossier } from "@/lib/connectors/types";
import { findPackage } from "@/lib/packages/catalog";
import { FAKE_YUKI_ACCESS_KEY, FAKE_YUKI_ADMINISTRATIONS, FAKE_YUKI_FOLDERS } from "../../../../fakes/yuki";

export type YukiTestContext = ConnectorContext<YukiSettings, YukiSecrets, YukiDossierSettings>;

export { allowCustomApiHosts } from "../../../../helpers/env";

export const DOSSIER: DeliveryDossier = {
  id: "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
  name: "Bakkerij Wouters",
  companyNumber: "0123456749",
  vatNumber: "BE0123456749",
  locale: "nl",
};

const [administration] = FAKE_YUKI_ADMINISTRATIONS;
const folderId = (description: string) => {
  const folder = FAKE_YUKI_FOLDERS.find((candidate) => candidate.description === description);
  if (!folder) throw new Error(`no fake folder ${description}`);
  return folder.id;
};

/** The fake's first administration, purchase → Inkoop, sales → Verkoop, other → Overige. */
export const DOSSIER_SETTINGS: YukiDossierSettings = {
  administrationId: administration?.id ?? "",
  purchaseFolderId: folderId("Inkoop"),
  salesFolderId: folderId("Verkoop"),
  otherFolderId: folderId("Overige"),
};

/** A connector context against the fake, as lib/connections/runtime.ts would build it. */
export function contextFor(
  fake: { url: string },
  options: {
    settings?: Partial<Record<keyof YukiSettings, unknown>>;
    accessKey?: string;
    dossierSettings?: YukiDossierSettings | null;
    idempotencyKey?: string;
    isFirstTry?: boolean;
  } = {},
): YukiTestContext {
  const entry = findPackage("yuki");
  if (!entry) throw new Error("yuki is not in the catalog");
  return {
    settings: yukiConnector.settingsSchema.parse({ baseUrl: fake.url, ...options.settings }),
    secrets: yukiConnector.secretsSchema.parse({ accessKey: options.accessKey ?? FAKE_YUKI_ACCESS_KEY }),
    dossierSettings: options.dossierSettings === undefined ? DOSSIER_SETTINGS : options.dossierSettings,
    dossier: DOSSIER,
    package: entry,
    signal: AbortSignal.timeout(15_000),
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    isFirstTry: options.isFirstTry ?? true,
    persistSecrets: async () => {
      throw new Error("Yuki access keys do not rotate");
    },
    rotateSecrets: async () => {
      throw new Error("Yuki access keys do not rotate");
    },
    oauthApp: null,
  };
}

/** A delivery document with sensible defaults. */
export function documentFor(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: randomUUID(),
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "Factuur maart 2025.pdf",
    mimeType: "application/pdf",
    sizeBytes: 0,
    sha256: "",
    recognisedFields: { invoiceDate: "2025-03-14" },
    receivedAt: new Date("2025-03-15T09:05:07.000Z"),
    isTest: false,
    ...overrides,
  };
}

export function pdfBytes(size = 4_096, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  const header = new TextEncoder().encode("%PDF-1.4\n");
  bytes.set(header.subarray(0, Math.min(header.length, size)));
  for (let i = header.length; i < size; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}
