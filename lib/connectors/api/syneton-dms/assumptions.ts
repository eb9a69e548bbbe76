/**
 * Everything the Syneton DMS connector relies on, in one place (../shared/reference/connectors.md §5
 * is the source; [V] there = verified, [I]/[?] = assumed). The Admin-IS / Admin-Consult REST API
 * (token from an API key, the `synetonToken` header, customers, `ErrorMessage` bodies, `Filter=`
 * queries, `per_page` with Link paging) is known from a public SDK written against the live
 * service; a DMS upload endpoint is not in it (its dms module is empty). Every path and field name
 * of the upload is therefore a connection setting with the default below, so a customer corrects
 * it without a code change. docs/integrations/syneton-dms.md lists each entry by its id, and a
 * unit test keeps the two in step.
 */

export type AssumptionStatus = "verified" | "assumed";

export type SynetonAssumption = {
  id: string;
  status: AssumptionStatus;
  statement: string;
  toConfirm?: string;
};

/** The defaults of the adjustable endpoints and fields; `{apiKey}` and `{customerId}` are filled in. */
export const SYNETON_DEFAULTS = {
  /** [V S69] */
  tokenPath: "api/v1/token/{apiKey}",
  /** [V S69] */
  customersPath: "api/v1/customers",
  /** [?] */
  uploadPath: "api/v1/dms/documents",
  /** [?] */
  lookupPath: "api/v1/dms/documents",
  /** [V S69]: the customers resource's id field. */
  customerIdField: "CustomerId",
  /** [?] Admin-DMS files documents under keywords (tabs) [V S67]; the field name is ours. */
  categoryField: "Keyword",
  fileNameField: "FileName",
  contentField: "Content",
  referenceField: "Reference",
  responseIdField: "DocumentId",
} as const;

export const SYNETON_TOKEN_PLACEHOLDERS = ["apiKey"] as const;
export const SYNETON_DOCUMENT_PLACEHOLDERS = ["customerId"] as const;

/** Keywords a customer portal of Syneton offers: AF, BA, DV, VF [V S68]; our reading of them [I]. */
export const SYNETON_DEFAULT_KEYWORDS = { purchase: "AF", sales: "VF", other: "DV" } as const;

/** The header that carries the session token [V S69]. */
export const SYNETON_TOKEN_HEADER = "synetonToken";

/** ErrorMessage texts we recognise (case-insensitive) [V S69 for the quoted ones]. */
export const SYNETON_ERROR_PATTERNS = {
  /** 403 "You are throttling the system" [V]. */
  throttled: /throttling the system/i,
  /** 403 "No valid configuration for token" [V]; other token wording assumed. */
  tokenRefused: /valid configuration for token|token[^.]*(invalid|expired|not valid|unknown)/i,
  /** 404 "Nothing found" on an empty list [V]. */
  nothingFound: /nothing found/i,
  /** Assumed wording for an unknown customer record. */
  unknownCustomer: /customer[^.]*(not found|does not exist|unknown)/i,
} as const;

/** Rows per page asked for; the API caps it at its MaxRecordsPerPage [V S69]. */
export const SYNETON_PAGE_SIZE = 100;
export const SYNETON_MAX_PAGES = 50;

/** A token is renewed this long before its TimeToLive, and used at most this long. */
export const SYNETON_TOKEN_MARGIN_MS = 60_000;
export const SYNETON_TOKEN_MAX_AGE_MS = 60 * 60 * 1000;

/** After a throttling answer (the SDK counts calls per minute against RateLimit) [V S69]. */
export const SYNETON_THROTTLE_RETRY_MS = 60_000;

export const SYNETON_ASSUMPTIONS: readonly SynetonAssumption[] = [
  {
    id: "product",
    status: "assumed",
    statement:
      "Syneton DMS is Admin-DMS, reached through the Admin-IS / Admin-Consult REST API of the office (on its own host and port, or Syneton's).",
    toConfirm:
      "That the office's Syneton exposes the Admin-Consult API (Syneton's article 'API activatie en configuratie').",
  },
  {
    id: "token",
    status: "verified",
    statement:
      "GET {host}:{port}/api/v1/token/{apiKey} answers { TokenGuid, TimeToLive }; every call then carries the header synetonToken: <TokenGuid>.",
  },
  {
    id: "token-lifetime",
    status: "assumed",
    statement:
      "TimeToLive is the token's end (read as UTC when it names no zone); Koppel renews a minute before, uses a token at most an hour, and renews once when a call answers that the token is not valid.",
  },
  {
    id: "customers",
    status: "verified",
    statement:
      "GET api/v1/customers lists customer records (CustomerId, Name, Firstname, CustCode, VATNr, IsActive), paged with per_page and a Link header; a Filter= query narrows lists.",
  },
  {
    id: "errors",
    status: "verified",
    statement:
      "Errors carry { ErrorMessage }: 403 'You are throttling the system' (too many calls), 403 'No valid configuration for token' (no rights), 404 'Nothing found' for an empty list.",
  },
  {
    id: "upload-endpoint",
    status: "assumed",
    statement:
      "A document is filed with POST api/v1/dms/documents, a JSON body with CustomerId, Keyword, FileName, Content (the file in base64) and Reference.",
    toConfirm:
      "The real DMS upload path and field names with Syneton; correct them on the connection without a code change.",
  },
  {
    id: "upload-answer",
    status: "assumed",
    statement: "The upload answers 2xx with JSON naming the new document in DocumentId (adjustable).",
    toConfirm: "The answer's shape; an answer without that field is accepted and the reference left empty.",
  },
  {
    id: "keywords",
    status: "assumed",
    statement:
      "Documents are filed under a keyword: AF for purchase, VF for sales and DV for other documents (a Syneton portal offers AF, BA, DV and VF; the meanings are our reading), adjustable per dossier.",
    toConfirm: "The keywords the office's Admin-DMS uses.",
  },
  {
    id: "lookup",
    status: "assumed",
    statement:
      "After an unclear try, GET on the look-up path with Filter=Reference eq '<our reference>' and CustomerId eq <id> lists what an earlier try filed ('Nothing found' when none).",
    toConfirm:
      "That the DMS documents can be filtered by the reference; if not, switch off the look-up and accept that a lost answer may leave a duplicate.",
  },
  {
    id: "status",
    status: "assumed",
    statement:
      "Admin-DMS reports no later refusal of a filed document through the API; Koppel does not poll for rejections.",
  },
] as const;
