import "server-only";
import {
  and,
  desc,
  eq,
  inArray,
  is,
  isNotNull,
  isNull,
  type Placeholder,
  SQL,
  sql,
  type WithSubquery,
} from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db";
import {
  attempts,
  dispatches,
  type dispatchTriggerEnum,
  type documentEventKindEnum,
  documentEvents,
  type documentSourceEnum,
  documents,
  type RecognisedFields,
} from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { authorize } from "@/lib/auth/authorize";
import type { Action } from "@/lib/auth/permissions";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { storedFailureGroupOf } from "@/lib/failures/groups";
import { getFileStore } from "@/lib/storage";
import { duplicateKeyChangedSql, possibleDuplicateOfSql } from "./duplicates";
import { checkRecognitionAgainstEInvoice } from "./einvoice";
import type { DocumentStatus, DocumentType } from "./list";
import { changeRefusalMessageKey, type DocumentChange, type DocumentRefusal } from "./refusals";
import { documentTypeSchema } from "./schemas";

/*
 * The document life of the design map, in one place. For each transition (received, recognised,
 * typed by hand, send requested, delivered, delivery failed, retried, rejected by the package,
 * imported, archived, unarchived, deleted, and auto-send's note) this module holds its rule — once
 * as a TypeScript function that says why not, once as the SQL condition of the conditional update
 * that makes the change, the two held equal by tests/integration/lib/documents/life-rules.test.ts
 * for every state — the columns it sets, and the `document_events` row it writes in the same
 * statement or transaction. It is the only code that inserts or deletes documents or writes their
 * status, type, archive, import or auto-send columns (`npm run lint` fails on any other).
 *
 * Of two racing callers only one can win: every change is a conditional update whose `where` is
 * the rule, and the loser is told which rule now refuses (lib/documents/refusals.ts).
 */

// ---------------------------------------------------------------------------------------------
// States and rules

/** What the rules look at. */
export type DocumentLifeState = {
  status: DocumentStatus;
  /** null = not recognised. */
  documentType: DocumentType | null;
  archivedAt: Date | null;
  /** Set when a read-back proved the package took the document in; absent counts as not imported. */
  importedAt?: Date | null;
  /** The earlier document this one may duplicate (lib/documents/duplicates.ts); absent counts as not held. */
  possibleDuplicateOf?: string | null;
};

/** Statuses in which a document can be sent (once it has a type), re-typed or deleted. */
export const OPEN_STATUSES = ["inbox", "failed", "rejected"] as const satisfies readonly DocumentStatus[];

/** A rule: why a document in this state may not take the change (null: it may), and the same in SQL. */
export type LifeRule = {
  refusal(state: DocumentLifeState): DocumentRefusal | null;
  /** The rule over the `documents` table, for the `where` of the change. */
  condition(): SQL;
};

const isOpenSql = () => and(inArray(documents.status, [...OPEN_STATUSES]), isNull(documents.archivedAt)) as SQL;

/** Inbox, failed and rejected documents, not archived: sent ones are final, sending ones wait. */
const openDocumentRule: LifeRule = {
  refusal: (document) => {
    if (document.status === "sent") return "already_sent";
    if (document.status === "sending") return "already_sending";
    if (document.archivedAt) return "archived";
    return null;
  },
  condition: isOpenSql,
};

export const LIFE_RULES = {
  /**
   * Sending (manual, bulk, auto), retrying a failed document and sending a rejected one again
   * after correction: the document needs a type, and must not be sent, on its way, or archived.
   */
  send: {
    refusal: (document) => {
      if (document.archivedAt) return "archived";
      if (document.status === "sent") return "already_sent";
      if (document.status === "sending") return "already_sending";
      if (document.documentType === null) return "not_recognised";
      // Held as a possible duplicate: whoever asks (auto, bulk, a person, the API), until a person
      // confirms it is a different document (confirmNotDuplicate) or deletes it.
      if (document.possibleDuplicateOf) return "possible_duplicate";
      return null;
    },
    condition: () => and(isOpenSql(), isNotNull(documents.documentType), isNull(documents.possibleDuplicateOf)) as SQL,
  },
  /** Setting or changing the type, by hand or by the recognition step: a sent document's type is final. */
  changeType: openDocumentRule,
  /** Inbox, failed and rejected documents may be deleted; a sent one only archived. */
  delete: openDocumentRule,
  /** "It is a different document": only an open document that is held as a possible duplicate. */
  confirmNotDuplicate: {
    refusal: (document) => openDocumentRule.refusal(document) ?? (document.possibleDuplicateOf ? null : "not_held"),
    condition: () => and(isOpenSql(), isNotNull(documents.possibleDuplicateOf)) as SQL,
  },
  /** The archive exists only for sent documents. */
  archive: {
    refusal: (document) => {
      if (document.archivedAt) return "already_archived";
      if (document.status !== "sent") return "not_sent";
      return null;
    },
    condition: () => and(eq(documents.status, "sent"), isNull(documents.archivedAt)) as SQL,
  },
  unarchive: {
    refusal: (document) => (document.archivedAt ? null : "not_archived"),
    condition: () => isNotNull(documents.archivedAt),
  },
  /** The end of a delivery, delivered or failed: only a document that is on its way. */
  finishDelivery: {
    refusal: (document) => (document.status === "sending" ? null : "state_changed"),
    condition: () => eq(documents.status, "sending"),
  },
  /**
   * What the package (or its mail server) said after it acknowledged: imported, rejected, or a
   * bounced mail. Only a sent document not yet proven imported; a verdict is recorded once.
   */
  settleSent: {
    refusal: (document) => (document.status === "sent" && !document.importedAt ? null : "state_changed"),
    condition: () => and(eq(documents.status, "sent"), isNull(documents.importedAt)) as SQL,
  },
  /** Auto-send's note on why it left a document alone: only an inbox document, not archived. */
  noteAutoSendSkip: {
    refusal: (document) => (document.status === "inbox" && !document.archivedAt ? null : "state_changed"),
    condition: () => and(eq(documents.status, "inbox"), isNull(documents.archivedAt)) as SQL,
  },
} as const satisfies Record<string, LifeRule>;

export type LifeRuleName = keyof typeof LIFE_RULES;

export type RuleDecision = { allowed: true } | { allowed: false; reason: DocumentRefusal };

function decide(rule: LifeRule, document: DocumentLifeState): RuleDecision {
  const reason = rule.refusal(document);
  return reason ? { allowed: false, reason } : { allowed: true };
}

export const canSend = (document: DocumentLifeState) => decide(LIFE_RULES.send, document);
export const canChangeType = (document: DocumentLifeState) => decide(LIFE_RULES.changeType, document);
export const canDelete = (document: DocumentLifeState) => decide(LIFE_RULES.delete, document);
export const canArchive = (document: DocumentLifeState) => decide(LIFE_RULES.archive, document);
export const canUnarchive = (document: DocumentLifeState) => decide(LIFE_RULES.unarchive, document);
export const canConfirmNotDuplicate = (document: DocumentLifeState) => decide(LIFE_RULES.confirmNotDuplicate, document);

/** A change a person asked for, refused by a rule: a 409 with the refusal's code and message. */
export class DocumentRefusedError extends ConflictError {
  readonly refusal: DocumentRefusal;
  readonly change: DocumentChange;
  constructor(change: DocumentChange, refusal: DocumentRefusal) {
    super(changeRefusalMessageKey(change, refusal));
    this.name = "DocumentRefusedError";
    this.change = change;
    this.refusal = refusal;
  }
}

// ---------------------------------------------------------------------------------------------
// Events

type EventKind = (typeof documentEventKindEnum.enumValues)[number];

/** Who made a change, as the events record it. */
type EventActor = { kind: Actor["kind"]; userId: string | null; reference: string | null };

function eventActorOf(actor: Actor): EventActor {
  switch (actor.kind) {
    case "user":
      return { kind: "user", userId: actor.userId, reference: null };
    case "token":
      return { kind: "token", userId: null, reference: actor.tokenId };
    case "system":
      return { kind: "system", userId: null, reference: actor.reason };
  }
}

/** The deliver job: the actor of delivered and failed events (the requester is on the dispatch). */
const DELIVERY_ACTOR: EventActor = { kind: "system", userId: null, reference: "deliver" };

/**
 * The insert of the events of a change, from a query that yields one row per changed document with
 * the columns portal_id, dossier_id, document_id, kind, from_status, to_status, dispatch_id and
 * details (jsonb). Used as a data-modifying CTE beside the change (eventsCte), so both happen in
 * one statement.
 */
function insertEvents(rows: SQL, actor: EventActor, occurredAt: SQL = sql`now()`): SQL {
  return sql`insert into ${documentEvents} (portal_id, dossier_id, document_id, kind, from_status, to_status,
      actor_kind, actor_user_id, actor_reference, dispatch_id, details, occurred_at)
    select e.portal_id, e.dossier_id, e.document_id, e.kind::document_event_kind,
      e.from_status::document_status, e.to_status::document_status, ${actor.kind}::actor_kind,
      ${actor.userId}::uuid, ${actor.reference}::text, e.dispatch_id::uuid, e.details, ${occurredAt}::timestamptz
    from (${rows}) as e
    returning id`;
}

/** The events insert as a CTE named `name`, for `db.with(change, events)`. */
function eventsCte(db: DbOrTx, name: string, rows: SQL, actor: EventActor, occurredAt?: SQL) {
  return db.$with(name, { id: sql<number>`id` }).as(insertEvents(rows, actor, occurredAt));
}

/** `jsonb_build_object` of the non-null pairs: details carry only what a change was about. */
function detailsSql(fields: Record<string, SQL | string | number | null | undefined>): SQL {
  const pairs = Object.entries(fields).flatMap(([key, value]) => {
    if (value === undefined || value === null) return [];
    // jsonb_build_object takes "any": every parameter needs its type.
    const typed = is(value, SQL) ? value : typeof value === "number" ? sql`${value}::float8` : sql`${value}::text`;
    return [sql`${key}::text`, typed];
  });
  return pairs.length === 0
    ? sql`'{}'::jsonb`
    : sql`jsonb_strip_nulls(jsonb_build_object(${sql.join(pairs, sql`, `)}))`;
}

// ---------------------------------------------------------------------------------------------
// Received

export type DocumentSource = (typeof documentSourceEnum.enumValues)[number];

export type ReceivedDocument = {
  id: string;
  portalId: string;
  dossierId: string;
  source: DocumentSource;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  /** Known at arrival (sales module, an upload with a type): the document is recognised at once. */
  documentType: DocumentType | null;
  recognisedFields: RecognisedFields;
  /** "einvoice" when the type and fields were read from the document's own UBL XML. */
  readFrom?: "einvoice";
};

/**
 * A document enters Koppel (lib/documents/ingest.ts checks and stores its file first): the row and
 * its "received" event, and "recognised" too when it arrives with a type.
 */
export async function receiveDocument(db: DbOrTx, actor: Actor, document: ReceivedDocument) {
  const { readFrom, ...values } = document;
  const inserted = db.$with("inserted").as(
    db
      .insert(documents)
      .values({
        ...values,
        // The possible-duplicate check, in the same statement (lib/documents/duplicates.ts).
        possibleDuplicateOf: possibleDuplicateOfSql({
          dossierId: document.dossierId,
          fields: document.recognisedFields,
          selfId: null,
        }),
      })
      .returning({
        id: documents.id,
        portalId: documents.portalId,
        dossierId: documents.dossierId,
        fileName: documents.fileName,
        mimeType: documents.mimeType,
        sizeBytes: documents.sizeBytes,
        sha256: documents.sha256,
        documentType: documents.documentType,
        status: documents.status,
        possibleDuplicateOf: documents.possibleDuplicateOf,
      }),
  );
  const events = eventsCte(
    db,
    "received_events",
    sql`select ${inserted.portalId} as portal_id, ${inserted.dossierId} as dossier_id, ${inserted.id} as document_id,
          kind, null as from_status, ${inserted.status} as to_status, null as dispatch_id,
          case when kind = 'duplicate_held' then jsonb_build_object('duplicateOf', ${inserted.possibleDuplicateOf})
            else ${detailsSql({ source: document.source, documentType: document.documentType, readFrom })} end as details
        from ${inserted}
        cross join unnest(array['received']
          || case when ${inserted.documentType} is null then array[]::text[] else array['recognised'] end
          || case when ${inserted.possibleDuplicateOf} is null then array[]::text[] else array['duplicate_held'] end) as kind`,
    eventActorOf(actor),
  );
  const [row] = await db
    .with(inserted, events)
    .select({
      id: inserted.id,
      dossierId: inserted.dossierId,
      fileName: inserted.fileName,
      mimeType: inserted.mimeType,
      sizeBytes: inserted.sizeBytes,
      sha256: inserted.sha256,
      documentType: inserted.documentType,
      status: inserted.status,
      possibleDuplicateOf: inserted.possibleDuplicateOf,
    })
    .from(inserted);
  if (!row) throw new Error("document row not inserted");
  return row;
}

// ---------------------------------------------------------------------------------------------
// Changes a person asks for: typed, recognised, archived, unarchived, deleted

/** The small view of a document the services return. */
export type DocumentLifeView = DocumentLifeState & { id: string };

const lifeColumns = {
  id: documents.id,
  status: documents.status,
  documentType: documents.documentType,
  archivedAt: documents.archivedAt,
  importedAt: documents.importedAt,
  possibleDuplicateOf: documents.possibleDuplicateOf,
};

type LoadedDocument = DocumentLifeView & { portalId: string; dossierId: string; storageKey: string; mimeType: string };

// Postgres rejects a malformed uuid with an error (a 500); a guid check first turns it into 404.
const documentIdSchema = z.guid();

/**
 * Loads a document and authorizes `action` on its dossier. Unknown, malformed and foreign ids all
 * throw NotFoundError (never 403), so nobody learns that another tenant's document exists.
 * `scope.portalId` narrows the lookup itself to one office, for callers whose authority is an
 * office rather than the actor (an office's recognition secret).
 */
async function loadDocument(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  action: Action,
  scope: { portalId?: string } = {},
): Promise<LoadedDocument> {
  if (!documentIdSchema.safeParse(documentId).success) throw new NotFoundError();
  const [row] = await db
    .select({
      ...lifeColumns,
      portalId: documents.portalId,
      dossierId: documents.dossierId,
      storageKey: documents.storageKey,
      mimeType: documents.mimeType,
    })
    .from(documents)
    .where(
      and(
        eq(documents.id, documentId),
        scope.portalId === undefined ? undefined : eq(documents.portalId, scope.portalId),
      ),
    )
    .limit(1);
  if (!row) throw new NotFoundError();
  authorize(actor, action, { portalId: row.portalId, dossierId: row.dossierId });
  return row;
}

function assertAllowed(change: DocumentChange, rule: LifeRule, document: DocumentLifeState): void {
  const refusal = rule.refusal(document);
  if (refusal) throw new DocumentRefusedError(change, refusal);
}

/**
 * A conditional change matched nothing: someone else changed the document since we read it.
 * Answers with the rule that now refuses, `state_changed` when none does, or 404 when it is gone.
 */
async function explainLostRace(
  db: DbOrTx,
  change: DocumentChange,
  rule: LifeRule,
  document: LoadedDocument,
): Promise<never> {
  const [now] = await db
    .select(lifeColumns)
    .from(documents)
    .where(and(eq(documents.id, document.id), eq(documents.portalId, document.portalId)))
    .limit(1);
  if (!now) throw new NotFoundError();
  assertAllowed(change, rule, now);
  throw new DocumentRefusedError(change, "state_changed");
}

/**
 * One document changed by a person's request, with its event, in one statement: the update (or
 * delete) whose `where` is the rule, and the event insert fed by its `returning`.
 */
async function changeOne(
  db: DbOrTx,
  input: {
    actor: Actor;
    document: LoadedDocument;
    change: DocumentChange;
    rule: LifeRule;
    kind: EventKind;
    set?: PgUpdateSetSource<typeof documents>;
    details?: Record<string, SQL | string | number | null | undefined>;
    /**
     * The change may set or lift the possible-duplicate hold (it sets the fields): a
     * "duplicate_held" event when it now names another document, a "duplicate_cleared" one when a
     * hold it had (as read before the change) is gone.
     */
    mayChangeHold?: boolean;
  },
): Promise<(DocumentLifeView & { storageKey: string }) | undefined> {
  const { document } = input;
  const where = and(eq(documents.id, document.id), eq(documents.portalId, document.portalId), input.rule.condition());
  const returning = {
    ...lifeColumns,
    portalId: documents.portalId,
    dossierId: documents.dossierId,
    storageKey: documents.storageKey,
  };
  const changed = db.$with("changed").as(
    input.set
      ? db
          .update(documents)
          .set({ ...input.set, updatedAt: sql`now()` })
          .where(where)
          .returning(returning)
      : db.delete(documents).where(where).returning(returning),
  );
  const heldBefore = document.possibleDuplicateOf ?? null;
  const holdEvents = input.mayChangeHold
    ? sql`
        union all
        select ${changed.portalId}, ${changed.dossierId}, ${changed.id}, 'duplicate_held', ${changed.status},
          ${changed.status}, null, jsonb_build_object('duplicateOf', ${changed.possibleDuplicateOf})
        from ${changed} where ${changed.possibleDuplicateOf} is distinct from ${heldBefore}::uuid
          and ${changed.possibleDuplicateOf} is not null
        union all
        select ${changed.portalId}, ${changed.dossierId}, ${changed.id}, 'duplicate_cleared', ${changed.status},
          ${changed.status}, null, jsonb_build_object('duplicateOf', ${heldBefore}::uuid, 'reason', 'fields_changed')
        from ${changed} where ${changed.possibleDuplicateOf} is null and ${heldBefore}::uuid is not null`
    : sql``;
  const events = eventsCte(
    db,
    "change_event",
    sql`select ${changed.portalId} as portal_id, ${changed.dossierId} as dossier_id, ${changed.id} as document_id,
          ${input.kind} as kind, ${changed.status} as from_status,
          ${input.set ? changed.status : null} as to_status, null as dispatch_id, ${detailsSql(input.details ?? {})} as details
        from ${changed}${holdEvents}`,
    eventActorOf(input.actor),
  );
  const [row] = await db
    .with(changed, events)
    .select({
      id: changed.id,
      status: changed.status,
      documentType: changed.documentType,
      archivedAt: changed.archivedAt,
      importedAt: changed.importedAt,
      possibleDuplicateOf: changed.possibleDuplicateOf,
      storageKey: changed.storageKey,
    })
    .from(changed);
  return row;
}

function viewOf(row: DocumentLifeView & { storageKey?: string }): DocumentLifeView {
  return {
    id: row.id,
    status: row.status,
    documentType: row.documentType,
    archivedAt: row.archivedAt,
    importedAt: row.importedAt ?? null,
    possibleDuplicateOf: row.possibleDuplicateOf ?? null,
  };
}

/**
 * Sets or changes a document's type by hand (inbox, failed and rejected documents only). A type set
 * by a person makes the document recognised: any earlier auto-send skip reason and the recognition
 * step's confidence no longer apply. The caller (lib/documents/set-type.ts) gives auto-send its
 * chance in the same transaction (withAutoSendView).
 */
export async function typeDocument(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
  documentType: DocumentType,
): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.type");
  const parsedType = documentTypeSchema.safeParse(documentType);
  if (!parsedType.success) throw new ValidationError({ documentType: ["document.invalidType"] });
  assertAllowed("type", LIFE_RULES.changeType, document);
  const changed = await changeOne(db, {
    actor,
    document,
    change: "type",
    rule: LIFE_RULES.changeType,
    kind: "typed",
    set: { documentType: parsedType.data, recognitionConfidence: null, autoSendSkipReason: null },
    details: { documentType: parsedType.data, previousType: document.documentType },
  });
  if (!changed) return explainLostRace(db, "type", LIFE_RULES.changeType, document);
  return viewOf(changed);
}

/**
 * Stores what the recognition step reported: type, fields and confidence (inbox, failed and
 * rejected documents only; anything else is a 409). Runs inside the caller's transaction (the
 * webhook records the delivery in the same one), where the caller also runs auto-send (withAutoSend).
 * When the fields' duplicate key (VAT number, invoice number, amount) changes, the
 * possible-duplicate check runs again in the same statement (lib/documents/duplicates.ts): the
 * document may become held, or a hold on it may be lifted. The same key keeps the hold as it is.
 */
export async function recordRecognition(
  tx: DbOrTx,
  actor: Actor,
  documentId: string,
  recognition: { documentType: DocumentType; fields: RecognisedFields; confidence: number | null },
  /** Only a document of this office: one of another office is not found (an office's webhook secret). */
  scope: { portalId?: string } = {},
): Promise<DocumentLifeView> {
  const document = await loadDocument(tx, actor, documentId, "document.type", scope);
  assertAllowed("type", LIFE_RULES.changeType, document);
  // An e-invoice's XML is the truth: a contradicting result is refused (409), an agreeing one keeps the XML's fields.
  const fields = await checkRecognitionAgainstEInvoice(tx, document, recognition);
  const changed = await changeOne(tx, {
    actor,
    document,
    change: "type",
    rule: LIFE_RULES.changeType,
    kind: "recognised",
    set: {
      documentType: recognition.documentType,
      recognisedFields: fields,
      recognitionConfidence: recognition.confidence,
      autoSendSkipReason: null,
      // In an update, "documents" is the row as it was: its old fields decide whether to look again.
      possibleDuplicateOf: sql`case when ${duplicateKeyChangedSql(fields)}
        then ${possibleDuplicateOfSql({
          dossierId: sql.raw(`"documents"."dossier_id"`),
          fields,
          selfId: sql.raw(`"documents"."id"`),
        })}
        else ${documents.possibleDuplicateOf} end`,
    },
    details: { documentType: recognition.documentType, confidence: recognition.confidence },
    mayChangeHold: true,
  });
  if (!changed) return explainLostRace(tx, "type", LIFE_RULES.changeType, document);
  return viewOf(changed);
}

/**
 * A person says a document held as a possible duplicate is a different document: the hold is
 * lifted, with a "duplicate_cleared" event. The caller (lib/documents/confirm-not-duplicate.ts)
 * gives auto-send its chance in the same transaction. The same fields reported again later do not hold it
 * again (recordRecognition looks again only when the key changes).
 */
export async function confirmNotDuplicate(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.type");
  assertAllowed("confirmNotDuplicate", LIFE_RULES.confirmNotDuplicate, document);
  const changed = await changeOne(db, {
    actor,
    document,
    change: "confirmNotDuplicate",
    rule: LIFE_RULES.confirmNotDuplicate,
    kind: "duplicate_cleared",
    set: { possibleDuplicateOf: null, autoSendSkipReason: null },
    details: { duplicateOf: document.possibleDuplicateOf, reason: "confirmed_different" },
  });
  if (!changed) return explainLostRace(db, "confirmNotDuplicate", LIFE_RULES.confirmNotDuplicate, document);
  return viewOf(changed);
}

/**
 * Deletes an inbox, failed or rejected document and its stored file. A sent document cannot be
 * deleted (it can be archived). The "deleted" event stays: the history outlives the document.
 */
export async function deleteDocument(
  db: DbOrTx,
  actor: Actor,
  documentId: string,
): Promise<{ id: string; releasedHolds: string[] }> {
  const document = await loadDocument(db, actor, documentId, "document.delete");
  assertAllowed("delete", LIFE_RULES.delete, document);
  // Documents held as possible duplicates of this one are duplicates of nothing once it is gone:
  // the foreign key lifts their hold with the delete; they get their event right after.
  const held = await db
    .select({ id: documents.id })
    .from(documents)
    .where(and(eq(documents.possibleDuplicateOf, document.id), eq(documents.portalId, document.portalId)));
  const deleted = await changeOne(db, {
    actor,
    document,
    change: "delete",
    rule: LIFE_RULES.delete,
    kind: "deleted",
    details: { documentType: document.documentType },
  });
  if (!deleted) return explainLostRace(db, "delete", LIFE_RULES.delete, document);
  const releasedHolds =
    held.length === 0
      ? []
      : await noteHoldsReleased(
          db,
          actor,
          document,
          held.map((row) => row.id),
        );

  // The row is gone first: a file left behind by a failed delete is harmless, a row without its
  // file is not.
  try {
    await getFileStore().delete(deleted.storageKey);
  } catch (error) {
    console.error(`[documents] deleted document ${deleted.id} but not its file`, error);
  }
  return { id: deleted.id, releasedHolds };
}

/**
 * After `original` was deleted (its foreign key lifted the holds on `heldIds`): a
 * "duplicate_cleared" event for each of them still without a hold, and auto-send's note about the
 * hold dropped. Returns the ids of those with a type; the caller gives auto-send its chance.
 */
async function noteHoldsReleased(
  db: DbOrTx,
  actor: Actor,
  original: LoadedDocument,
  heldIds: string[],
): Promise<string[]> {
  const released = db.$with("released").as(
    db
      .update(documents)
      .set({
        autoSendSkipReason: sql`case when ${documents.autoSendSkipReason} = 'possible_duplicate' then null else ${documents.autoSendSkipReason} end`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          inArray(documents.id, heldIds),
          eq(documents.portalId, original.portalId),
          isNull(documents.possibleDuplicateOf),
        ),
      )
      .returning({
        id: documents.id,
        portalId: documents.portalId,
        dossierId: documents.dossierId,
        status: documents.status,
        documentType: documents.documentType,
      }),
  );
  const events = eventsCte(
    db,
    "released_events",
    sql`select ${released.portalId} as portal_id, ${released.dossierId} as dossier_id, ${released.id} as document_id,
          'duplicate_cleared' as kind, ${released.status} as from_status, ${released.status} as to_status,
          null as dispatch_id,
          ${detailsSql({ duplicateOf: original.id, reason: "original_deleted" })} as details
        from ${released}`,
    eventActorOf(actor),
  );
  const rows = await db
    .with(released, events)
    .select({ id: released.id, documentType: released.documentType })
    .from(released);
  return rows.filter((row) => row.documentType !== null).map((row) => row.id);
}

/** Archives a sent document. */
export async function archiveDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.archive");
  assertAllowed("archive", LIFE_RULES.archive, document);
  const changed = await changeOne(db, {
    actor,
    document,
    change: "archive",
    rule: LIFE_RULES.archive,
    kind: "archived",
    set: { archivedAt: sql`now()` },
  });
  if (!changed) return explainLostRace(db, "archive", LIFE_RULES.archive, document);
  return viewOf(changed);
}

/** Takes a sent document out of the archive; it shows in the Sent tab again. */
export async function unarchiveDocument(db: DbOrTx, actor: Actor, documentId: string): Promise<DocumentLifeView> {
  const document = await loadDocument(db, actor, documentId, "document.archive");
  assertAllowed("unarchive", LIFE_RULES.unarchive, document);
  const changed = await changeOne(db, {
    actor,
    document,
    change: "unarchive",
    rule: LIFE_RULES.unarchive,
    kind: "unarchived",
    set: { archivedAt: null },
  });
  if (!changed) return explainLostRace(db, "unarchive", LIFE_RULES.unarchive, document);
  return viewOf(changed);
}

// ---------------------------------------------------------------------------------------------
// Send requested (and retried)

export type DispatchTrigger = (typeof dispatchTriggerEnum.enumValues)[number];

export type SendCandidate = {
  documentId: string;
  /** The status it was read in, under the caller's row lock (the event's from-status). */
  fromStatus: DocumentStatus;
  /** Where it goes (lib/dispatch/plan.ts, targetFor), recorded on its dispatch. */
  target: Record<string, unknown>;
};

/**
 * Moves documents of one dossier to `sending` and inserts their dispatch rows and their events, in
 * one statement: the update only moves documents the send rule still allows (whatever the caller
 * read), the partial unique index "one active dispatch per document" is the last guard (a
 * conflicting row is skipped, never an error that would abort the batch), and each new dispatch
 * gets a "send_requested" event ("retried" for trigger retry). Resolves with the documents that
 * got a dispatch; the others were moved by someone else first.
 */
export async function requestDispatches(
  tx: DbOrTx,
  input: {
    actor: Actor;
    portalId: string;
    dossierId: string;
    connectionId: string | null;
    trigger: DispatchTrigger;
    candidates: readonly SendCandidate[];
    now: Date;
  },
): Promise<{ documentId: string; dispatchId: string }[]> {
  const { candidates, actor } = input;
  if (candidates.length === 0) return [];
  const eventActor = eventActorOf(actor);
  const kind: EventKind = input.trigger === "retry" ? "retried" : "send_requested";
  const now = input.now.toISOString();
  // One parameter per column, not per cell, however many documents.
  const result = await tx.execute(sql`
    with candidate as (
      select * from unnest(
        ${sql.param(candidates.map((c) => c.documentId))}::uuid[],
        -- As text[] first: the drivers know how to send a text array, not one of our enum.
        ${sql.param(candidates.map((c) => c.fromStatus))}::text[]::document_status[],
        ${sql.param(candidates.map((c) => JSON.stringify(c.target)))}::jsonb[]
      ) as t(document_id, from_status, target)
    ),
    moved as (
      -- By the id list (the primary key's index), like the select that locked the rows.
      update ${documents} set status = 'sending', auto_send_skip_reason = null, updated_at = ${now}::timestamptz
      where ${documents.id} = any(${sql.param(candidates.map((c) => c.documentId))}::uuid[])
        and ${documents.portalId} = ${input.portalId} and ${documents.dossierId} = ${input.dossierId}
        and ${LIFE_RULES.send.condition()}
      returning ${documents.id} as document_id
    ),
    inserted as (
      insert into ${dispatches} (portal_id, dossier_id, document_id, connection_id, trigger, requested_by_user_id, status, target)
      select ${input.portalId}::uuid, ${input.dossierId}::uuid, moved.document_id, ${input.connectionId}::uuid,
        ${input.trigger}::dispatch_trigger, ${eventActor.userId}::uuid, 'queued', candidate.target
      from moved join candidate on candidate.document_id = moved.document_id
      on conflict (document_id) where status in ('queued', 'running') do nothing
      returning id, document_id
    ),
    events as (
      -- Written out rather than through insertEvents: every value but three is one constant here,
      -- which keeps a send of a thousand documents as cheap as it was before it had events.
      insert into ${documentEvents} (portal_id, dossier_id, document_id, kind, from_status, to_status,
        actor_kind, actor_user_id, actor_reference, dispatch_id, details, occurred_at)
      select ${input.portalId}::uuid, ${input.dossierId}::uuid, inserted.document_id, ${kind}::document_event_kind,
        candidate.from_status, 'sending', ${eventActor.kind}::actor_kind, ${eventActor.userId}::uuid,
        ${eventActor.reference}::text, inserted.id, ${JSON.stringify({ trigger: input.trigger })}::jsonb, ${now}::timestamptz
      from inserted join candidate on candidate.document_id = inserted.document_id
    )
    select id as dispatch_id, document_id from inserted`);
  return (result as unknown as { rows: { dispatch_id: string; document_id: string }[] }).rows.map((row) => ({
    documentId: row.document_id,
    dispatchId: row.dispatch_id,
  }));
}

// ---------------------------------------------------------------------------------------------
// Delivered and delivery failed (the deliver job's statements are built from these)

/** The keys of a delivery's document, as values or as a prepared statement's placeholders. */
export type DeliveryKeys = {
  documentId: string | Placeholder;
  portalId: string | Placeholder;
  dispatchId: string | Placeholder;
};

/**
 * The document's part of a successful delivery, as CTEs for the deliver job's one statement:
 * `sending` → `sent` with the package's reference, and its "delivered" event. `onlyIf` is the
 * job's own guard (it finished the dispatch itself), so a second run never moves it twice.
 */
export function deliveredChanges(
  db: Db,
  input: { keys: DeliveryKeys; onlyIf: SQL; packageReference: SQL; now: SQL },
): WithSubquery[] {
  const { keys, now } = input;
  const sent = db.$with("document_sent").as(
    db
      .update(documents)
      .set({
        status: "sent",
        sentAt: now,
        packageReference: input.packageReference,
        lastErrorCode: null,
        lastErrorReason: null,
        autoSendSkipReason: null,
        updatedAt: now,
      })
      .where(
        and(
          eq(documents.id, keys.documentId),
          eq(documents.portalId, keys.portalId),
          LIFE_RULES.finishDelivery.condition(),
          input.onlyIf,
        ),
      )
      .returning({ id: documents.id, portalId: documents.portalId, dossierId: documents.dossierId }),
  );
  const event = eventsCte(
    db,
    "delivered_event",
    sql`select ${sent.portalId} as portal_id, ${sent.dossierId} as dossier_id, ${sent.id} as document_id,
          'delivered' as kind, 'sending' as from_status, 'sent' as to_status, ${keys.dispatchId} as dispatch_id,
          jsonb_strip_nulls(jsonb_build_object('packageReference', ${input.packageReference}::text)) as details
        from ${sent}`,
    DELIVERY_ACTOR,
    now,
  );
  return [sent, event];
}

/**
 * The document's part of a failed delivery, as CTEs: `sending` → `failed` with the error code and
 * the reason (a message key), and its "delivery_failed" event. `onlyIf` is the job's own guard.
 */
export function deliveryFailedChanges(
  db: DbOrTx,
  input: { keys: DeliveryKeys; onlyIf: SQL; errorCode: string; reason: string; now: Date },
): WithSubquery[] {
  const { keys, now } = input;
  const failed = db.$with("document_failed").as(
    db
      .update(documents)
      .set({
        status: "failed",
        lastErrorCode: input.errorCode,
        lastErrorReason: input.reason,
        failureGroup: storedFailureGroupOf("failed", input.errorCode),
        updatedAt: now,
      })
      .where(
        and(
          eq(documents.id, keys.documentId),
          eq(documents.portalId, keys.portalId),
          LIFE_RULES.finishDelivery.condition(),
          input.onlyIf,
        ),
      )
      .returning({ id: documents.id, portalId: documents.portalId, dossierId: documents.dossierId }),
  );
  const event = eventsCte(
    db,
    "failed_event",
    sql`select ${failed.portalId} as portal_id, ${failed.dossierId} as dossier_id, ${failed.id} as document_id,
          'delivery_failed' as kind, 'sending' as from_status, 'failed' as to_status, ${keys.dispatchId} as dispatch_id,
          ${detailsSql({ errorCode: input.errorCode, reason: input.reason })} as details
        from ${failed}`,
    DELIVERY_ACTOR,
    sql`${now.toISOString()}`,
  );
  return [failed, event];
}

/**
 * A delivery that waits out an outage (issue 20): the document stays `sending` (still at most one
 * active dispatch, no one can send it twice) and gets a "delivery_waiting" event naming the error
 * and the next try, once per dispatch (its first failed try). What the page shows while it waits
 * (unreachable since, next try) is read from the dispatch (lib/dispatch/waiting-state.ts).
 */
export function deliveryWaitingChanges(
  db: DbOrTx,
  input: { keys: DeliveryKeys; onlyIf: SQL; errorCode: string; reason: string; nextAttemptAt: Date; now: Date },
): WithSubquery[] {
  const { keys, now } = input;
  const event = eventsCte(
    db,
    "waiting_event",
    sql`select ${documents.portalId} as portal_id, ${documents.dossierId} as dossier_id, ${documents.id} as document_id,
          'delivery_waiting' as kind, 'sending' as from_status, 'sending' as to_status, ${keys.dispatchId} as dispatch_id,
          ${detailsSql({ errorCode: input.errorCode, reason: input.reason, nextAttemptAt: input.nextAttemptAt.toISOString() })} as details
        from ${documents}
        where ${documents.id} = ${keys.documentId} and ${documents.portalId} = ${keys.portalId}
          and ${documents.status} = 'sending' and ${input.onlyIf}`,
    DELIVERY_ACTOR,
    sql`${now.toISOString()}`,
  );
  return [event];
}

// ---------------------------------------------------------------------------------------------
// After the package acknowledged: imported, rejected, bounced

/** Pairs per imported update: well below Postgres's parameter limit. */
const IMPORTED_CHUNK = 500;

/**
 * Read-back proved the package took these documents in: `imported_at` set (the document stays
 * Sent) and an "imported" event, for each pair of document and the reference it still holds.
 * Resolves with how many changed (a repeated verdict counts 0).
 */
export async function markImported(
  db: DbOrTx,
  input: {
    portalId: string;
    pairs: readonly { documentId: string; packageReference: string }[];
    now: Date;
    actor: Actor;
  },
): Promise<number> {
  let imported = 0;
  for (let i = 0; i < input.pairs.length; i += IMPORTED_CHUNK) {
    const pairs = input.pairs
      .slice(i, i + IMPORTED_CHUNK)
      .map((pair) => sql`(${pair.documentId}::uuid, ${pair.packageReference}::text)`);
    const changed = db.$with("imported").as(
      db
        .update(documents)
        .set({ importedAt: input.now, updatedAt: sql`now()` })
        .where(
          and(
            eq(documents.portalId, input.portalId),
            sql`(${documents.id}, ${documents.packageReference}) in (${sql.join(pairs, sql`, `)})`,
            LIFE_RULES.settleSent.condition(),
          ),
        )
        .returning({
          id: documents.id,
          portalId: documents.portalId,
          dossierId: documents.dossierId,
          packageReference: documents.packageReference,
        }),
    );
    const events = eventsCte(
      db,
      "imported_events",
      sql`select ${changed.portalId} as portal_id, ${changed.dossierId} as dossier_id, ${changed.id} as document_id,
            'imported' as kind, 'sent' as from_status, 'sent' as to_status, null as dispatch_id,
            jsonb_build_object('packageReference', ${changed.packageReference}) as details
          from ${changed}`,
      eventActorOf(input.actor),
    );
    const rows = await db.with(changed, events).select({ id: changed.id }).from(changed);
    imported += rows.length;
  }
  return imported;
}

/**
 * What the package or its mail server said against a sent document after acknowledging it:
 * - `rejected`: the package refused it (read-back or the package's webhook): Sent → Rejected;
 * - `bounced`: the mail that carried it bounced or was marked as spam: Sent → Failed, and its
 *   dispatch fails too.
 * Either way the document leaves the archive (an open one shows in the failure queue), carries the
 * code and reason, gets its event, and the dispatch that delivered it gets a history line: not a
 * new try, but what was said after the try succeeded (the document page and the delivery log show
 * it). Only while the document is still sent with the reference the verdict is about, and not yet
 * proven imported, so a verdict is recorded once and a later send is never undone by an old one.
 * Resolves with whether this call made the change.
 */
export async function settleSentDocument(
  db: DbOrTx,
  input: {
    portalId: string;
    documentId: string;
    packageReference: string;
    verdict: "rejected" | "bounced";
    errorCode: string;
    /** Stored on the document: a message key, or the package's own words. */
    reason: string;
    /** The history line's reason, when it says more than the document's (a mail server's words). */
    historyReason?: string;
    now: Date;
    actor: Actor;
  },
): Promise<boolean> {
  const toStatus = input.verdict === "rejected" ? "rejected" : "failed";
  return db.transaction(async (tx) => {
    const changed = tx.$with("settled").as(
      tx
        .update(documents)
        // An open document again; the archive exists only for sent documents.
        .set({
          status: toStatus,
          lastErrorCode: input.errorCode,
          lastErrorReason: input.reason,
          failureGroup: storedFailureGroupOf(toStatus, input.errorCode),
          archivedAt: null,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(documents.id, input.documentId),
            eq(documents.portalId, input.portalId),
            eq(documents.packageReference, input.packageReference),
            LIFE_RULES.settleSent.condition(),
          ),
        )
        .returning({ id: documents.id, portalId: documents.portalId, dossierId: documents.dossierId }),
    );
    const delivered = sql`(select ${dispatches.id} from ${dispatches}
      where ${dispatches.portalId} = ${input.portalId} and ${dispatches.documentId} = ${input.documentId}
        and ${dispatches.status} = 'succeeded' and ${dispatches.packageReference} = ${input.packageReference}
      order by ${dispatches.finishedAt} desc nulls last limit 1)`;
    const events = eventsCte(
      tx,
      "settled_event",
      sql`select ${changed.portalId} as portal_id, ${changed.dossierId} as dossier_id, ${changed.id} as document_id,
            ${input.verdict === "rejected" ? "rejected" : "delivery_failed"} as kind, 'sent' as from_status,
            ${toStatus} as to_status, ${delivered} as dispatch_id,
            ${detailsSql({ errorCode: input.errorCode, reason: input.reason, packageReference: input.packageReference })} as details
          from ${changed}`,
      eventActorOf(input.actor),
    );
    const [settled] = await tx.with(changed, events).select({ id: changed.id }).from(changed);
    if (!settled) return false;

    const [delivery] = await tx
      .select({
        id: dispatches.id,
        trigger: dispatches.trigger,
        target: dispatches.target,
        connector: attempts.connector,
        dossierId: attempts.dossierId,
        fileName: attempts.fileName,
        requestedByUserId: attempts.requestedByUserId,
      })
      .from(dispatches)
      .innerJoin(attempts, and(eq(attempts.dispatchId, dispatches.id), eq(attempts.outcome, "succeeded")))
      .where(
        and(
          eq(dispatches.portalId, input.portalId),
          eq(dispatches.documentId, input.documentId),
          eq(dispatches.status, "succeeded"),
          eq(dispatches.packageReference, input.packageReference),
        ),
      )
      .orderBy(desc(attempts.number))
      .limit(1);
    if (!delivery) return true;
    if (input.verdict === "bounced") {
      await tx
        .update(dispatches)
        .set({ status: "failed", updatedAt: input.now })
        .where(
          and(
            eq(dispatches.id, delivery.id),
            eq(dispatches.portalId, input.portalId),
            eq(dispatches.status, "succeeded"),
          ),
        );
    }
    await tx.insert(attempts).values({
      portalId: input.portalId,
      dispatchId: delivery.id,
      dossierId: delivery.dossierId,
      documentId: input.documentId,
      fileName: delivery.fileName,
      requestedByUserId: delivery.requestedByUserId,
      number: sql`(select coalesce(max(${attempts.number}), 0) + 1 from ${attempts} where ${attempts.dispatchId} = ${delivery.id})`,
      trigger: delivery.trigger,
      connector: delivery.connector,
      target: delivery.target,
      outcome: "permanent_error",
      errorCode: input.errorCode,
      reason: input.historyReason ?? input.reason,
      packageReference: input.packageReference,
      startedAt: input.now,
      finishedAt: input.now,
    });
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Auto-send's note

/**
 * Drops the "not sent automatically" notes of a dossier's inbox documents whose reason is one of
 * `reasons`, when what they describe is gone (a saved integration replaces the one they were
 * about). No event: the note's own event stays in the history as what was true then. Returns the
 * documents whose note went.
 */
export async function clearAutoSendSkipNotes(
  db: DbOrTx,
  input: { portalId: string; dossierId: string; reasons: readonly string[] },
): Promise<{ id: string; documentType: string | null }[]> {
  if (input.reasons.length === 0) return [];
  return db
    .update(documents)
    .set({ autoSendSkipReason: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(documents.portalId, input.portalId),
        eq(documents.dossierId, input.dossierId),
        inArray(documents.autoSendSkipReason, [...input.reasons]),
        LIFE_RULES.noteAutoSendSkip.condition(),
      ),
    )
    .returning({ id: documents.id, documentType: documents.documentType });
}

/**
 * Why auto-send left a recognised inbox document where it is (auto-send off, no usable
 * integration, …): stored for people to see, with its event. A successful send clears it.
 */
export async function noteAutoSendSkipped(
  db: DbOrTx,
  input: { portalId: string; documentId: string; reason: string },
): Promise<boolean> {
  const changed = db.$with("noted").as(
    db
      .update(documents)
      .set({ autoSendSkipReason: input.reason, updatedAt: sql`now()` })
      .where(
        and(
          eq(documents.id, input.documentId),
          eq(documents.portalId, input.portalId),
          LIFE_RULES.noteAutoSendSkip.condition(),
        ),
      )
      .returning({ id: documents.id, portalId: documents.portalId, dossierId: documents.dossierId }),
  );
  const events = eventsCte(
    db,
    "noted_event",
    sql`select ${changed.portalId} as portal_id, ${changed.dossierId} as dossier_id, ${changed.id} as document_id,
          'auto_send_skipped' as kind, 'inbox' as from_status, 'inbox' as to_status, null as dispatch_id,
          jsonb_build_object('reason', ${input.reason}::text) as details
        from ${changed}`,
    { kind: "system", userId: null, reference: "auto-send" },
  );
  const rows = await db.with(changed, events).select({ id: changed.id }).from(changed);
  return rows.length > 0;
}
