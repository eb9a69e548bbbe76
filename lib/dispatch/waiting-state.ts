import "server-only";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { dispatches } from "@/db/schema";
import { findPackage } from "@/lib/packages/catalog";
import { retryHorizonMs } from "./retry-policy";

/**
 * What a document that waits out an outage shows (issue 20): "waiting: <package> unreachable since
 * 10:02, next try 10:15". Read from its active dispatch: the first failure (failingSince), the next
 * try time the deliver job sleeps until (nextAttemptAt: a backoff step, a Retry-After, or its lane's
 * next probe), and the code it met.
 */
export type WaitingView = {
  dispatchId: string;
  /** The package by name; null: the mail service (free mail, or the mail channel of a package). */
  packageName: string | null;
  since: Date;
  nextTryAt: Date | null;
  /** The connector error code of the last failure (connectors.errors.<code>). */
  code: string | null;
  /** When Koppel stops trying and the document ends Failed: `since` plus the package's horizon. */
  givesUpAt: Date;
};

type WaitingRow = {
  id: string;
  status: string;
  failingSince: Date | null;
  nextAttemptAt: Date | null;
  waitingCode: string | null;
  target: Record<string, unknown>;
};

export function waitingViewOf(row: WaitingRow): WaitingView | null {
  if ((row.status !== "queued" && row.status !== "running") || !row.failingSince) return null;
  const packageId = typeof row.target.packageId === "string" ? row.target.packageId : null;
  const connectionLabel = typeof row.target.connection === "string" ? row.target.connection : null;
  const isMail = row.target.channel === "email";
  return {
    dispatchId: row.id,
    packageName: isMail ? null : (findPackage(packageId)?.name ?? connectionLabel ?? packageId),
    since: row.failingSince,
    nextTryAt: row.status === "queued" ? row.nextAttemptAt : null,
    code: row.waitingCode,
    givesUpAt: new Date(row.failingSince.getTime() + retryHorizonMs(findPackage(packageId))),
  };
}

/** The waiting state of each listed document that has one (the list shows it under the status). */
export async function listWaitingStates(
  db: DbOrTx,
  scope: { portalId: string },
  documentIds: readonly string[],
): Promise<Map<string, WaitingView>> {
  if (documentIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: dispatches.id,
      documentId: dispatches.documentId,
      status: dispatches.status,
      failingSince: dispatches.failingSince,
      nextAttemptAt: dispatches.nextAttemptAt,
      waitingCode: dispatches.waitingCode,
      target: dispatches.target,
    })
    .from(dispatches)
    .where(
      and(
        eq(dispatches.portalId, scope.portalId),
        inArray(dispatches.documentId, [...documentIds]),
        inArray(dispatches.status, ["queued", "running"]),
        isNotNull(dispatches.failingSince),
      ),
    );
  const views = new Map<string, WaitingView>();
  for (const row of rows) {
    const view = waitingViewOf(row);
    if (view && row.documentId) views.set(row.documentId, view);
  }
  return views;
}

/** The translator of getTranslations() (root), loosely typed for the keys below. */
type WaitingTranslator = (
  key: "dispatch.waiting.line" | "dispatch.waiting.lineNoNext" | "dispatch.waiting.mailService",
  values?: Record<string, string>,
) => string;

/**
 * "Waiting: Expert/M unreachable since 10:02, next try 10:15" in the reader's language; times
 * formatted by the caller (its locale and time zone): `since` with the date when it is not today.
 */
export function waitingLine(
  view: WaitingView,
  format: { t: unknown; time: (date: Date) => string; since: (date: Date) => string },
  now: Date = new Date(),
): string {
  const t = format.t as WaitingTranslator;
  const isToday = view.since.toDateString() === now.toDateString();
  const values = {
    package: view.packageName ?? t("dispatch.waiting.mailService"),
    since: isToday ? format.time(view.since) : format.since(view.since),
  };
  return view.nextTryAt && view.nextTryAt > now
    ? t("dispatch.waiting.line", { ...values, next: format.time(view.nextTryAt) })
    : t("dispatch.waiting.lineNoNext", values);
}
