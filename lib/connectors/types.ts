import type { z } from "zod";
import type { RecognisedFields } from "@/db/schema";
import type { Channel, DocumentCategory, PackageEntry } from "@/lib/packages/catalog";
import type { ConnectorError } from "./errors";

/**
 * The connector contract (design map, "Connector contract"). Decisions made once, here:
 * - A connector is stateless; everything tenant-specific arrives in its context.
 * - Settings, secrets and dossier settings are each described by a zod schema. The UI builds its
 *   forms from them (field labels come from `.meta({ labelKey })`, secret fields live only in
 *   `secretsSchema`), and stored JSON is re-parsed with them on every read.
 * - Connectors never import `db/` or read env for tenant data; rotated credentials go back through
 *   `ctx.persistSecrets`.
 * - Delivery must be idempotent for one `ctx.idempotencyKey` (= the dispatch id): FTP by a
 *   deterministic name and upload-then-rename, API by looking up our reference first, e-mail by
 *   the provider's idempotency key.
 * - Failures are thrown as ConnectorError (retryable / permanent / auth), never returned.
 */

export type DocumentType =
  | "purchase_invoice"
  | "purchase_credit_note"
  | "sales_invoice"
  | "sales_credit_note"
  | "receipt"
  | "other";

/** The dossier a delivery is for, as connectors see it. */
export type DeliveryDossier = { id: string; name: string; companyNumber: string; vatNumber: string | null };

/** The document being delivered (metadata); the bytes come separately in DeliveryFile. */
export type DeliveryDocument = {
  id: string;
  documentType: DocumentType;
  category: DocumentCategory;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  recognisedFields: RecognisedFields;
  /**
   * When the document arrived in Koppel (the row's created_at). Optional until every caller
   * passes it; FTP file names start with it, so importers that read in name order see arrival order.
   */
  receivedAt?: Date;
  /** True for "Send a test document": connectors mark it as a test where the channel allows. */
  isTest: boolean;
};

export type DeliveryFile = { content: Uint8Array };

/** What the package acknowledged. */
export type DeliveryReceipt = {
  /** The package's own id for what it received (document id, file path, message id). */
  packageReference: string | null;
  /** Where it went, for the attempt history (folder, address, administration). Never secrets. */
  target: Record<string, string | number | boolean | null>;
};

export type HealthResult = { ok: true; checkedAt: Date } | { ok: false; checkedAt: Date; error: ConnectorError };

/** Everything a call receives; built by lib/connectors/runtime.ts. */
export type ConnectorContext<TSettings, TSecrets, TDossierSettings> = {
  settings: TSettings;
  secrets: TSecrets;
  /** Null for portal-level calls such as `check`. */
  dossierSettings: TDossierSettings | null;
  dossier: DeliveryDossier | null;
  package: PackageEntry;
  /** Aborts on timeout or shutdown; pass it to every network call. */
  signal: AbortSignal;
  /** Same key for every try of one dispatch. */
  idempotencyKey: string;
  /** Stores rotated credentials (OAuth refresh tokens) atomically. */
  persistSecrets: (secrets: TSecrets) => Promise<void>;
};

/** A connector for one channel (and, for APIs, one package). */
export interface Connector<
  TSettings extends z.ZodType = z.ZodType,
  TSecrets extends z.ZodType = z.ZodType,
  TDossierSettings extends z.ZodType = z.ZodType,
> {
  /** Stable id, e.g. "email", "ftp", "exact-online". */
  readonly id: string;
  readonly channel: Channel;
  /** Portal connection settings (host, region, base URL…); empty for e-mail. */
  readonly settingsSchema: TSettings;
  /** Credentials; encrypted at rest, write-only in the UI. */
  readonly secretsSchema: TSecrets;
  /** What a dossier gives (administration, folder, addresses). */
  readonly dossierSettingsSchema: TDossierSettings;
  /** A real, bounded check of the portal connection (log in, list, probe). */
  check(ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>): Promise<HealthResult>;
  /** Delivers one document; resolves only when the target acknowledged receipt. */
  deliver(
    ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>,
    document: DeliveryDocument,
    file: DeliveryFile,
  ): Promise<DeliveryReceipt>;
  /** Optional: asks the package what became of earlier deliveries (rejections). */
  pollStatus?(
    ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>,
    packageReferences: string[],
  ): Promise<Array<{ packageReference: string; state: "pending" | "imported" | "rejected"; reason?: string }>>;
}

/** Purchase, sales or other: the split most packages (and mail rules) make. */
export function categoryOf(documentType: DocumentType): DocumentCategory {
  switch (documentType) {
    case "purchase_invoice":
    case "purchase_credit_note":
    case "receipt":
      return "purchase";
    case "sales_invoice":
    case "sales_credit_note":
      return "sales";
    case "other":
      return "other";
  }
}
