import "server-only";
import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { attemptOutcomeEnum, attempts, dispatchTriggerEnum, dossiers, portals, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { targetDescriber, withTargetDescriptions } from "@/lib/connectors/describe-targets";
import type { TargetDescription } from "@/lib/connectors/target";
import { NotFoundError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { translatorFor } from "@/lib/i18n/translator";
import { type CsvCell, csvCell, csvCellSql, csvTextStream } from "./csv";
import { resolveFailurePortal } from "./list";
import { reasonTextOf } from "./reason";
import type { DeliveryLogRangeError } from "./schemas";

/** An auditor asks for a year at most (a leap year's 366 days); longer ranges are refused. */
export const DELIVERY_LOG_MAX_DAYS = 366;
/** Attempts per page of the API's JSON answer (at most). */
export const DELIVERY_LOG_PAGE_SIZE = 500;
/**
 * Attempts read per query while the CSV export streams (keyset pages within a slice of whole UTC
 * days; see exportDeliveryLog). The database writes the lines, so a page reaches JavaScript as four short
 * texts per attempt (about 1 MB of text at 4,000), not as objects to format.
 * Measured on a month of 44,000 attempts (a tsx loop over exportDeliveryLog, load 7–9 on 2 cores):
 * pages of 1,000 took 1.8 s, of 4,000 1.3–1.5 s, against 0.7–1.3 s for the raw rows in one query;
 * of that, JavaScript's part was 20–40 ms, the rest is the database (that was with the joins to
 * dispatches and documents, before the attempt carried their copies: 0.3–0.45 s now).
 */
export const DELIVERY_LOG_EXPORT_PAGE_SIZE = 4000;
/**
 * The export's first page: small, so the first lines go out at once (`next start` compresses a
 * CSV, and the compressor holds the header alone until more follows).
 */
export const DELIVERY_LOG_EXPORT_FIRST_PAGE_SIZE = 250;

const DAY_MS = 24 * 60 * 60 * 1000;

export type { DeliveryLogRangeError } from "./schemas";

/**
 * The days asked for, both included, as UTC days like the times in the file: [start, end).
 * `from` and `to` are the texts asked for (`YYYY-MM-DD`), for the file name.
 */
export type DeliveryLogRange = { from: string; to: string; start: Date; end: Date };

const dateSchema = z.iso.date();

export function parseDeliveryLogRange(
  from: string | null | undefined,
  to: string | null | undefined,
): { ok: true; range: DeliveryLogRange } | { ok: false; error: DeliveryLogRangeError } {
  if (!from || !to) return { ok: false, error: "missing" };
  if (!dateSchema.safeParse(from).success || !dateSchema.safeParse(to).success) {
    return { ok: false, error: "invalid_date" };
  }
  const start = new Date(`${from}T00:00:00.000Z`);
  const last = new Date(`${to}T00:00:00.000Z`);
  if (last < start) return { ok: false, error: "reversed" };
  const end = new Date(last.getTime() + DAY_MS);
  if ((end.getTime() - start.getTime()) / DAY_MS > DELIVERY_LOG_MAX_DAYS) return { ok: false, error: "too_long" };
  return { ok: true, range: { from, to, start, end } };
}

type Trigger = (typeof attempts.$inferSelect)["trigger"];
type Outcome = (typeof attempts.$inferSelect)["outcome"];

/** One attempt as the delivery log lists it. */
export type DeliveryLogEntry = {
  attemptId: string;
  startedAt: Date;
  finishedAt: Date | null;
  dossierId: string;
  dossierName: string;
  companyNumber: string;
  /** Null for test sends (no document). */
  documentId: string | null;
  /** The document's file name when the try started; null for test sends. */
  fileName: string | null;
  connector: string;
  target: Record<string, unknown>;
  attemptNumber: number;
  outcome: Outcome;
  errorCode: string | null;
  reason: string | null;
  packageReference: string | null;
  trigger: Trigger;
  /** The e-mail of the person who asked (the dispatch's requester, copied onto the attempt); null for the system and tokens. */
  requestedByEmail: string | null;
};

/** Where a page of the log ends: the sort key (started_at with microseconds) and the attempt id. */
export type DeliveryLogPosition = { key: string; id: string };

/**
 * One page of the portal's attempts in the range, oldest first, after `position` (keyset on
 * started_at with the id breaking ties; attempts_portal_started_idx serves the range).
 */
function deliveryLogPageQuery(
  db: DbOrTx,
  portalId: string,
  range: DeliveryLogRange,
  after: DeliveryLogPosition | null,
  limit = DELIVERY_LOG_PAGE_SIZE,
) {
  const conditions: (SQL | undefined)[] = [
    eq(attempts.portalId, portalId),
    gte(attempts.startedAt, range.start),
    lt(attempts.startedAt, range.end),
  ];
  if (after) {
    conditions.push(sql`(${attempts.startedAt}, ${attempts.id}) > (${after.key}::timestamptz, ${after.id}::uuid)`);
  }
  return db
    .select({
      attemptId: attempts.id,
      // Text keeps the microseconds a JS Date would drop; it becomes the next page's position.
      sortKey: sql<string>`to_char(${attempts.startedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      startedAt: attempts.startedAt,
      finishedAt: attempts.finishedAt,
      dossierId: attempts.dossierId,
      dossierName: dossiers.name,
      companyNumber: dossiers.companyNumber,
      documentId: attempts.documentId,
      fileName: attempts.fileName,
      connector: attempts.connector,
      target: attempts.target,
      attemptNumber: attempts.number,
      outcome: attempts.outcome,
      errorCode: attempts.errorCode,
      reason: attempts.reason,
      packageReference: attempts.packageReference,
      trigger: attempts.trigger,
      requestedByEmail: users.email,
    })
    .from(attempts)
    .innerJoin(dossiers, and(eq(dossiers.id, attempts.dossierId), eq(dossiers.portalId, attempts.portalId)))
    .leftJoin(users, eq(users.id, attempts.requestedByUserId))
    .where(and(...conditions))
    .orderBy(sql`${attempts.startedAt} asc`, sql`${attempts.id} asc`)
    .limit(limit);
}

/** A keyset position as a client sends it back: opaque base64url text of the sort key and the id. */
const positionSchema = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.guid()]);

export const encodedDeliveryLogCursorSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, "api.invalidCursor")
  .transform((text, ctx): DeliveryLogPosition => {
    try {
      const parsed = positionSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
      if (parsed.success) return { key: parsed.data[0], id: parsed.data[1] };
    } catch {
      // Falls through to the issue below.
    }
    ctx.addIssue({ code: "custom", message: "api.invalidCursor" });
    return z.NEVER;
  });

export type DeliveryLogPage =
  | {
      ok: true;
      entries: Array<DeliveryLogEntry & { targetDescription: TargetDescription }>;
      /** Where the next page starts; null on the last page. */
      nextCursor: string | null;
    }
  | { ok: false; error: DeliveryLogRangeError };

/**
 * One page of the delivery log, oldest first, for the API's JSON answer (the CSV download reads
 * the whole range with exportDeliveryLog). Same rules: admins and accountants of the portal, anyone
 * else NotFoundError before the range is looked at, and at most DELIVERY_LOG_MAX_DAYS days.
 */
export async function listDeliveryLogPage(
  db: DbOrTx,
  actor: Actor,
  params: {
    portalId: string;
    from: string | null;
    to: string | null;
    after?: DeliveryLogPosition | null;
    limit: number;
  },
): Promise<DeliveryLogPage> {
  const portalId = resolveFailurePortal(actor, params.portalId, "deliveryLog.export");
  const parsed = parseDeliveryLogRange(params.from, params.to);
  if (!parsed.ok) return parsed;
  const limit = Math.min(Math.max(1, Math.floor(params.limit)), DELIVERY_LOG_PAGE_SIZE);
  // One more than asked tells whether another page follows.
  const rows = await deliveryLogPageQuery(db, portalId, parsed.range, params.after ?? null, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    ok: true,
    entries: await withTargetDescriptions(page.map(({ sortKey: _sortKey, ...entry }) => entry)),
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.sortKey, last.attemptId]), "utf8").toString("base64url")
        : null,
  };
}

export type DeliveryLogExport =
  | { ok: true; fileName: string; stream: ReadableStream<Uint8Array> }
  | { ok: false; error: DeliveryLogRangeError };

/**
 * The delivery log of a portal as a CSV download for an auditor: every attempt in the range, in
 * the requester's language. Admins and accountants of the portal only; anyone else gets
 * NotFoundError (checked before the range, so an outsider learns nothing from a 400).
 *
 * The database writes the lines (deliveryLogLinesQuery): JavaScript only adds the two cells of the
 * target (described by the connector, once per distinct target) and forwards text as the client
 * reads (csvTextStream pulls). The range is read in slices of whole UTC days, the next slice's
 * first page while this one's are read: at most two queries at once and two pages waiting,
 * whatever the range's length (a month in 0.3–0.45 s without HTTP, against 0.45–0.6 s one page at
 * a time).
 */
export async function exportDeliveryLog(
  db: DbOrTx,
  actor: Actor,
  params: { portalId: string; from: string | null; to: string | null; locale: Locale },
): Promise<DeliveryLogExport> {
  const portalId = resolveFailurePortal(actor, params.portalId, "deliveryLog.export");
  const [portal] = await db.select({ name: portals.name }).from(portals).where(eq(portals.id, portalId)).limit(1);
  if (!portal) throw new NotFoundError();
  const parsed = parseDeliveryLogRange(params.from, params.to);
  if (!parsed.ok) return parsed;
  const { range } = parsed;

  const format = deliveryLogFormatter(params.locale);
  let texts = sqlTextsByLocale.get(params.locale);
  if (!texts) {
    texts = JSON.stringify(format.sqlTexts());
    sqlTextsByLocale.set(params.locale, texts);
  }
  const sqlTexts = texts;
  const descriptionOf = targetDescriber();
  // The two target cells per connector and stored target (its JSON text): a handful per file.
  const targetCells = new Map<string, string>();
  const describeNewTarget = async (key: string, connector: string, target: string) => {
    const description = await descriptionOf(JSON.parse(target) as Parameters<typeof descriptionOf>[0]);
    const cells = format.targetCells(description, connector).map(csvCell).join(",");
    if (targetCells.size >= 10_000) targetCells.clear();
    targetCells.set(key, cells);
    return cells;
  };
  const readPage = (slice: DeliveryLogRange, after: DeliveryLogPosition | null, limit: number) => {
    const rows = deliveryLogLinesQuery(db, portalId, slice, after, sqlTexts, limit);
    // Read ahead: a client that goes away leaves this page unread, and its failure unheard.
    rows.catch(() => {});
    return { rows, limit };
  };
  const totalDays = Math.round((range.end.getTime() - range.start.getTime()) / DAY_MS);
  async function* pages() {
    // Two queries at once on two connections (the next slice's first page and this slice's
    // pages), so the database works on both cores while this process formats and sends. A slice
    // is as many days as the last one's pace says fill about one page (at least one day), so a
    // quiet office's year is a few queries, not one per day.
    let nextDay = 0;
    let sliceDays = 1;
    const startSlice = (limit: number) => {
      const start = range.start.getTime() + nextDay * DAY_MS;
      const days = Math.min(sliceDays, totalDays - nextDay);
      nextDay += days;
      const slice = { ...range, start: new Date(start), end: new Date(start + days * DAY_MS) };
      return { slice, days, first: readPage(slice, null, limit) };
    };
    // A short first page: the header and the first lines reach the client (through a compressing
    // proxy too, which holds small writes) before a full page has been read.
    let upcoming: ReturnType<typeof startSlice> | null = startSlice(DELIVERY_LOG_EXPORT_FIRST_PAGE_SIZE);
    while (upcoming) {
      const { slice, days, first } = upcoming;
      upcoming = nextDay < totalDays ? startSlice(DELIVERY_LOG_EXPORT_PAGE_SIZE) : null;
      let page = first;
      let count = 0;
      while (true) {
        const rows = await page.rows;
        count += rows.length;
        const last = rows.at(-1);
        const hasMore = last !== undefined && rows.length === page.limit;
        if (last && hasMore) page = readPage(slice, { key: last.sortKey, id: last.id }, DELIVERY_LOG_EXPORT_PAGE_SIZE);
        let text = "";
        for (const row of rows) {
          const key = `${row.connector}\u0000${row.target}`;
          const cells = targetCells.get(key) ?? (await describeNewTarget(key, row.connector, row.target));
          text += `${row.head}${cells}${row.tail}`;
        }
        yield text;
        if (!hasMore) break;
      }
      sliceDays = Math.max(1, Math.floor((DELIVERY_LOG_EXPORT_PAGE_SIZE * days) / Math.max(count, 1)));
    }
  }
  return {
    ok: true,
    fileName: `delivery-log-${fileNamePart(portal.name)}-${range.from}-${range.to}.csv`,
    stream: csvTextStream(format.header, pages()),
  };
}

/** deliveryLogFormatter's sqlTexts as the query's parameter, made once per language. */
const sqlTextsByLocale = new Map<Locale, string>();

type DeliveryLogLine = { id: string; sortKey: string; head: string; connector: string; target: string; tail: string };

/**
 * One page of the delivery log's lines as the database writes them, in the page order of
 * deliveryLogPageQuery (attempts_portal_started_idx, keyset on started_at and the id): `head` is
 * the CSV of the six cells before the target with the comma after them, `tail` the comma before
 * the attempt number and the seven cells from there, with the line end. The cells are those of
 * deliveryLogFormatter's `row`, escaped by csvCellSql; the translated texts come in as one JSON
 * parameter (`texts`, deliveryLogFormatter's sqlTexts, already escaped). Times as toISOString
 * writes them (milliseconds, truncated).
 */
async function deliveryLogLinesQuery(
  db: DbOrTx,
  portalId: string,
  range: DeliveryLogRange,
  after: DeliveryLogPosition | null,
  texts: string,
  limit: number,
): Promise<DeliveryLogLine[]> {
  const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const companyNumber = sql`substr(${dossiers.companyNumber}, 1, 4) || '.' || substr(${dossiers.companyNumber}, 5, 3) || '.' || substr(${dossiers.companyNumber}, 8)`;
  const isStoredKey = sql`${attempts.reason} ~ '^(connectors|dispatch)\\.[A-Za-z0-9_.]+$'`;
  const keyset = after
    ? sql`and (${attempts.startedAt}, ${attempts.id}) > (${after.key}::timestamptz, ${after.id}::uuid)`
    : sql``;
  const result = await db.execute(sql`
    with texts as (select ${texts}::jsonb as t)
    select ${attempts.id} as "id",
      -- Where the next page starts: the time's own text keeps its microseconds, and costs less than to_char.
      ${attempts.startedAt}::text as "sortKey",
      ${iso(sql`${attempts.startedAt}`)} || ',' || coalesce(${iso(sql`${attempts.finishedAt}`)}, '') || ','
        || ${csvCellSql(sql`${dossiers.name}`)} || ',' || ${csvCellSql(companyNumber, sql`${dossiers.companyNumber}`)} || ','
        || coalesce(${attempts.documentId}::text, '') || ',' || ${csvCellSql(sql`${attempts.fileName}`)} || ',' as "head",
      ${attempts.connector} as "connector",
      ${attempts.target}::text as "target",
      ',' || ${attempts.number} || ',' || coalesce(texts.t -> 'outcomes' ->> ${attempts.outcome}::text, '') || ','
        || ${csvCellSql(sql`${attempts.errorCode}`)} || ','
        || (case when ${attempts.reason} is null or ${attempts.reason} = '' then ''
            when ${isStoredKey} then coalesce(texts.t -> 'reasons' ->> ${attempts.reason}, texts.t ->> 'generic')
            else ${csvCellSql(sql`${attempts.reason}`)} end) || ','
        || ${csvCellSql(sql`${attempts.packageReference}`)} || ','
        || coalesce(texts.t -> 'triggers' ->> ${attempts.trigger}::text, '') || ','
        || (case when ${users.email} is not null then ${csvCellSql(sql`${users.email}`)}
            when ${attempts.trigger} = 'auto' then texts.t ->> 'bySystem' else texts.t ->> 'byUnknown' end)
        || chr(13) || chr(10) as "tail"
    from ${attempts}
      cross join texts
      join ${dossiers} on ${dossiers.id} = ${attempts.dossierId} and ${dossiers.portalId} = ${attempts.portalId}
      left join ${users} on ${users.id} = ${attempts.requestedByUserId}
    where ${attempts.portalId} = ${portalId} and ${attempts.startedAt} >= ${range.start.toISOString()}::timestamptz
      and ${attempts.startedAt} < ${range.end.toISOString()}::timestamptz ${keyset}
    order by ${attempts.startedAt} asc, ${attempts.id} asc
    limit ${limit}`);
  return (result as unknown as { rows: DeliveryLogLine[] }).rows;
}

/** The header, the target cells and the translated texts of the file in one language. */
export function deliveryLogFormatter(locale: Locale) {
  const t = translatorFor(locale);
  type Key = Parameters<typeof t>[0];
  const translate = (key: string): string | null => (t.has(key as Key) ? String(t(key as Key)) : null);
  const freeMail = t("failures.target.freeMail");
  const header: CsvCell[] = [
    t("failures.csv.columns.startedAt"),
    t("failures.csv.columns.finishedAt"),
    t("failures.csv.columns.dossier"),
    t("failures.csv.columns.companyNumber"),
    t("failures.csv.columns.documentId"),
    t("failures.csv.columns.fileName"),
    t("failures.csv.columns.package"),
    t("failures.csv.columns.target"),
    t("failures.csv.columns.attempt"),
    t("failures.csv.columns.outcome"),
    t("failures.csv.columns.errorCode"),
    t("failures.csv.columns.reason"),
    t("failures.csv.columns.packageReference"),
    t("failures.csv.columns.trigger"),
    t("failures.csv.columns.triggeredBy"),
  ];
  /** The package and target cells of an attempt, its target described as everywhere else (describe-targets.ts). */
  const targetCells = (target: TargetDescription, connector: string): [string, string] => {
    const channel = target.channel ? translate(`connectors.channels.${target.channel}`) : null;
    const packageName = target.packageName ?? (target.channel === "email" ? freeMail : connector);
    return [
      channel ? `${packageName} (${channel})` : packageName,
      target.details.map(({ key, value }) => `${key}: ${value}`).join("; "),
    ];
  };
  /**
   * Every translated text a line can hold, CSV-escaped, for the query that writes the lines:
   * outcomes and triggers (their own word when there is no translation), our stored reasons
   * (reasonTextOf: every message of the namespaces it takes keys from, the generic message for
   * any other key), and who asked when no person did.
   */
  const sqlTexts = () => {
    const each = (values: readonly string[], keyOf: (value: string) => string) =>
      Object.fromEntries(values.map((value) => [value, csvCell(translate(keyOf(value)) ?? value)]));
    const reasons: Record<string, string> = {};
    for (const namespace of REASON_NAMESPACES) {
      for (const key of messageKeys(MESSAGES[locale][namespace], namespace)) {
        const text = reasonTextOf(key, translate, "");
        if (text) reasons[key] = csvCell(text);
      }
    }
    return {
      outcomes: each(attemptOutcomeEnum.enumValues, (outcome) => `documents.detail.history.outcomes.${outcome}`),
      triggers: each(dispatchTriggerEnum.enumValues, (trigger) => `documents.detail.history.triggers.${trigger}`),
      reasons,
      generic: csvCell(t("errors.generic")),
      bySystem: csvCell(t("failures.csv.by.system")),
      byUnknown: csvCell(t("failures.csv.by.unknown")),
    };
  };
  return { header, targetCells, sqlTexts };
}

/** The namespaces of the message keys services store as a reason (lib/failures/reason.ts). */
const REASON_NAMESPACES = ["connectors", "dispatch"] as const;

/**
 * The dotted keys of a catalog subtree's messages that need no values (a stored reason never
 * carries any: a message with placeholders gets the generic message, never its raw key).
 */
function messageKeys(tree: unknown, prefix: string): string[] {
  if (typeof tree === "string") return tree.includes("{") ? [] : [prefix];
  if (!tree || typeof tree !== "object") return [];
  return Object.entries(tree).flatMap(([name, value]) => messageKeys(value, `${prefix}.${name}`));
}

/** A portal name as a safe, short file-name part: ASCII letters and digits joined by dashes. */
function fileNamePart(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "portal";
}
