import "server-only";
import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { attempts, dispatches, documents, dossiers, portals, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { targetDescriber, withTargetDescriptions } from "@/lib/connectors/describe-targets";
import type { TargetDescription } from "@/lib/connectors/target";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import { NotFoundError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { translatorFor } from "@/lib/i18n/translator";
import { type CsvCell, csvStream } from "./csv";
import { resolveFailurePortal } from "./list";
import { reasonTextOf } from "./reason";
import type { DeliveryLogRangeError } from "./schemas";

/** An auditor asks for a year at most (a leap year's 366 days); longer ranges are refused. */
export const DELIVERY_LOG_MAX_DAYS = 366;
/** Attempts per page of the API's JSON answer (at most). */
export const DELIVERY_LOG_PAGE_SIZE = 500;
/**
 * Attempts read per query while the CSV export streams (keyset pages; the next one is read while
 * this one is formatted, and the stream pulls, so the server holds two pages whatever the range).
 * Measured on a 12-month export of 480,000 attempts (`npm run bench -- pages`): pages of 1,000 grow
 * the server's memory by about 30 MB, pages of 2,000 by 90–120 MB (rows that outlive a young-
 * generation collection while the page is formatted end up in the old generation).
 */
export const DELIVERY_LOG_EXPORT_PAGE_SIZE = 1000;

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
  fileName: string | null;
  connector: string;
  target: Record<string, unknown>;
  attemptNumber: number;
  outcome: Outcome;
  errorCode: string | null;
  reason: string | null;
  packageReference: string | null;
  trigger: Trigger;
  /** The e-mail of the person who asked (dispatches.requested_by_user_id); null for the system and tokens. */
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
      dossierId: dossiers.id,
      dossierName: dossiers.name,
      companyNumber: dossiers.companyNumber,
      documentId: attempts.documentId,
      fileName: documents.fileName,
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
    .innerJoin(dispatches, and(eq(dispatches.id, attempts.dispatchId), eq(dispatches.portalId, attempts.portalId)))
    .innerJoin(dossiers, and(eq(dossiers.id, dispatches.dossierId), eq(dossiers.portalId, dispatches.portalId)))
    .leftJoin(documents, and(eq(documents.id, attempts.documentId), eq(documents.portalId, attempts.portalId)))
    .leftJoin(users, eq(users.id, dispatches.requestedByUserId))
    .where(and(...conditions))
    .orderBy(sql`${attempts.startedAt} asc`, sql`${attempts.id} asc`)
    .limit(limit);
}

/** The portal's attempts in the range, page by page, until a short page says there are no more. */
export async function* readDeliveryLog(
  db: DbOrTx,
  portalId: string,
  range: DeliveryLogRange,
  pageSize = DELIVERY_LOG_PAGE_SIZE,
): AsyncGenerator<DeliveryLogEntry[]> {
  type Page = Awaited<ReturnType<typeof deliveryLogPageQuery>>;
  const read = (after: DeliveryLogPosition | null): Promise<Page> => {
    const page = deliveryLogPageQuery(db, portalId, range, after, pageSize).execute();
    // Awaited below; this only keeps a page read ahead for a reader that left from being reported
    // as an unhandled rejection.
    page.catch(() => {});
    return page;
  };
  let next: Promise<Page> | null = read(null);
  while (next) {
    const rows: Page = await next;
    const last = rows.at(-1);
    // The next page is read while the reader formats and sends this one: the database and the
    // formatting overlap, and at most two pages are held.
    next = last && rows.length >= pageSize ? read({ key: last.sortKey, id: last.attemptId }) : null;
    // The rows as they come (their sort key too): no copy of thousands of objects per page.
    yield rows;
  }
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
  const descriptionOf = targetDescriber();
  async function* batches() {
    for await (const page of readDeliveryLog(db, portalId, range, DELIVERY_LOG_EXPORT_PAGE_SIZE)) {
      const records: CsvCell[][] = new Array(page.length);
      for (let i = 0; i < page.length; i++) {
        const entry = page[i] as DeliveryLogEntry;
        const description = descriptionOf(entry.target);
        records[i] = format.row(entry, description instanceof Promise ? await description : description);
      }
      yield records;
    }
  }
  return {
    ok: true,
    fileName: `delivery-log-${fileNamePart(portal.name)}-${range.from}-${range.to}.csv`,
    stream: csvStream(format.header, batches()),
  };
}

/** The header and the rows of the file in one language. */
export function deliveryLogFormatter(locale: Locale) {
  const t = translatorFor(locale);
  type Key = Parameters<typeof t>[0];
  // Every text the rows use is one of a few keys (outcomes, triggers, channels, our reasons): each
  // is translated once per file, not once per row (formatting a message is most of a row's cost).
  // The package's own words never come here (reasonTextOf passes them through), so this stays as
  // small as the message catalog.
  const translated = new Map<string, string | null>();
  const translate = (key: string) => {
    let text = translated.get(key);
    if (text === undefined) {
      text = t.has(key as Key) ? String(t(key as Key)) : null;
      translated.set(key, text);
    }
    return text;
  };
  const generic = t("errors.generic");
  const freeMail = t("failures.target.freeMail");
  const bySystem = t("failures.csv.by.system");
  const byUnknown = t("failures.csv.by.unknown");
  // Rows with equal targets share one description (targetDescriber): its two cells once per target.
  const targetCells = new WeakMap<TargetDescription, Map<string, [string, string]>>();
  const cellsOf = (target: TargetDescription, connector: string): [string, string] => {
    let byConnector = targetCells.get(target);
    if (!byConnector) {
      byConnector = new Map();
      targetCells.set(target, byConnector);
    }
    let cells = byConnector.get(connector);
    if (!cells) {
      const channel = target.channel ? translate(`connectors.channels.${target.channel}`) : null;
      const packageName = target.packageName ?? (target.channel === "email" ? freeMail : connector);
      cells = [
        channel ? `${packageName} (${channel})` : packageName,
        target.details.map(({ key, value }) => `${key}: ${value}`).join("; "),
      ];
      byConnector.set(connector, cells);
    }
    return cells;
  };
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
  /** One attempt, with its target described as everywhere else (lib/connectors/describe-targets.ts). */
  const row = (entry: DeliveryLogEntry, targetDescription: TargetDescription): CsvCell[] => {
    const [packageCell, targetCell] = cellsOf(targetDescription, entry.connector);
    return [
      entry.startedAt.toISOString(),
      entry.finishedAt?.toISOString() ?? null,
      entry.dossierName,
      formatCompanyNumber(entry.companyNumber),
      entry.documentId,
      entry.fileName,
      packageCell,
      targetCell,
      entry.attemptNumber,
      translate(`documents.detail.history.outcomes.${entry.outcome}`) ?? entry.outcome,
      entry.errorCode,
      reasonTextOf(entry.reason, translate, generic),
      entry.packageReference,
      translate(`documents.detail.history.triggers.${entry.trigger}`) ?? entry.trigger,
      entry.requestedByEmail ?? (entry.trigger === "auto" ? bySystem : byUnknown),
    ];
  };
  return { header, row };
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
