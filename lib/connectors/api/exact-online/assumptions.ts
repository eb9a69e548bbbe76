import type { DocumentCategory } from "@/lib/packages/catalog";

/**
 * Every fact about Exact Online this connector relies on, in one place, with its status:
 * "verified" (a public source states it; ids refer to ../shared/reference/connectors.md §13) or
 * "assumed" (our reading; to confirm with a real division). docs/integrations/exact-online.md
 * lists them for accountants; change both together.
 */

export type AssumptionStatus = "verified" | "assumed";

type Fact<T> = { value: T; status: AssumptionStatus; source: string };

/** Documents.Type per category. Credit notes and receipts travel with their invoice category. */
export const DOCUMENT_TYPE: Record<DocumentCategory, Fact<number>> = {
  // Exact's documented upload recipe: 20 = purchase entry/invoice [S29].
  purchase: { value: 20, status: "verified", source: "S29 (purchase invoice = 20)" },
  // 10 = sales entry/invoice [S29].
  sales: { value: 10, status: "verified", source: "S29 (sales invoice = 10)" },
  // No public list of type codes was found; 55 is our reading of the "Miscellaneous" type.
  // GET documents/DocumentTypes in a division lists the real codes (DocumentIsCreatable).
  other: { value: 55, status: "assumed", source: "no public source; confirm with documents/DocumentTypes" },
};

/** Credit notes have no type of their own: Type 20/10 and the booking marks them as credit. */
export const CREDIT_NOTES_USE_INVOICE_TYPE: Fact<true> = {
  value: true,
  status: "assumed",
  source: "reference §3.3: no separate credit-note type found",
};

/**
 * The Subject we give a Document carries our reference (the dispatch id), so a retry can find
 * what an earlier try created. Exact's Subject length limit is not public; 200 characters is
 * our cautious guess (the file-name part is shortened, the reference never).
 */
export const SUBJECT_MAX_LENGTH: Fact<number> = {
  value: 200,
  status: "assumed",
  source: "no public length limit for Documents.Subject",
};

/** The marker that precedes our reference in a Subject: "factuur.pdf [Koppel <dispatch id>]". */
export const SUBJECT_REFERENCE_PREFIX = "Koppel ";

/**
 * Looking a Document up by `$filter=Subject eq '…'` (OData v2, quotes doubled) with
 * `$select=ID`, and its attachments by `$filter=Document eq guid'…'`. Exact's REST API is OData
 * v2 [S22]; that these two filters are accepted on documents/Documents and DocumentAttachments is
 * assumed.
 */
export const LOOKUP_BY_SUBJECT_FILTER: Fact<true> = {
  value: true,
  status: "assumed",
  source: "OData v2 filter syntax [S22]; not confirmed on these two endpoints",
};

/**
 * Divisions offered to a dossier: Status 1 (active). 0 (inactive) and 2 (archived) exist [S28];
 * that they refuse new documents is assumed, so they are not offered.
 */
export const SELECTABLE_DIVISION_STATUSES: Fact<readonly number[]> = {
  value: [1],
  status: "assumed",
  source: "S28 lists Status 0/1/2; hiding 0 and 2 is our choice",
};

/** A division without Status in the answer is offered (older answers may lack the field). */
export const DIVISION_WITHOUT_STATUS_IS_SELECTABLE = true;

/** Access tokens live ~10 minutes; refresh when less than this is left [S23 S24]. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS: Fact<number> = {
  value: 30_000,
  status: "verified",
  source: "S23 S24: a new access token may only be requested after 570 s of its 600",
};

/** A refresh token unused for ~30 days expires and a full re-authorisation is needed [S26]. */
export const GRANT_IDLE_LIFETIME_MS: Fact<number> = {
  value: 30 * 24 * 60 * 60 * 1000,
  status: "verified",
  source: "S26 (refresh token expires after ~30 days without use)",
};

/** Limits per app per division: 60 calls a minute, 5,000 a day, with X-RateLimit-* headers [S22 S23 S24]. */
export const DEFAULT_MINUTELY_LIMIT: Fact<number> = {
  value: 60,
  status: "verified",
  source: "S23 S24; the headers tell the real figure per response",
};

/**
 * Exact blocks an app key for an hour after more than 10 error answers (400/401/403/404) per
 * key, user, division and endpoint within an hour [S23 S24]. We stop calling such an endpoint at
 * 8, leaving room for a check or a second connection of the same office.
 */
export const ERROR_BLOCK: Fact<{ statuses: readonly number[]; stopAt: number; windowMs: number }> = {
  value: { statuses: [400, 401, 403, 404], stopAt: 8, windowMs: 60 * 60 * 1000 },
  status: "verified",
  source: "S23 S24 (>10 errors per hour block the key); 8 is our margin",
};

/**
 * What a division-scoped call answers when the connection's Exact user cannot reach the division
 * (it does not exist on this country instance, or the user has no rights to it): 403 or 404. We
 * read both as "unknown division" (permanent), not as refused credentials.
 */
export const DIVISION_UNREACHABLE_STATUSES: Fact<readonly number[]> = {
  value: [403, 404],
  status: "assumed",
  source: "no public source for the exact status",
};

/**
 * Documents.ProposedEntryStatus: 5 = rejected, 50 = processed (booked) [S30]; every other value
 * (none, 10, 20, …) means Exact has not decided yet. Exact gives no reason with a rejection in
 * this field; which other field might carry one is not public, so the user reads our own text.
 */
export const PROPOSED_ENTRY_STATUS: Fact<{ rejected: number; processed: number }> = {
  value: { rejected: 5, processed: 50 },
  status: "verified",
  source: "S30 (ProposedEntryStatus values); reading them as rejected/imported is our approach",
};

/**
 * A read-back asks about at most this many Documents per division and run (one GET by key each),
 * a third of a minute's budget, so deliveries keep room; the others wait for the next run. After
 * this many 404s in one run (a Document deleted in Exact) it stops asking: every 404 counts
 * towards Exact's hourly error block (ERROR_BLOCK), which would stop deliveries too.
 */
export const POLL_LIMITS = { documentsPerRun: 20, notFoundPerRun: 2 } as const;

/**
 * Webhook notifications: `{"Content":{Topic, ClientId, Division, Action, Key, …},"HashCode":"…"}`,
 * HashCode = upper-case hex HMAC-SHA256 of the raw Content JSON with the app's webhook secret
 * [S32 S33]. That the raw Content text can be cut from the body exactly as sent (no
 * re-serialisation) is our approach; Exact's own samples hash the substring too [S33].
 */
export const WEBHOOK_SIGNATURE: Fact<"hmac-sha256-upper-hex"> = {
  value: "hmac-sha256-upper-hex",
  status: "verified",
  source: "S32 S33",
};

/**
 * Our clock and Exact's may differ a little; a call for a new minute waits this long past the
 * reset Exact announced, so it does not land in the old minute and draw a 429.
 */
export const RESET_MARGIN_MS = 250;

/** The country hosts (Belgium first: our default) [S20]; data lives only on its own instance [S21]. */
export const EXACT_REGIONS = ["be", "nl", "de", "co.uk", "com", "es", "fr"] as const;
export type ExactRegion = (typeof EXACT_REGIONS)[number];

/** Hosts that count as Exact's own for a configured base URL (lib/connectors/api/base-url.ts). */
export const EXACT_HOST = /^start\.exactonline\.(?:be|nl|de|co\.uk|com|es|fr)$/;

/** The start URL of a country instance. */
export function regionBaseUrl(region: ExactRegion): string {
  return `https://start.exactonline.${region}`;
}
