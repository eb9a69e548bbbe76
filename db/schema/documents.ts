import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { DOCUMENT_TYPES } from "../../lib/documents/document-types";
import type { RecognisedFields } from "../../lib/documents/fields";
import type { FailureGroup } from "../../lib/failures/groups";
import { users } from "./auth";
import { connections } from "./integrations";
import { dossiers, portals } from "./tenancy";

export const documentSourceEnum = pgEnum("document_source", ["upload", "email", "sales", "api"]);
/** The tuple lives in lib (no zod, no drizzle) because the browser's forms list it too. */
export const documentTypeEnum = pgEnum("document_type", DOCUMENT_TYPES);
export const documentStatusEnum = pgEnum("document_status", ["inbox", "sending", "sent", "failed", "rejected"]);
/** "test" = "Send a test document" from the dossier's integration tab (no document row). */
export const dispatchTriggerEnum = pgEnum("dispatch_trigger", ["manual", "bulk", "auto", "retry", "test"]);
export const dispatchStatusEnum = pgEnum("dispatch_status", ["queued", "running", "succeeded", "failed"]);
/**
 * What happened to a document (lib/documents/life.ts writes one row per transition). "retried" is a
 * send of a failed or rejected document; "auto_send_skipped" records why auto-send left it alone.
 */
export const documentEventKindEnum = pgEnum("document_event_kind", [
  "received",
  "recognised",
  "typed",
  "send_requested",
  "retried",
  "delivered",
  "delivery_failed",
  "rejected",
  "imported",
  "archived",
  "unarchived",
  "deleted",
  "auto_send_skipped",
  "duplicate_held",
  "duplicate_cleared",
  "delivery_waiting",
]);
export const actorKindEnum = pgEnum("actor_kind", ["user", "token", "system"]);
export const attemptOutcomeEnum = pgEnum("attempt_outcome", [
  "running",
  "succeeded",
  "retryable_error",
  "permanent_error",
  "auth_error",
]);

/** Fields the recognition step extracted; all optional. One definition: lib/documents/fields.ts's schema. */
export type { RecognisedFields };

export const documents = pgTable(
  "documents",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    dossierId: uuid().notNull(),
    source: documentSourceEnum().notNull(),
    fileName: text().notNull(),
    mimeType: text().notNull(),
    sizeBytes: bigint({ mode: "number" }).notNull(),
    sha256: text().notNull(),
    storageKey: text().notNull(),
    /** null = not recognised yet. */
    documentType: documentTypeEnum(),
    recognisedFields: jsonb().$type<RecognisedFields>().notNull().default({}),
    status: documentStatusEnum().notNull().default("inbox"),
    archivedAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
    /**
     * Set when a read-back proves the package took the document in (an FTP importer removed or
     * moved the file, an API lookup found it). A refinement of "sent" for display and filtering.
     */
    importedAt: timestamp({ withTimezone: true }),
    packageReference: text(),
    lastErrorCode: text(),
    lastErrorReason: text(),
    /**
     * The cause the failure queue groups a failed or rejected document by, as its status and error
     * code say (lib/failures/groups.ts storedFailureGroupOf), set by lib/documents/life.ts in the
     * statement that records the failure, so the queue's counts and a group's rows are index
     * lookups instead of a CASE over every failure. The connection's health is laid over at read
     * time. Meaningful only while the status is failed or rejected (a stale value on other rows
     * is never read: every reader and index has that status condition).
     */
    failureGroup: text().$type<FailureGroup>(),
    /** The recognition step's confidence (0..1) for the type, when it reported one. */
    recognitionConfidence: real(),
    /**
     * Why a recognised document was not sent automatically (auto-send off, no integration, "no
     * integration needed", connection needs re-authorisation, …); null when it was, or not yet due.
     */
    autoSendSkipReason: text(),
    /**
     * The "possible duplicate" hold (lib/documents/duplicates.ts): an earlier document of the
     * dossier with the same supplier VAT number and invoice number (and the same amount when both
     * have one). A held document is not sent, by anyone, until a person confirms it is a different
     * document (which clears this) or deletes it. Null: not held.
     */
    possibleDuplicateOf: uuid().references((): AnyPgColumn => documents.id, { onDelete: "set null" }),
    /**
     * True only for the later copies of a file that was already in a dossier twice when the "same
     * file twice" rule came (migration 0012_duplicates): they stay, and the unique index below
     * leaves them out. Every document stored since is false, so the rule holds for all of them.
     */
    isLegacyFileCopy: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Dossier document list, tabs by status (not archived), newest first, keyset paging.
    index("documents_dossier_status_created_idx")
      .on(t.dossierId, t.status, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.archivedAt} is null`),
    // Dossier document list, Archived tab, newest first, keyset paging.
    index("documents_dossier_archived_idx")
      .on(t.dossierId, t.archivedAt.desc(), t.id.desc())
      .where(sql`${t.archivedAt} is not null`),
    // A portal's or a dossier's documents in a state (the waiting documents, the auto-send notes).
    // It served the tab and overview counts by index-only scan until the counts were kept
    // (document_counts, below; why, there); the queries by portal, dossier and status still have it,
    // and dropping it was not measured.
    index("documents_portal_dossier_status_archived_idx").on(t.portalId, t.dossierId, t.status, t.archivedAt),
    // FTP read-back: sent documents not yet proven imported.
    index("documents_sent_not_imported_idx")
      .on(t.portalId, t.sentAt)
      .where(sql`${t.status} = 'sent' and ${t.importedAt} is null`),
    // Resend webhooks: the document a bounced or delivered mail carried (its Resend email id).
    index("documents_package_reference_idx").on(t.packageReference).where(sql`${t.packageReference} is not null`),
    // Failure queue: a portal's failed and rejected documents per stored group, newest change first
    // (a group's page is one range scan), with the status for the counts by index-only scan. `desc
    // nulls first` is what the queue's plain `order by updated_at desc, id desc` asks for.
    index("documents_portal_failure_group_idx")
      .on(t.portalId, t.failureGroup, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst(), t.status)
      .where(sql`${t.status} in ('failed', 'rejected') and ${t.archivedAt} is null`),
    // Failure digest and failure queue: a portal's failed and rejected documents by when they changed.
    index("documents_portal_failed_updated_idx")
      .on(t.portalId, t.updatedAt)
      .where(sql`${t.status} in ('failed', 'rejected')`),
    // The same file twice in one dossier is refused (lib/documents/ingest.ts): two identical uploads
    // at the same moment give one document. Also the lookup of the document that has the file.
    uniqueIndex("documents_dossier_sha256_uq").on(t.dossierId, t.sha256).where(sql`not ${t.isLegacyFileCopy}`),
    // The possible-duplicate check (lib/documents/duplicates.ts): the dossier's documents with a
    // supplier VAT number and invoice number (compared case-insensitively).
    index("documents_dossier_vat_invoice_number_idx")
      .on(t.dossierId, sql`(${t.recognisedFields}->>'vatNumber')`, sql`lower(${t.recognisedFields}->>'invoiceNumber')`)
      .where(
        sql`(${t.recognisedFields}->>'vatNumber') is not null and (${t.recognisedFields}->>'invoiceNumber') is not null`,
      ),
    // The documents held as possible duplicates of one: deleting it lifts their hold (the foreign
    // key's SET NULL and lib/documents/life.ts deleteDocument) without reading the whole table.
    index("documents_possible_duplicate_of_idx")
      .on(t.possibleDuplicateOf)
      .where(sql`${t.possibleDuplicateOf} is not null`),
    // Target of the (document_id, portal_id) keys of dispatches and attempts.
    unique("documents_id_portal_uq").on(t.id, t.portalId),
    foreignKey({
      name: "documents_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
  ],
);

/**
 * A dossier's document counts per status and archived, for its tabs and the portal overview: the
 * rows of one dossier × status × archived add up to the number of its documents in that state.
 * Each row is a change (+n / −n), written by the database itself: statement-level triggers on
 * documents (migration 0018) turn every insert, update and delete into one row per state it changed
 * — a bulk send of 1,000 adds two rows — so no writer (the life module, imports, seeds, tests) can
 * forget one, and a rolled-back change takes its rows with it. Rows are only ever inserted, so
 * concurrent writers of one dossier never wait for each other here (counter rows updated in place
 * would serialise them: a second bulk send waited for the first's whole transaction, ~100 ms,
 * measured with `npm run bench -- counts`). A reader that finds many rows for a dossier folds them
 * into one per state (lib/documents/counts.ts), in one statement that is safe to run concurrently.
 * `npm run counts:repair` recounts from documents and reports any difference.
 *
 * Why not the index-only count that served before: it reads every index entry of the dossier
 * (0.3–0.4 µs each: 27 ms at the median and up to 108 ms at p95 for a dossier of 100,000), so it
 * grows with the dossier; this read costs what its few rows cost (bench counts).
 */
export const documentCounts = pgTable(
  "document_counts",
  {
    id: bigint({ mode: "number" }).generatedAlwaysAsIdentity().primaryKey(),
    portalId: uuid().notNull(),
    dossierId: uuid().notNull(),
    status: documentStatusEnum().notNull(),
    isArchived: boolean().notNull(),
    /** The change to the count (negative when documents left this state). */
    n: integer().notNull(),
  },
  (t) => [
    index("document_counts_dossier_idx").on(t.dossierId),
    foreignKey({
      name: "document_counts_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
  ],
);

/** One request to deliver one document; its tries are attempts. */
export const dispatches = pgTable(
  "dispatches",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    dossierId: uuid().notNull(),
    /** Null only for test sends. */
    documentId: uuid(),
    connectionId: uuid().references(() => connections.id, { onDelete: "set null" }),
    trigger: dispatchTriggerEnum().notNull(),
    requestedByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    status: dispatchStatusEnum().notNull().default("queued"),
    /** Where it goes (package, channel, folder or addresses) as resolved at request time. */
    target: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    attemptCount: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }),
    /**
     * While `running`: until when the run that claimed it answers for it (lib/dispatch/lease.ts).
     * The run renews it while it works; once it has passed, the run is taken for dead and the
     * dispatch-sweep cron hands the dispatch to a new run. Null when not running.
     */
    leaseExpiresAt: timestamp({ withTimezone: true }),
    /**
     * The first retryable failure of this dispatch: "unreachable since"; the retry horizon counts
     * from it (lib/dispatch/retry-policy.ts). Null while no try failed.
     */
    failingSince: timestamp({ withTimezone: true }),
    /** The code of the last retryable failure while waiting (what the document page names). */
    waitingCode: text(),
    packageReference: text(),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // At most one active dispatch per document: the database's form of "delivered at most once".
    uniqueIndex("dispatches_one_active_per_document_uq")
      .on(t.documentId)
      .where(sql`${t.status} in ('queued', 'running')`),
    // Document page: dispatch history of a document.
    index("dispatches_document_idx").on(t.documentId, t.createdAt),
    // Job driver resumes unfinished dispatches on start.
    index("dispatches_active_idx").on(t.status, t.nextAttemptAt).where(sql`${t.status} in ('queued', 'running')`),
    index("dispatches_portal_idx").on(t.portalId, t.createdAt),
    foreignKey({
      name: "dispatches_dossier_portal_fk",
      columns: [t.dossierId, t.portalId],
      foreignColumns: [dossiers.id, dossiers.portalId],
    }).onDelete("cascade"),
    check("dispatches_test_has_no_document_ck", sql`(${t.trigger} = 'test') = (${t.documentId} is null)`),
    foreignKey({
      name: "dispatches_document_portal_fk",
      columns: [t.documentId, t.portalId],
      foreignColumns: [documents.id, documents.portalId],
    }).onDelete("cascade"),
  ],
);

/** Append-only history: one row per delivery try. */
export const attempts = pgTable(
  "attempts",
  {
    id: uuid().primaryKey().defaultRandom(),
    portalId: uuid()
      .notNull()
      .references(() => portals.id, { onDelete: "cascade" }),
    dispatchId: uuid()
      .notNull()
      .references(() => dispatches.id, { onDelete: "cascade" }),
    /** Null only for attempts of test sends. */
    documentId: uuid(),
    number: integer().notNull(),
    trigger: dispatchTriggerEnum().notNull(),
    connector: text().notNull(),
    target: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    outcome: attemptOutcomeEnum().notNull().default("running"),
    errorCode: text(),
    reason: text(),
    packageReference: text(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    /*
     * Copies of the dispatch's dossier and requester and of the document's file name when the try
     * started, so the delivery log reads the attempts of a month alone: joining each attempt to its
     * dispatch and document cost two index lookups per line, most of a month's export (issue 19).
     * Every writer copies them in the statement that inserts the attempt; the dispatch's foreign
     * key already removes the attempts with their dossier.
     */
    dossierId: uuid().notNull(),
    /** Null only for attempts of test sends. */
    fileName: text(),
    requestedByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("attempts_dispatch_number_uq").on(t.dispatchId, t.number),
    // Document page: attempt history of a document.
    index("attempts_document_idx").on(t.documentId, t.startedAt),
    // Portal delivery log, newest first.
    index("attempts_portal_started_idx").on(t.portalId, t.startedAt),
    foreignKey({
      name: "attempts_document_portal_fk",
      columns: [t.documentId, t.portalId],
      foreignColumns: [documents.id, documents.portalId],
    }).onDelete("cascade"),
  ],
);

/**
 * Recognition webhook deliveries already processed: a replay of the same signed delivery (same
 * timestamp and body) is refused with 409. Rows older than the tolerance window can be pruned.
 */
export const recognitionDeliveries = pgTable(
  "recognition_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** SHA-256 of "<timestamp>.<raw body>": what the signature covers. */
    deliveryHash: text().notNull(),
    documentId: uuid().references(() => documents.id, { onDelete: "set null" }),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Replay check: one row per signed delivery.
    uniqueIndex("recognition_deliveries_hash_uq").on(t.deliveryHash),
    // Pruning of old rows.
    index("recognition_deliveries_received_idx").on(t.receivedAt),
  ],
);

/**
 * Resend webhook messages already processed, by Svix message id: Svix redelivers a message with the
 * same id until it gets a 2xx, so a redelivery or a replay is answered 200 and changes nothing.
 * The row is written in the same transaction as the change the message makes.
 */
export const emailWebhookDeliveries = pgTable(
  "email_webhook_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The `svix-id` header. */
    messageId: text().notNull(),
    eventType: text().notNull(),
    /** Resend's email id (data.email_id), when the event has one. */
    emailId: text(),
    /** The document whose delivery mail the event was about; null for sign-in mails and others. */
    documentId: uuid().references(() => documents.id, { onDelete: "set null" }),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Replay check: one row per Svix message.
    uniqueIndex("email_webhook_deliveries_message_uq").on(t.messageId),
    // Pruning of old rows.
    index("email_webhook_deliveries_received_idx").on(t.receivedAt),
  ],
);

/**
 * The life of every document, one row per transition, written by lib/documents/life.ts in the same
 * statement or transaction as the change itself: the document page's history and the source of
 * outgoing webhooks (a statement-level trigger writes their deliveries in the same statement,
 * migration 0010_webhook-fanout), so a crash between a change and its announcement loses nothing.
 *
 * Append-only. The id is a sequence rather than a uuid: it orders the events (of a document, of an
 * office) for whoever reads them in order; a webhook delivery names the event it came from. No
 * foreign keys: the history outlives the document, the dispatch and the account it names, and a
 * key check per row would be most of the cost of a bulk send's thousand events. A dossier's events
 * go with the dossier through a trigger instead (migration 0007_document-events-cleanup).
 */
export const documentEvents = pgTable(
  "document_events",
  {
    id: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
    portalId: uuid().notNull(),
    dossierId: uuid().notNull(),
    documentId: uuid().notNull(),
    kind: documentEventKindEnum().notNull(),
    /** The status before the change; null for "received". */
    fromStatus: documentStatusEnum(),
    /** The status after the change; null for "deleted". */
    toStatus: documentStatusEnum(),
    actorKind: actorKindEnum().notNull(),
    /** The person, for actor kind "user". */
    actorUserId: uuid(),
    /** The token id for kind "token", what the system was doing for kind "system" ("deliver", "auto-send"). */
    actorReference: text(),
    /** The dispatch a send, delivery, failure, rejection or import is about. */
    dispatchId: uuid(),
    /** What the change was about: the type set, the error code and reason, the package's reference… */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The key is also the one index: the history of one document, in order. A second index on
    // this append-only table would slow every bulk send that writes a thousand rows at once.
    primaryKey({ name: "document_events_pk", columns: [t.documentId, t.id] }),
  ],
);
