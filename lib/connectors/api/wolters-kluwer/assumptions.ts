/**
 * Everything the Wolters Kluwer (Adsolut Public API) connector relies on, in one place
 * (../shared/reference/connectors.md §4.1 is the source; [V] there = verified, [I]/[?] = assumed).
 * Wolters Kluwer publishes its API reference only to onboarded partners (api-portal.adsolut.com),
 * and the document (dms) upload endpoint was not found publicly: every path and field name of the
 * upload is therefore a connection setting with the default below, so a customer corrects it
 * without a code change. docs/integrations/wolters-kluwer.md lists each entry by its id, and a
 * unit test keeps the two in step. When a customer confirms or corrects one, change both.
 */

export type AssumptionStatus = "verified" | "assumed";

export type WoltersKluwerAssumption = {
  /** Stable id, quoted on the docs page. */
  id: string;
  status: AssumptionStatus;
  /** What we rely on, in one sentence. */
  statement: string;
  /** What a customer (or a first real run) must confirm; empty for verified facts. */
  toConfirm?: string;
};

export const WK_ENVIRONMENTS = ["production", "uat"] as const;
export type WoltersKluwerEnvironment = (typeof WK_ENVIRONMENTS)[number];

/** API hosts per environment [V S53]. */
export const WK_API_BASE_URL: Record<WoltersKluwerEnvironment, string> = {
  production: "https://api.adsolut.com",
  uat: "https://uat-api.wktaae.be",
};

/** Wolters Kluwer's identity server per environment; OAuth paths below it [V S53 S54]. */
export const WK_LOGIN_BASE_URL: Record<WoltersKluwerEnvironment, string> = {
  production: "https://login.wolterskluwer.eu",
  uat: "https://login-stg.wolterskluwer.eu",
};
export const WK_AUTHORIZE_PATH = "auth/core/connect/authorize";
export const WK_TOKEN_PATH = "auth/core/connect/token";

/** Hosts that count as Wolters Kluwer's own for a configured URL (lib/connectors/api/base-url.ts). */
export const WK_API_HOST = /^(?:api\.adsolut\.com|uat-api\.wktaae\.be)$/;
export const WK_LOGIN_HOST = /^login(?:-stg)?\.wolterskluwer\.eu$/;

/**
 * Scopes asked for: the refresh token (offline_access), the administrations list and documents
 * [V S53 S55 S57]. A connection may ask for others (settings.scope).
 */
export const WK_DEFAULT_SCOPE = "openid offline_access WK.BE.Administrations WK.BE.Documents";

/** The defaults of the adjustable endpoints and fields (settings); `{administrationId}` is filled in. */
export const WK_DEFAULTS = {
  /** [V S56] */
  administrationsPath: "adm/v1/administrations",
  /** [?] the dms area exists [V S53 S55], the resource name is our guess. */
  uploadPath: "dms/v1/adm/{administrationId}/documents",
  /** [?] the same resource listed, filtered by our reference. */
  lookupPath: "dms/v1/adm/{administrationId}/documents",
  fileField: "file",
  documentCategoryField: "documentType",
  referenceField: "externalReference",
  responseIdField: "id",
} as const;

/** Placeholders an upload or lookup path may carry. */
export const WK_PATH_PLACEHOLDERS = ["administrationId"] as const;

/** The category values a dossier starts from (assumed; the spec's enum is not public). */
export const WK_DEFAULT_CATEGORIES = { purchase: "Purchase", sales: "Sales", other: "Other" } as const;

/** Lists are paged; we ask for this many rows a page and stop after MAX_PAGES pages. */
export const WK_PAGE_SIZE = 100;
export const WK_MAX_PAGES = 50;

/** Refresh the access token when less than this is left (IdentityServer tokens say expires_in). */
export const WK_ACCESS_TOKEN_REFRESH_MARGIN_MS = 60_000;

/**
 * A refresh token unused this long is taken to be dead (IdentityServer's default sliding lifetime
 * is 15 days; Wolters Kluwer's setting is not public). keepAlive refreshes well before.
 */
export const WK_GRANT_IDLE_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;

/** When a 429 names no Retry-After (Wolters Kluwer's limits are not public). */
export const WK_DEFAULT_RETRY_AFTER_MS = 60_000;

export const WK_ASSUMPTIONS: readonly WoltersKluwerAssumption[] = [
  {
    id: "product",
    status: "assumed",
    statement:
      "The Wolters Kluwer API integration is the Adsolut Public API (also reached by Kluwer Office / Expert/M dossiers synchronised to My Adsolut).",
    toConfirm: "That the office's Wolters Kluwer package is Adsolut, or synchronises its dossiers to My Adsolut.",
  },
  {
    id: "hosts",
    status: "verified",
    statement:
      "API at https://api.adsolut.com (UAT https://uat-api.wktaae.be); login at https://login.wolterskluwer.eu/auth/core/connect/authorize and …/connect/token (staging login-stg.wolterskluwer.eu).",
  },
  {
    id: "oauth",
    status: "verified",
    statement:
      "OAuth 2.0 authorization code flow with refresh tokens; each refresh returns a new refresh token, which Koppel stores every time.",
  },
  {
    id: "activation",
    status: "verified",
    statement:
      "API access is activated per Adsolut installation in My Adsolut, and the app needs the WK.BE.Documents scope granted by Wolters Kluwer.",
    toConfirm: "That the office activated the API for Koppel's app in My Adsolut.",
  },
  {
    id: "grant-lifetime",
    status: "assumed",
    statement:
      "A refresh token unused for about 15 days dies (IdentityServer's default); Koppel counts 14 days and refreshes it before (keep-alive).",
    toConfirm: "Wolters Kluwer's real refresh-token lifetime.",
  },
  {
    id: "administrations",
    status: "verified",
    statement:
      "GET adm/v1/administrations lists the administrations the signed-in user can reach; an administration's id is a GUID.",
  },
  {
    id: "administration-fields",
    status: "assumed",
    statement:
      "The list answers { items: [...] } (or data, or a bare array) with id, name and, where given, code and vatNumber per administration; pages with Page and PageSize and totalPages.",
    toConfirm: "That the dossier's picker shows the office's administrations with their VAT numbers.",
  },
  {
    id: "upload-endpoint",
    status: "assumed",
    statement:
      "A document is uploaded with POST dms/v1/adm/{administrationId}/documents as multipart/form-data: the file in field 'file', the category in 'documentType', our reference in 'externalReference'.",
    toConfirm:
      "The real path and field names from the OpenAPI spec at api-portal.adsolut.com; correct them on the connection (upload path and field names) without a code change.",
  },
  {
    id: "upload-answer",
    status: "assumed",
    statement: "The upload answers 2xx with JSON carrying the new document's id in 'id' (adjustable).",
    toConfirm: "The answer's shape; an answer without that field is accepted and the reference left empty.",
  },
  {
    id: "document-categories",
    status: "assumed",
    statement:
      "Purchase, sales and other documents are told apart by a category value: Purchase, Sales and Other by default, adjustable per dossier.",
    toConfirm: "The category values Adsolut's documents endpoint accepts.",
  },
  {
    id: "lookup",
    status: "assumed",
    statement:
      "After an unclear try, GET on the lookup path with ?externalReference=<our reference> lists what an earlier try stored, so a retry never uploads twice.",
    toConfirm:
      "That the documents endpoint can be filtered by a reference; if not, switch off the look-up on the connection and accept that a lost answer may leave a duplicate.",
  },
  {
    id: "errors",
    status: "assumed",
    statement:
      "401 means the token is refused (Koppel refreshes once); 403 or 404 on an administration's endpoint means the administration is unknown or not activated for the app; 400, 409, 415 and 422 are refusals of the document; 429 carries Retry-After; 5xx is temporary.",
  },
  {
    id: "rate-limits",
    status: "assumed",
    statement:
      "Wolters Kluwer publishes no rate limit; Koppel sends one document at a time per delivery and waits as long as a 429's Retry-After says (one minute without it).",
    toConfirm: "The limits that apply to the office's installation.",
  },
  {
    id: "status",
    status: "assumed",
    statement:
      "Whether Adsolut refuses a document after accepting it is not readable through a public endpoint, so Koppel does not poll for rejections.",
  },
] as const;
