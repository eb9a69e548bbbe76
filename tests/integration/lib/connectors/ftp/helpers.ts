import { randomUUID } from "node:crypto";
import { ftpConnector } from "@/lib/connectors/ftp";
import type { FtpDossierSettings, FtpSecrets, FtpSettings } from "@/lib/connectors/ftp/config";
import type { ConnectorContext, DeliveryDocument, DeliveryDossier } from "@/lib/connectors/types";
import { resetEnvCache } from "@/lib/env";
import { findPackage } from "@/lib/packages/catalog";
import type { FakeFtpServer } from "../../../../fakes/ftp-server";

export type FtpTestContext = ConnectorContext<FtpSettings, FtpSecrets, FtpDossierSettings>;

/** Sets KOPPEL_ALLOW_PRIVATE_FTP_HOSTS ("1", "0" or unset) and makes lib/env read it again. */
export function allowPrivateFtpHosts(value: "1" | "0" | undefined): void {
  if (value === undefined) delete process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS;
  else process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS = value;
  resetEnvCache();
}

export const DOSSIER: DeliveryDossier = {
  id: "7d0c9a52-5b7e-4a53-9f0e-0f3f9b1f6a11",
  name: "Bakkerij Wouters",
  companyNumber: "0123456749",
  vatNumber: "BE0123456749",
  locale: "nl",
};

/** A connector context against the fake server, as lib/connections/runtime.ts would build it. */
export function contextFor(
  server: Pick<FakeFtpServer, "host" | "port">,
  options: {
    packageId?: string;
    settings?: Partial<Record<keyof FtpSettings, unknown>>;
    password?: string;
    dossierSettings?: FtpDossierSettings | null;
    dossier?: DeliveryDossier | null;
    idempotencyKey?: string;
    timeoutMs?: number;
    /** False plays a repeated try of the same dispatch (it looks for its own file first). */
    isFirstTry?: boolean;
  } = {},
): FtpTestContext {
  const entry = findPackage(options.packageId ?? "generic-ftp");
  if (!entry) throw new Error(`unknown package ${options.packageId}`);
  const settings = ftpConnector.settingsSchema.parse({
    host: server.host,
    port: server.port,
    username: "probe",
    security: "plain",
    ...options.settings,
  });
  return {
    settings,
    secrets: ftpConnector.secretsSchema.parse({ password: options.password ?? "secret" }),
    dossierSettings: options.dossierSettings === undefined ? {} : options.dossierSettings,
    dossier: options.dossier === undefined ? DOSSIER : options.dossier,
    package: entry,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    persistSecrets: async () => {
      throw new Error("FTP connections have no rotating credentials");
    },
    rotateSecrets: async () => {
      throw new Error("FTP connections have no rotating credentials");
    },
    oauthApp: null,
    isFirstTry: options.isFirstTry ?? true,
  };
}

/** A delivery document with sensible defaults; the bytes come from `content`. */
export function documentFor(overrides: Partial<DeliveryDocument> = {}): DeliveryDocument {
  return {
    id: randomUUID(),
    documentType: "purchase_invoice",
    category: "purchase",
    fileName: "factuur.pdf",
    mimeType: "application/pdf",
    sizeBytes: 0,
    sha256: "",
    recognisedFields: { invoiceDate: "2025-03-14" },
    receivedAt: new Date("2025-03-15T09:05:07.000Z"),
    isTest: false,
    ...overrides,
  };
}

export function pdfBytes(size = 2_048, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  const header = new TextEncoder().encode("%PDF-1.4\n");
  bytes.set(header.subarray(0, Math.min(header.length, size)));
  for (let i = header.length; i < size; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}
