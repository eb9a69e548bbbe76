import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDb } from "@/db";
import { attempts, dispatches } from "@/db/schema";
import { actorUserId } from "@/lib/auth/actor";
import { formatCompanyNumber } from "@/lib/dossiers/company-number";
import { NotFoundError } from "@/lib/errors";
import { CSV_BOM, csvLine } from "@/lib/failures/csv";
import {
  DELIVERY_LOG_EXPORT_FIRST_PAGE_SIZE,
  DELIVERY_LOG_EXPORT_PAGE_SIZE,
  type DeliveryLogPosition,
  encodedDeliveryLogCursorSchema,
  exportDeliveryLog,
  listDeliveryLogPage,
} from "@/lib/failures/delivery-log";
import { reasonTextOf } from "@/lib/failures/reason";
import { MESSAGES } from "@/lib/i18n/messages";
import { translatorFor } from "@/lib/i18n/translator";
import { createTestDb } from "../../../helpers/db";
import { attemptCopiesOf, insertDossier } from "../../../helpers/fixtures";
import { createWorld, type World } from "../integrations/setup";
import { insertFailedDocuments } from "./setup";

let opened: OpenedDb;
let world: World;

beforeAll(async () => {
  opened = await createTestDb();
  world = await createWorld(opened.db);
});
afterAll(async () => {
  await opened?.close();
});

/** RFC 4180 records (quoted fields with commas, quotes and line breaks), for reading the export back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let isQuoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (isQuoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') isQuoted = false;
      else field += char;
    } else if (char === '"') isQuoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[index + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      index++;
    } else field += char;
  }
  if (field !== "" || record.length > 0) throw new Error("the file does not end with CRLF");
  return records;
}

async function download(
  portalId: string,
  from: string,
  to: string,
  options: { locale?: "nl" | "fr" | "en"; actor?: World["actors"][keyof World["actors"]] } = {},
) {
  const result = await exportDeliveryLog(opened.db, options.actor ?? world.actors.accountant, {
    portalId,
    from,
    to,
    locale: options.locale ?? "nl",
  });
  if (!result.ok) throw new Error(`refused: ${result.error}`);
  const reader = result.stream.getReader();
  const chunks: Uint8Array[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  const bytes = Buffer.concat(chunks);
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  return {
    fileName: result.fileName,
    bytes,
    chunks: chunks.length,
    text,
    records: parseCsv(text.replace(/^\uFEFF/, "")),
  };
}

/** A dispatch of a document (or a test send) and its attempts, straight into the tables. */
async function insertHistory(
  dossier: { id: string; portalId: string },
  input: {
    documentId: string | null;
    trigger?: "manual" | "bulk" | "auto" | "retry" | "test";
    requestedByUserId?: string | null;
    target?: Record<string, unknown>;
    attempts: {
      startedAt: Date | SQL;
      finishedAt?: Date | null;
      outcome?: "running" | "succeeded" | "retryable_error" | "permanent_error" | "auth_error";
      errorCode?: string | null;
      reason?: string | null;
      packageReference?: string | null;
    }[];
  },
) {
  const trigger = input.trigger ?? (input.documentId ? "manual" : "test");
  const target = input.target ?? { channel: "email", packageId: "yuki", category: "purchase", to: "a@yuki.example" };
  const [dispatch] = await opened.db
    .insert(dispatches)
    .values({
      portalId: dossier.portalId,
      dossierId: dossier.id,
      documentId: input.documentId,
      trigger,
      requestedByUserId: input.requestedByUserId ?? null,
      status: "failed",
      target,
    })
    .returning({ id: dispatches.id });
  if (!dispatch) throw new Error("dispatch not inserted");
  const copies = await attemptCopiesOf(opened.db, dispatch.id);
  const rows = input.attempts.map((attempt, index) => ({
    ...copies,
    portalId: dossier.portalId,
    dispatchId: dispatch.id,
    documentId: input.documentId,
    number: index + 1,
    trigger,
    connector: "email",
    target,
    outcome: attempt.outcome ?? "retryable_error",
    errorCode: attempt.errorCode ?? null,
    reason: attempt.reason ?? null,
    packageReference: attempt.packageReference ?? null,
    startedAt: attempt.startedAt,
    finishedAt: attempt.finishedAt ?? null,
  }));
  // In chunks: one statement takes at most 65,535 parameters (17 per attempt).
  for (let start = 0; start < rows.length; start += 2000) {
    await opened.db.insert(attempts).values(rows.slice(start, start + 2000));
  }
  return dispatch.id;
}

/**
 * The export as it was written before issue 19 (the reference for "the same file"): pages of the
 * API's JSON answer, each target described per page, every text translated per row.
 */
async function exportBeforeIssue19(portalId: string, from: string, to: string, locale: "nl" | "fr" | "en") {
  const t = translatorFor(locale);
  type Key = Parameters<typeof t>[0];
  const translate = (key: string) => (t.has(key as Key) ? String(t(key as Key)) : null);
  const generic = t("errors.generic");
  const header = [
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
  let text = `${CSV_BOM}${csvLine(header)}`;
  let after: DeliveryLogPosition | null = null;
  while (true) {
    const page = await listDeliveryLogPage(opened.db, world.actors.accountant, {
      portalId,
      from,
      to,
      after,
      limit: 500,
    });
    if (!page.ok) throw new Error(page.error);
    for (const entry of page.entries) {
      const target = entry.targetDescription;
      const channel = target.channel ? translate(`connectors.channels.${target.channel}`) : null;
      const packageName =
        target.packageName ?? (target.channel === "email" ? t("failures.target.freeMail") : entry.connector);
      text += csvLine([
        entry.startedAt.toISOString(),
        entry.finishedAt?.toISOString() ?? null,
        entry.dossierName,
        formatCompanyNumber(entry.companyNumber),
        entry.documentId,
        entry.fileName,
        channel ? `${packageName} (${channel})` : packageName,
        target.details.map(({ key, value }) => `${key}: ${value}`).join("; "),
        entry.attemptNumber,
        translate(`documents.detail.history.outcomes.${entry.outcome}`) ?? entry.outcome,
        entry.errorCode,
        reasonTextOf(entry.reason, translate, generic),
        entry.packageReference,
        translate(`documents.detail.history.triggers.${entry.trigger}`) ?? entry.trigger,
        entry.requestedByEmail ??
          (entry.trigger === "auto" ? t("failures.csv.by.system") : t("failures.csv.by.unknown")),
      ]);
    }
    if (!page.nextCursor) return text;
    after = encodedDeliveryLogCursorSchema.parse(page.nextCursor);
  }
}

describe("the delivery log export", () => {
  it("streams every attempt of the range page by page, oldest first, each exactly once", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const [document] = await insertFailedDocuments(opened.db, dossier, [{ code: "timeout" }]);
    // The short first page, a full page and a few more: two page boundaries.
    const total = DELIVERY_LOG_EXPORT_FIRST_PAGE_SIZE + DELIVERY_LOG_EXPORT_PAGE_SIZE + 7;
    // Half share one instant (the id breaks the tie); the other half lie microseconds apart inside
    // one millisecond, which a JS Date cannot tell apart: a cursor that lost them would skip rows.
    await insertHistory(dossier, {
      documentId: document?.id ?? null,
      attempts: Array.from({ length: total }, (_, index) => ({
        startedAt:
          index % 2 === 0
            ? new Date("2026-02-10T08:00:00.000Z")
            : sql`${"2026-02-10T09:00:00.000000Z"}::timestamptz + make_interval(secs => ${index} * 0.000001)`,
      })),
    });

    const { records, chunks } = await download(world.portal.id, "2026-02-10", "2026-02-10");
    const [header, ...rows] = records;
    expect(header?.[8]).toBe(MESSAGES.nl.failures.csv.columns.attempt);
    expect(rows).toHaveLength(total);
    const numbers = rows.map((row) => Number(row[8]));
    expect(new Set(numbers).size).toBe(total);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    // Oldest first: the 08:00 ones, then the 09:00 ones in microsecond order.
    expect(rows.slice(0, Math.ceil(total / 2)).every((row) => row[0] === "2026-02-10T08:00:00.000Z")).toBe(true);
    const nine = numbers.slice(Math.ceil(total / 2));
    expect(nine).toEqual([...nine].sort((a, b) => a - b));
    // The header, then one chunk per page (and no giant string).
    expect(chunks).toBeGreaterThanOrEqual(4);
  });

  it("reads the range day by day, two days at once, and still writes each attempt once in time order", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const [document] = await insertFailedDocuments(opened.db, dossier, [{ code: "timeout" }]);
    const at = (text: string) => sql`${text}::timestamptz`;
    // Day edges to the microsecond, an empty day (the 12th), a busy last day; in time order, so
    // the attempt numbers must come out 1, 2, 3…
    const inside = [
      "2026-03-10T00:00:00.000000Z",
      "2026-03-10T23:59:59.999999Z",
      "2026-03-11T00:00:00.000000Z",
      "2026-03-11T12:00:00.000000Z",
      ...Array.from({ length: 30 }, (_, index) => `2026-03-13T08:00:00.${String(index).padStart(6, "0")}Z`),
      "2026-03-14T23:59:59.999999Z",
    ];
    await insertHistory(dossier, {
      documentId: document?.id ?? null,
      attempts: inside.map((text) => ({ startedAt: at(text) })),
    });
    // Just outside the range: the day before and the day after.
    await insertHistory(dossier, {
      documentId: document?.id ?? null,
      attempts: ["2026-03-09T23:59:59.999999Z", "2026-03-15T00:00:00.000000Z"].map((text) => ({ startedAt: at(text) })),
    });

    const { records } = await download(world.portal.id, "2026-03-10", "2026-03-14");
    const rows = records.slice(1);
    expect(rows.map((row) => Number(row[8]))).toEqual(inside.map((_, index) => index + 1));
    expect(rows.map((row) => row[0])).toEqual(inside.map((text) => `${text.slice(0, 23)}Z`));
  });

  it("writes the file for Excel: BOM, CRLF, the reader's language, safe cells, no secrets", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const [document] = await insertFailedDocuments(opened.db, dossier, [
      { code: "timeout", fileName: '=HYPERLINK("http://evil.example","klik"), factuur.pdf' },
    ]);
    await insertHistory(dossier, {
      documentId: document?.id ?? null,
      trigger: "manual",
      requestedByUserId: actorUserId(world.actors.accountant),
      target: {
        channel: "email",
        packageId: "yuki",
        category: "purchase",
        to: "aankoop@yuki.example",
        password: "geheim-wachtwoord",
      },
      attempts: [
        {
          startedAt: new Date("2026-04-01T10:00:00.000Z"),
          finishedAt: new Date("2026-04-01T10:00:02.500Z"),
          outcome: "retryable_error",
          errorCode: "timeout",
          reason: "connectors.errors.timeout",
        },
        {
          startedAt: new Date("2026-04-01T10:05:00.000Z"),
          finishedAt: new Date("2026-04-01T10:05:01.000Z"),
          outcome: "succeeded",
          packageReference: "YUKI-42",
        },
      ],
    });
    await insertHistory(dossier, {
      documentId: document?.id ?? null,
      trigger: "auto",
      attempts: [
        {
          startedAt: new Date("2026-04-02T10:00:00.000Z"),
          outcome: "permanent_error",
          errorCode: "package_refused",
          reason: "Dubbel factuurnummer; al geboekt op 2026-03-30",
        },
      ],
    });
    await insertHistory(dossier, {
      documentId: null,
      trigger: "test",
      requestedByUserId: actorUserId(world.actors.admin),
      attempts: [{ startedAt: new Date("2026-04-03T10:00:00.000Z"), outcome: "running" }],
    });

    const { bytes, text, records, fileName } = await download(world.portal.id, "2026-04-01", "2026-04-03");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).not.toContain("geheim-wachtwoord");
    expect(text).not.toContain("password");
    expect(fileName).toBe("delivery-log-kantoor-a-2026-04-01-2026-04-03.csv");

    const nl = MESSAGES.nl;
    const [header, failed, succeeded, refused, test] = records;
    expect(header).toEqual(Object.values(nl.failures.csv.columns));
    expect(records).toHaveLength(5);
    expect(failed).toEqual([
      "2026-04-01T10:00:00.000Z",
      "2026-04-01T10:00:02.500Z",
      dossier.name,
      formatCompanyNumber(dossier.companyNumber),
      document?.id,
      // The formula is defused: an apostrophe first, and the comma kept inside the quotes.
      '\'=HYPERLINK("http://evil.example","klik"), factuur.pdf',
      "Yuki (E-mail)",
      "to: aankoop@yuki.example",
      "1",
      nl.documents.detail.history.outcomes.retryable_error,
      "timeout",
      nl.connectors.errors.timeout,
      "",
      nl.documents.detail.history.triggers.manual,
      expect.stringMatching(/^accountant-.*@test\.koppel\.example$/),
    ]);
    expect(succeeded?.slice(8, 15)).toEqual([
      "2",
      nl.documents.detail.history.outcomes.succeeded,
      "",
      "",
      "YUKI-42",
      nl.documents.detail.history.triggers.manual,
      failed?.[14],
    ]);
    // A package's own words as they are; auto-send was the system's.
    expect(refused?.[11]).toBe("Dubbel factuurnummer; al geboekt op 2026-03-30");
    expect(refused?.[13]).toBe(nl.documents.detail.history.triggers.auto);
    expect(refused?.[14]).toBe(nl.failures.csv.by.system);
    // A test send has no document; a running try has no end yet.
    expect(test?.slice(1, 6)).toEqual(["", dossier.name, formatCompanyNumber(dossier.companyNumber), "", ""]);
    expect(test?.[14]).toMatch(/^admin-/);

    const french = await download(world.portal.id, "2026-04-01", "2026-04-01", { locale: "fr" });
    expect(french.records[0]?.[0]).toBe(MESSAGES.fr.failures.csv.columns.startedAt);
    expect(french.records[1]?.[11]).toBe(MESSAGES.fr.connectors.errors.timeout);
  });

  it("writes, byte for byte, the file the page-by-page export before issue 19 wrote", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const documents = await insertFailedDocuments(opened.db, dossier, [
      { code: "timeout", fileName: "a, b.pdf" },
      { code: "auth_failed", fileName: "=1+1.pdf" },
      { status: "rejected", code: "package_refused" },
    ]);
    const targets = [
      { channel: "email", packageId: "yuki", category: "purchase", to: "aankoop@yuki.example" },
      { channel: "email", packageId: null, category: "sales", to: "verkoop@kantoor.example" },
      { channel: "api", packageId: "exact-online", connectionId: "c1", division: 42 },
      { channel: "ftp", packageId: "expert-m", connectionId: "c2", folder: "/in" },
      { channel: "ftp", packageId: "not-a-package" },
      {},
    ];
    const outcomes = ["retryable_error", "succeeded", "permanent_error", "auth_error", "running"] as const;
    const reasons = [
      null,
      "connectors.errors.timeout",
      "dispatch.errors.job_failed",
      "connectors.errors.no_such_key",
      'Geweigerd: "dubbel"',
    ];
    for (let i = 0; i < 60; i++) {
      await insertHistory(dossier, {
        documentId: i % 7 === 6 ? null : (documents[i % documents.length]?.id ?? null),
        trigger: i % 7 === 6 ? "test" : (["manual", "bulk", "auto", "retry"] as const)[i % 4],
        requestedByUserId: i % 3 === 0 ? actorUserId(world.actors.accountant) : null,
        target: targets[i % targets.length],
        attempts: [
          {
            startedAt: new Date(Date.UTC(2026, 7, 1 + (i % 20), 8, i)),
            finishedAt: i % 5 === 4 ? null : new Date(Date.UTC(2026, 7, 1 + (i % 20), 8, i, 3)),
            outcome: outcomes[i % outcomes.length],
            errorCode: i % 2 ? "timeout" : null,
            reason: reasons[i % reasons.length],
            packageReference: i % 4 === 1 ? `REF-${i}` : null,
          },
        ],
      });
    }
    for (const locale of ["nl", "fr", "en"] as const) {
      const { text } = await download(world.portal.id, "2026-08-01", "2026-08-31", { locale });
      expect(text).toBe(await exportBeforeIssue19(world.portal.id, "2026-08-01", "2026-08-31", locale));
    }
  });

  it("keeps to the days asked (UTC, both included) and to the portal", async () => {
    const dossier = await insertDossier(opened.db, world.portal.id);
    const [document] = await insertFailedDocuments(opened.db, dossier, [{ code: "timeout" }]);
    const times = [
      "2026-06-09T23:59:59.999Z",
      "2026-06-10T00:00:00.000Z",
      "2026-06-11T23:59:59.999Z",
      "2026-06-12T00:00:00.000Z",
    ];
    await insertHistory(dossier, {
      documentId: document?.id ?? null,
      attempts: times.map((time) => ({ startedAt: new Date(time) })),
    });
    const [foreign] = await insertFailedDocuments(opened.db, world.otherDossier, [{ code: "timeout" }]);
    await insertHistory(world.otherDossier, {
      documentId: foreign?.id ?? null,
      attempts: [{ startedAt: new Date("2026-06-10T12:00:00.000Z") }],
    });

    const ours = await download(world.portal.id, "2026-06-10", "2026-06-11");
    expect(ours.records.slice(1).map((row) => row[0])).toEqual([times[1], times[2]]);
    const theirs = await download(world.otherPortal.id, "2026-06-10", "2026-06-11", { actor: world.actors.otherAdmin });
    expect(theirs.records.slice(1).map((row) => row[4])).toEqual([foreign?.id]);
  });

  it("is for the portal's admins and accountants: anyone else is not found, before the dates are read", async () => {
    for (const actor of [world.actors.admin, world.actors.accountant]) {
      await expect(download(world.portal.id, "2026-01-01", "2026-01-01", { actor })).resolves.toBeDefined();
    }
    for (const actor of [world.actors.entrepreneur, world.actors.otherAdmin]) {
      const ranges: [string, string][] = [
        ["2026-01-01", "2026-01-02"],
        ["nonsense", "2026-01-02"],
      ];
      for (const [from, to] of ranges) {
        await expect(
          exportDeliveryLog(opened.db, actor, { portalId: world.portal.id, from, to, locale: "nl" }),
        ).rejects.toBeInstanceOf(NotFoundError);
      }
    }
    await expect(
      exportDeliveryLog(opened.db, world.actors.admin, {
        portalId: "00000000-0000-4000-8000-000000000000",
        from: "2026-01-01",
        to: "2026-01-02",
        locale: "nl",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers a refused range with its reason code", async () => {
    const ask = (from: string | null, to: string | null) =>
      exportDeliveryLog(opened.db, world.actors.admin, { portalId: world.portal.id, from, to, locale: "nl" });
    expect(await ask(null, "2026-01-01")).toEqual({ ok: false, error: "missing" });
    expect(await ask("2026-02-31", "2026-03-01")).toEqual({ ok: false, error: "invalid_date" });
    expect(await ask("2026-03-02", "2026-03-01")).toEqual({ ok: false, error: "reversed" });
    expect(await ask("2024-01-01", "2026-01-01")).toEqual({ ok: false, error: "too_long" });
  });
});
