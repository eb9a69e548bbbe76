import { createHash } from "node:crypto";
import { ConnectorError } from "../../errors";
import { isRetryableHttpStatus, RETRYABLE_4XX_STATUSES, retryAfterMsOf, sendRequest } from "../../transports/http";
import { YUKI_FAULT_PATTERNS, YUKI_IDEMPOTENCY_SEARCH, YUKI_RESULT_SHAPES, YUKI_SESSION_TTL_MS } from "./assumptions";
import {
  buildEnvelope,
  fieldOf,
  findElements,
  type OperationInput,
  parseSoapResponse,
  servicePathOf,
  soapActionOf,
  textOf,
  type XmlNode,
  type YukiOperation,
} from "./soap";

/**
 * Raw calls to Yuki's Archive web service (reference §2; WSDL at
 * https://api.yukiworks.be/ws/Archive.asmx?WSDL) and the one place where Yuki's failures are
 * classified. The HTTP under the SOAP (deadline, network errors and timeouts classified) is
 * transports/http.ts; SOAP faults and statuses are read here. Sessions are cached in-process per
 * base URL and access key (hashed) and renewed once when a call faults with an expired session.
 */

/** One fault classified: a ConnectorError, or a session to renew and the call to repeat. */
export type FaultClass = ConnectorError | "session_expired";

/** The next midnight UTC after `now`, in milliseconds from `now` (when the daily quota resets, assumed). */
export function msUntilNextUtcMidnight(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return next - now.getTime();
}

/** Sorts a Yuki fault text into what happens next; vendor text travels only in vendorDetail. */
export function classifyFault(faultString: string, now: Date = new Date()): FaultClass {
  const vendorDetail = faultString.slice(0, 500);
  if (YUKI_FAULT_PATTERNS.noActiveDatabase.test(faultString))
    return new ConnectorError("permanent", "wrong_region", { vendorDetail });
  if (YUKI_FAULT_PATTERNS.administrationNotFound.test(faultString))
    return new ConnectorError("permanent", "unknown_target", { vendorDetail });
  if (YUKI_FAULT_PATTERNS.quotaExceeded.test(faultString))
    return new ConnectorError("retryable", "quota_exceeded", {
      vendorDetail,
      retryAfterMs: msUntilNextUtcMidnight(now),
    });
  if (YUKI_FAULT_PATTERNS.sessionExpired.test(faultString)) return "session_expired";
  if (YUKI_FAULT_PATTERNS.authenticationFailed.test(faultString))
    return new ConnectorError("auth", "auth_failed", { vendorDetail });
  // Anything else is Yuki refusing this request (a bad file, an unknown folder, an envelope it
  // cannot read); repeating the same request would only be refused again.
  return new ConnectorError("permanent", "package_refused", { vendorDetail });
}

/** An HTTP answer without a SOAP fault in it. */
export function classifyHttpStatus(status: number, retryAfterMs?: number): ConnectorError {
  const vendorDetail = `HTTP ${status}`;
  if (status === 408) return new ConnectorError("retryable", "timeout", { vendorDetail, retryAfterMs });
  if (status >= 500 || RETRYABLE_4XX_STATUSES.has(status)) {
    return new ConnectorError("retryable", "server_error", { vendorDetail, retryAfterMs });
  }
  if (status === 429) return new ConnectorError("retryable", "rate_limited", { vendorDetail, retryAfterMs });
  // No such service at this address: the base URL is not Yuki's.
  if (status === 404) return new ConnectorError("permanent", "invalid_settings", { vendorDetail });
  return new ConnectorError("permanent", "package_refused", { vendorDetail });
}

type CachedSession = { sessionId: Promise<string>; expiresAt: number };

/** Sessions per (base URL, SHA-256 of the access key); the key itself is never a map key. */
const sessions = new Map<string, CachedSession>();
const MAX_CACHED_SESSIONS = 1_000;

function sessionKeyOf(baseUrl: string, accessKey: string): string {
  return `${baseUrl}|${createHash("sha256").update(accessKey).digest("hex")}`;
}

/** Forgets every cached session (tests; a process that rotates keys). */
export function clearYukiSessions(): void {
  sessions.clear();
}

/** An administration as Administrations lists it. */
export type YukiAdministration = { id: string; name: string; city: string | null; vatNumber: string | null };
/** An archive folder as DocumentFolders lists it. */
export type YukiFolder = { id: number; name: string };
/** A document as FindDocument / SearchDocuments return it (only the fields we read). */
export type YukiDocument = { id: string; fileName: string | null; subject: string | null; folder: string | null };

/** A document Yuki's back office could not process (GetWorkflow), with Yuki's reason when it gives one. */
export type YukiWorkflowItem = { documentId: string; reason: string | null };

export type YukiClientOptions = {
  baseUrl: string;
  accessKey: string;
  signal: AbortSignal;
  /** Replaced in tests to pin the quota's retry time. */
  now?: () => Date;
};

/** A client for one connection; cheap to create per call (the session cache is shared). */
export function createYukiClient(options: YukiClientOptions) {
  const { baseUrl, accessKey, signal } = options;
  const now = options.now ?? (() => new Date());
  const sessionKey = sessionKeyOf(baseUrl, accessKey);

  /** One POST; resolves with the operation's result or throws what the answer means. */
  async function post<Op extends YukiOperation>(
    operation: Op,
    input: OperationInput<Op>,
  ): Promise<XmlNode | undefined> {
    // A network failure or a deadline comes out classified: the request may or may not have
    // reached Yuki. Redirects are followed, as Yuki's calls always did (the base URL is pinned to
    // Yuki's own hosts).
    const answer = await sendRequest(
      `${baseUrl}${servicePathOf(operation)}`,
      {
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${soapActionOf(operation)}"` },
        body: buildEnvelope(operation, input),
        redirect: "follow",
      },
      signal,
    );
    // The status first: a gateway's 502/503/504, a 429 or another "not now" is that, whatever its
    // body. A SOAP fault comes with a 500 (or a 4xx) and then refines it (auth, quota, a refusal).
    if (answer.status !== 500 && isRetryableHttpStatus(answer.status)) {
      throw classifyHttpStatus(answer.status, retryAfterMsOf(answer.headers, now().getTime()) ?? undefined);
    }
    const outcome = parseSoapResponse(operation, answer.text);
    if (outcome?.kind === "fault") {
      const fault = classifyFault(outcome.faultString, now());
      if (fault === "session_expired") throw new SessionExpired(outcome.faultString);
      throw fault;
    }
    if (answer.status < 200 || answer.status >= 300) throw classifyHttpStatus(answer.status);
    if (!outcome) {
      throw new ConnectorError("retryable", "unknown", {
        vendorDetail: `${operation}: answer is not a SOAP envelope (HTTP ${answer.status})`,
      });
    }
    return outcome.result;
  }

  async function authenticate(): Promise<string> {
    try {
      const result = await post("Authenticate", { accessKey });
      const sessionId = textOf(result);
      if (!sessionId) throw new ConnectorError("auth", "auth_failed", { vendorDetail: "empty session id" });
      return sessionId;
    } catch (error) {
      // A session fault while logging in means the key was refused.
      if (error instanceof SessionExpired)
        throw new ConnectorError("auth", "auth_failed", { vendorDetail: error.faultString });
      throw error;
    }
  }

  /**
   * The cached session, or a new one; concurrent callers share one Authenticate. `fresh`: always
   * log in anew. `replacing`: the session Yuki just refused — a newer one another call already
   * obtained is reused, the refused one never.
   */
  function session(options: { fresh?: boolean; replacing?: CachedSession } = {}): CachedSession {
    const cached = sessions.get(sessionKey);
    const isUsable = cached !== undefined && cached.expiresAt > Date.now() && cached !== options.replacing;
    if (cached && isUsable && !options.fresh) return cached;
    const entry: CachedSession = { sessionId: authenticate(), expiresAt: Date.now() + YUKI_SESSION_TTL_MS };
    sessions.delete(sessionKey);
    if (sessions.size >= MAX_CACHED_SESSIONS) {
      const oldest = sessions.keys().next().value;
      if (oldest !== undefined) sessions.delete(oldest);
    }
    sessions.set(sessionKey, entry);
    entry.sessionId.catch(() => {
      if (sessions.get(sessionKey) === entry) sessions.delete(sessionKey);
    });
    return entry;
  }

  /** Runs a session call; when Yuki refuses the session, authenticates once more and repeats it. */
  async function withSession<Op extends YukiOperation>(
    operation: Op,
    input: Omit<OperationInput<Op>, "sessionID">,
    options: { freshSession?: boolean } = {},
  ): Promise<XmlNode | undefined> {
    const call = async (sessionID: string) => post(operation, { ...input, sessionID } as OperationInput<Op>);
    const first = session({ fresh: options.freshSession });
    const firstId = await first.sessionId;
    try {
      return await call(firstId);
    } catch (error) {
      // Yuki's expired-session wording is not published; a refusal of a session that worked
      // before may also read "Authentication failed". Either way: log in anew, once.
      const isRefusedSession =
        error instanceof SessionExpired || (error instanceof ConnectorError && error.code === "auth_failed");
      if (!isRefusedSession) throw error;
    }
    const second = await session({ replacing: first }).sessionId;
    try {
      return await call(second);
    } catch (error) {
      // A session Yuki just issued and refuses at once: Yuki's trouble, not the key's.
      if (error instanceof SessionExpired)
        throw new ConnectorError("retryable", "server_error", {
          vendorDetail: `session refused twice: ${error.faultString}`,
        });
      throw error;
    }
  }

  function documentsIn(result: XmlNode | undefined): YukiDocument[] {
    return findElements(result, YUKI_RESULT_SHAPES.documentElements).flatMap((node) => {
      const id = fieldOf(node, YUKI_RESULT_SHAPES.documentIdFields);
      if (!id) return [];
      return [
        {
          id,
          fileName: fieldOf(node, ["FileName", "Filename"]),
          subject: fieldOf(node, ["Subject"]),
          folder: fieldOf(node, ["Folder", "FolderID"]),
        },
      ];
    });
  }

  return {
    /**
     * Administrations the key can reach. `freshSession`: log in anew first, so a connection test
     * proves the key itself and not a cached session.
     */
    async administrations(options: { freshSession?: boolean } = {}): Promise<YukiAdministration[]> {
      const result = await withSession("Administrations", {}, options);
      return findElements(result, ["Administration"]).flatMap((node) => {
        const id = fieldOf(node, ["@_ID", "@_Id", "ID"]);
        if (!id) return [];
        return [
          {
            id,
            name: fieldOf(node, ["Name"]) ?? id,
            city: fieldOf(node, ["City"]),
            vatNumber: fieldOf(node, ["VATNumber", "VatNumber"]),
          },
        ];
      });
    },

    /** The archive folders (binders) of the domain. */
    async documentFolders(): Promise<YukiFolder[]> {
      const result = await withSession("DocumentFolders", {});
      return findElements(result, YUKI_RESULT_SHAPES.folderElements).flatMap((node) => {
        const id = Number(fieldOf(node, YUKI_RESULT_SHAPES.folderIdFields));
        if (!Number.isSafeInteger(id)) return [];
        return [{ id, name: fieldOf(node, YUKI_RESULT_SHAPES.folderNameFields) ?? String(id) }];
      });
    },

    /** Stores one file in a folder of an administration; resolves with Yuki's document id. */
    async uploadDocument(input: { fileName: string; data: Uint8Array; folder: number; administrationId: string }) {
      const result = await withSession("UploadDocument", {
        fileName: input.fileName,
        data: input.data,
        folder: input.folder,
        administrationID: input.administrationId,
      });
      return documentIdOf("UploadDocument", result);
    },

    /** Stores a PDF with its UBL file as one document (Yuki's advice for PDF + UBL, reference §2.4). */
    async uploadDocumentWithAttachment(input: {
      fileName: string;
      data: Uint8Array;
      attachmentFileName: string;
      attachment: Uint8Array;
      folder: number;
      administrationId: string;
      extra: Pick<
        OperationInput<"UploadDocumentWithAttachment">,
        "currency" | "amount" | "costCategory" | "paymentMethod" | "project" | "remarks"
      >;
    }) {
      const result = await withSession("UploadDocumentWithAttachment", {
        fileName1: input.fileName,
        data1: input.data,
        fileName2: input.attachmentFileName,
        data2: input.attachment,
        folder: input.folder,
        administrationID: input.administrationId,
        ...input.extra,
      });
      return documentIdOf("UploadDocumentWithAttachment", result);
    },

    /** The document with this id, or null when Yuki does not return it. */
    async findDocument(documentId: string): Promise<YukiDocument | null> {
      try {
        const result = await withSession("FindDocument", { documentID: documentId });
        return documentsIn(result)[0] ?? null;
      } catch (error) {
        if (
          error instanceof ConnectorError &&
          error.code === "package_refused" &&
          YUKI_FAULT_PATTERNS.documentNotFound.test(error.vendorDetail ?? "")
        )
          return null;
        throw error;
      }
    },

    /**
     * Backoffice GetWorkflow: the administration's documents Yuki could not process automatically,
     * each with its reason as Yuki words it (element names per YUKI_RESULT_SHAPES, assumed).
     */
    async workflow(administrationId: string): Promise<YukiWorkflowItem[]> {
      const result = await withSession("GetWorkflow", { administrationID: administrationId });
      return findElements(result, YUKI_RESULT_SHAPES.workflowElements).flatMap((node) => {
        const documentId = fieldOf(node, YUKI_RESULT_SHAPES.workflowDocumentIdFields);
        if (!documentId) return [];
        return [{ documentId, reason: fieldOf(node, YUKI_RESULT_SHAPES.workflowReasonFields) }];
      });
    },

    /** Documents matching a text anywhere in the archive, newest first (see YUKI_IDEMPOTENCY_SEARCH). */
    async searchDocuments(searchText: string): Promise<YukiDocument[]> {
      const result = await withSession("SearchDocuments", { ...YUKI_IDEMPOTENCY_SEARCH, searchText });
      return documentsIn(result);
    },
  };
}

export type YukiClient = ReturnType<typeof createYukiClient>;

function documentIdOf(operation: YukiOperation, result: XmlNode | undefined): string {
  const id = textOf(result);
  // Stored or not, we cannot tell: the retry looks the file up before uploading again.
  if (!id) throw new ConnectorError("retryable", "unknown", { vendorDetail: `${operation} returned no document id` });
  return id;
}

/** Internal: the session was refused; withSession renews it once. */
class SessionExpired extends Error {
  constructor(readonly faultString: string) {
    super(`session expired: ${faultString}`);
    this.name = "SessionExpired";
  }
}
