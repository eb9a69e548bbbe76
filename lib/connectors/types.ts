import type { z } from "zod";
import type { RecognisedFields } from "@/lib/documents/fields";
import type { Locale } from "@/lib/i18n/config";
import type { Channel, DocumentCategory, PackageEntry } from "@/lib/packages/catalog";
import type { ConnectorError } from "./errors";

/**
 * The connector contract (design map, "Connector contract"). Decisions made once, here:
 * - A connector is stateless; everything tenant-specific arrives in its context.
 * - Settings, secrets and dossier settings are each described by a zod schema. The UI builds its
 *   forms from them (field labels come from `.meta({ labelKey })`, secret fields live only in
 *   `secretsSchema`), and stored JSON is re-parsed with them on every read.
 * - Connectors never import `db/` (Biome's noRestrictedImports refuses it under lib/connectors) or
 *   read env for tenant data; rotated credentials go back through `ctx.persistSecrets`.
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

/**
 * The dossier a delivery is for, as connectors see it. `locale` is the dossier's language: what a
 * connector writes for people (the e-mail connector's subject and body) is in it.
 */
export type DeliveryDossier = {
  id: string;
  name: string;
  companyNumber: string;
  vatNumber: string | null;
  locale: Locale;
};

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

export type DeliveryFile = {
  content: Uint8Array;
  /**
   * The UBL XML that accompanies the PDF, when the package takes a UBL e-invoice as "both"
   * (lib/ubl/delivery-file.ts fills it; the name shares the PDF's stem). Yuki uploads both as one
   * document, FTP writes it next to the PDF, e-mail attaches it. API connectors that cannot carry
   * a second file (Exact Online, Wolters Kluwer, Syneton DMS: their catalog form is "pdf", so it
   * never comes) ignore it.
   */
  companion?: { fileName: string; content: Uint8Array };
};

/** What the package acknowledged. */
export type DeliveryReceipt = {
  /** The package's own id for what it received (document id, file path, message id). */
  packageReference: string | null;
  /** Where it went, for the attempt history (folder, address, administration). Never secrets. */
  target: Record<string, string | number | boolean | null>;
};

export type HealthResult = { ok: true; checkedAt: Date } | { ok: false; checkedAt: Date; error: ConnectorError };

/** Everything a call receives; built by lib/connections/runtime.ts. */
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
  /**
   * False when an earlier try of this dispatch may have reached the package (it was interrupted
   * or its answer was lost): an API connector then looks its reference up before posting again.
   */
  isFirstTry: boolean;
  /** Stores rotated credentials (OAuth refresh tokens) atomically. */
  persistSecrets: (secrets: TSecrets) => Promise<void>;
  /**
   * Replaces the stored credentials under a lock on the connection, so two jobs never rotate at
   * once (Exact invalidates a refresh token the moment it is used). `rotate` receives the
   * credentials as stored now — another job may have rotated them since this context was built —
   * and returns new ones to store, or null when the stored ones are already good. Resolves with
   * what is stored afterwards. A throw inside `rotate` stores nothing and is re-thrown.
   */
  rotateSecrets: (rotate: (latest: TSecrets) => Promise<TSecrets | null>) => Promise<TSecrets>;
  /**
   * The OAuth app (client id and secret) for connectors with `oauth`: the connection's own
   * settings.clientId / secrets.clientSecret when given, else the deployment's environment
   * (e.g. EXACT_ONLINE_CLIENT_ID / EXACT_ONLINE_CLIENT_SECRET). Null for other connectors or when
   * neither is configured.
   */
  oauthApp: OAuthApp | null;
  /**
   * Where the package's call limits are counted so that every instance sees them (the database:
   * lib/connections/call-limits.ts). Absent only in contexts built by hand (tests): the
   * connector then counts in its own process.
   */
  callLimits?: CallLimitStore;
};

/**
 * Shared state for a package's call limits (a budget learned from the package's answers, an error
 * breaker), kept where every instance sees it. The state's shape belongs to the connector.
 */
export interface CallLimitStore {
  /**
   * Reads the state stored under `key` (null: none yet), lets `decide` choose synchronously, and
   * stores its `next` (unless undefined) atomically: no other call, in this instance or another,
   * changes `key` in between. Resolves with `decide`'s result.
   */
  change<T>(key: string, decide: (state: unknown) => { next?: unknown; result: T }): Promise<T>;
  /** Records one event (e.g. an error answer) of `key` at `at` (epoch ms), kept for `keepMs`. */
  recordEvent(key: string, at: number, keepMs: number): Promise<void>;
  /** The times (epoch ms) of `key`'s events after `since`, oldest first. */
  eventsSince(key: string, since: number): Promise<number[]>;
}

/** An OAuth client registered with the package (Exact App Center app). */
export type OAuthApp = { clientId: string; clientSecret: string };

/**
 * Authorization-code flow of a connector (Exact Online). The platform (lib/connections/oauth.ts)
 * owns the state (stored server-side, single use, bound to the admin and portal) and the routes;
 * the connector only knows its vendor's URLs and token shapes.
 */
export type ConnectorOAuth<TSettings, TSecrets> = {
  /** Where the admin's browser goes to grant access. */
  authorizationUrl(input: { settings: TSettings; app: OAuthApp; redirectUri: string; state: string }): string;
  /**
   * Trades the single-use code for tokens. `current` are the stored secrets (client secret,
   * maybe old tokens); the result replaces them whole.
   */
  exchangeCode(input: {
    settings: TSettings;
    current: Partial<TSecrets>;
    app: OAuthApp;
    code: string;
    redirectUri: string;
    signal: AbortSignal;
  }): Promise<TSecrets>;
  /** When the grant dies unless used (Exact: ~30 days after the last refresh); null if never. */
  grantExpiresAt(secrets: TSecrets): Date | null;
  /** Uses the grant so it does not expire (Exact: a refresh through ctx.rotateSecrets). */
  keepAlive(ctx: ConnectorContext<TSettings, TSecrets, unknown>): Promise<void>;
};

/** One choice for a dossier-settings field, read from the package (a division, a folder). */
export type DossierChoice = {
  value: string;
  label: string;
  /** Shown under the label (code, city). */
  detail?: string | null;
  /** Used to suggest the choice whose VAT number matches the dossier's. */
  vatNumber?: string | null;
};

/** Choices per dossier-settings field name; a field listed here is shown as a picker. */
export type DossierChoices = Record<string, DossierChoice[]>;

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
  /**
   * Optional: settings that parse but that this deployment refuses, judged when a connection is
   * saved (never when stored settings are read, so a changed deployment switch cannot make them
   * unreadable). Field name → message key under connections.errors. FTP: a host the host guard
   * refuses, with the reason; the guard still judges the host at connect time.
   */
  settingsRefusals?(settings: z.infer<TSettings>): Partial<Record<string, string>>;
  /**
   * Optional: what a setting left blank means for this package, by field name, shown with the
   * field so the office sees what Koppel will use. FTP: the package's standard layout and folder
   * names, exactly as deliveries use them.
   */
  settingsStandards?(packageId: string): Partial<Record<string, string>>;
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
  /** Present when the connection is made by OAuth instead of typed credentials. */
  readonly oauth?: ConnectorOAuth<z.infer<TSettings>, z.infer<TSecrets>>;
  /**
   * Optional: the package's own lists for the dossier's settings (Exact divisions, Yuki
   * administrations and archive folders). Called with `dossierSettings` null and `dossier` set.
   */
  listDossierChoices?(
    ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>,
  ): Promise<DossierChoices>;
  /**
   * Optional: the package's rate limit on deliveries (Exact Online: per app and division). Without
   * it deliveries are not throttled. See DeliveryThrottle for how the two job drivers apply it.
   */
  readonly deliveryThrottle?: DeliveryThrottle<z.infer<TSettings>, z.infer<TDossierSettings>>;
  /**
   * Optional: how many deliveries of one connection may run at once (default 1). More than one
   * only makes sense when the connector itself keeps the package's side to one call at a time
   * (FTP: the session pool), so the others spend the wait on their own preparation.
   */
  readonly deliveryLanes?: number;
  /** Optional: asks the package what became of earlier deliveries (rejections). */
  pollStatus?(
    ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>,
    packageReferences: string[],
  ): Promise<Array<{ packageReference: string; state: "pending" | "imported" | "rejected"; reason?: string }>>;
  /**
   * Optional: runs after an admin changed the connection's settings or secrets, or (re)authorised
   * it, with the settings of every dossier mapped to it (parsed with `dossierSettingsSchema`; those
   * that do not parse are left out). Exact Online subscribes the mapped divisions to its webhook.
   * The platform (lib/connections/hooks.ts) runs it after the response, bounded by `ctx.signal`;
   * the save never waits for it or depends on it.
   */
  afterConnectionSaved?(
    ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>,
    input: ConnectionHookInput & { mappedDossierSettings: z.infer<TDossierSettings>[] },
  ): Promise<ConnectionHookOutcome[]>;
  /**
   * Optional: runs after a dossier is mapped to the connection with these settings (parsed).
   * Exact Online subscribes the division to its webhook. Bounded by `ctx.signal` (a few seconds:
   * the save waits for it); its outcome never changes the save.
   */
  afterDossierMapped?(
    ctx: ConnectorContext<z.infer<TSettings>, z.infer<TSecrets>, z.infer<TDossierSettings>>,
    input: ConnectionHookInput & { dossierSettings: z.infer<TDossierSettings> },
  ): Promise<ConnectionHookOutcome>;
  /** Optional: the package's own signed notifications about documents (see ConnectorWebhook). */
  readonly webhook?: ConnectorWebhook<unknown>;
  /**
   * Optional: the package-specific part of where a delivery went, read from a stored dispatch or
   * attempt target (lib/dispatch/plan.ts targetFor: the dossier's settings and the category; an
   * attempt adds this connector's DeliveryReceipt.target), most telling first. The platform names
   * the connection and the address itself; without this hook it lists the target's other keys
   * (lib/connectors/target.ts). Targets are stored JSON, possibly written by an older version:
   * read them defensively, and never return anything secret.
   */
  describeTarget?(target: Readonly<Record<string, unknown>>): TargetDetail[];
}

/**
 * A connector's rate limit on deliveries: at most `deliveriesPerMinute` deliver runs start a minute
 * per `key`. The key travels in the deliver job's payload (lib/dispatch/plan.ts routeThrottleKey
 * prefixes the connector id) and each driver keeps one window per key. The rate does not travel:
 * Inngest fixes a function's throttle limit when the function is defined, so the deliver job has
 * one limit for every key, derived from the rates the connectors declare (lib/connectors/registry.ts
 * deliveryThrottleRate). Two connectors declaring different rates are refused when the limit is
 * computed (lib/dispatch/plan.ts, as the process starts); a connector that needs another rate
 * needs a deliver function of its own.
 */
export type DeliveryThrottle<TSettings = unknown, TDossierSettings = unknown> = {
  readonly deliveriesPerMinute: number;
  /**
   * The bucket one delivery counts against, from the connection's and the dossier's parsed
   * settings; null = not throttled. Short and free of secrets: it travels in job payloads.
   */
  key(settings: TSettings, dossierSettings: TDossierSettings): string | null;
};

/** What the platform hands a connection's after-save hooks besides the call context. */
export type ConnectionHookInput = {
  /**
   * Where the package should send this connection's notifications: the platform's route for the
   * package (/api/webhooks/<package id>?connection=<id>) on the deployment's public address
   * (AUTH_URL). Null when the connector takes no webhook or the deployment has no address.
   */
  webhookUrl: string | null;
  /** The secret the package signs those notifications with (the connection's OAuth app's), or null. */
  webhookSecret: string | null;
};

/**
 * What an after-save hook did, for the log and tests: something done (`action`, with the package's
 * reference for it), skipped for a reason, or failed with an error code. A hook may throw instead
 * of returning "failed"; the platform records the throw as "failed" with its ConnectorError code.
 */
export type ConnectionHookOutcome =
  | { outcome: "done"; action: string; reference?: string }
  | { outcome: "skipped"; reason: string }
  | { outcome: "failed"; errorCode: string };

/**
 * A package's webhook: it tells Koppel that documents changed. The platform's route
 * (app/api/webhooks/[packageId], lib/read-back/webhook.ts) finds the connection named in the URL,
 * resolves its webhook secret and reads back the documents the notification names, asking the
 * package itself (pollStatus): a notification never sets a state on its own. The connector only
 * knows its vendor's format and signature.
 */
export type ConnectorWebhook<TNotification> = {
  /** Bodies larger than this are refused unread (413). */
  readonly maxBytes: number;
  /** The notification in a raw body, or null when the body is not one (400). */
  parse(rawBody: string): TNotification | null;
  /** Whether the notification is signed with `secret` (else 401); compared in constant time. */
  isSignedWith(notification: TNotification, secret: string): boolean;
  /** The package references the notification is about; empty = nothing to read back (200, ignored). */
  packageReferencesOf(notification: TNotification): string[];
};

/** One fact of where a delivery went: a key of the stored target and its value as text. */
export type TargetDetail = { key: string; value: string };

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
