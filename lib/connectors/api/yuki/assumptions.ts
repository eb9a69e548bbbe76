/**
 * Everything the Yuki connector relies on that Yuki does not publish, or that we only know from
 * public client code, in one place (../shared/reference/connectors.md §2 is the source; [V] there
 * = verified, [I]/[?] = assumed). docs/integrations/yuki.md lists each entry by its id, and a unit
 * test keeps the two in step. When a customer confirms or corrects one, change it here.
 */

export type AssumptionStatus = "verified" | "assumed";

export type YukiAssumption = {
  /** Stable id, quoted on the docs page. */
  id: string;
  status: AssumptionStatus;
  /** What we rely on, in one sentence. */
  statement: string;
  /** What a customer (or a first real run) must confirm; empty for verified facts. */
  toConfirm?: string;
};

/**
 * SOAP fault texts we recognise (faultstring, matched case-insensitively). The first three are
 * quoted in public client code written against the live service; the others are our guess at
 * wording Yuki never published, kept broad on purpose.
 */
export const YUKI_FAULT_PATTERNS = {
  authenticationFailed:
    /authentication failed|invalid (web ?service ?)?access ?key|access ?key (is )?(invalid|not valid)/i,
  administrationNotFound: /administration not found/i,
  noActiveDatabase: /domain has no active database/i,
  quotaExceeded:
    /(quota|limit|maximum number of (api )?(calls|requests))[^.]*(exceed|reached|used up)|too many (api )?(calls|requests) (today|per day)/i,
  sessionExpired:
    /session[^.]*(expired|invalid|not valid|unknown|does not exist|not found)|(invalid|unknown|expired) session/i,
  documentNotFound: /document[^.]*not found|no document/i,
} as const;

/** Sessions are reused this long (clients report ~24 h; Yuki does not document it). */
export const YUKI_SESSION_TTL_MS = 20 * 60 * 60 * 1000;

/**
 * How a retry finds an upload whose answer was lost: SearchDocuments over every folder and tab
 * (a back office may already have moved it out of the upload folder), newest first, for the
 * reference token our file name carries; the results are then matched on the file name (or
 * subject) containing the token. Parameter order and the -1 / 0001-01-01 sentinels are verified;
 * that option "All" matches the file name is not.
 */
export const YUKI_IDEMPOTENCY_SEARCH = {
  searchOption: "All",
  folderID: -1,
  tabID: -1,
  sortOrder: "CreatedDesc",
  startDate: "0001-01-01T00:00:00",
  endDate: "0001-01-01T00:00:00",
  numberOfRecords: 25,
  startRecord: 1,
} as const;

/**
 * The extra fields UploadDocumentWithAttachment requires in its WSDL sequence. We send "no data"
 * so Yuki's own recognition fills them in from the PDF and the UBL file.
 */
export const YUKI_ATTACHMENT_DEFAULTS = {
  currency: "EUR",
  amount: 0,
  costCategory: "",
  paymentMethod: 0,
  project: "",
  remarks: "",
} as const;

/** Element names read from XmlNode results whose shape Yuki does not publish. */
export const YUKI_RESULT_SHAPES = {
  /** DocumentFolders: one element per folder, its number as ID attribute or child, its name as Description or Name. */
  folderElements: ["Folder", "DocumentFolder"],
  folderIdFields: ["@_ID", "@_Id", "ID", "Id", "FolderID"],
  folderNameFields: ["Description", "Name", "#text"],
  /** FindDocument / SearchDocuments: <Document ID="…"> with FileName, Subject, Folder children. */
  documentElements: ["Document"],
  documentIdFields: ["@_ID", "@_Id", "ID", "Id"],
  /** GetWorkflow: one item per document Yuki could not process, with the document's id and Yuki's reason. */
  workflowElements: ["Item", "WorkflowItem"],
  workflowDocumentIdFields: ["DocumentID", "DocumentId", "@_DocumentID", "@_ID", "ID"],
  workflowReasonFields: ["Reason", "Description", "Remarks", "Message"],
} as const;

/** pollStatus asks about at most this many references per call (each costs one API call of the daily quota). */
export const YUKI_POLL_BATCH = 50;

export const YUKI_ASSUMPTIONS: readonly YukiAssumption[] = [
  {
    id: "hosts",
    status: "verified",
    statement:
      "SOAP 1.1 services at https://api.yukiworks.<be|nl>/ws/<Service>.asmx; SOAPAction is http://www.theyukicompany.com/<Operation>.",
  },
  {
    id: "region",
    status: "verified",
    statement:
      "An administration only exists on its own region's host: a key authenticates on the other host but every data call faults with 'Domain has no active database'.",
  },
  {
    id: "wsdl-order",
    status: "assumed",
    statement:
      "ASMX checks the order of the parameters against the WSDL sequence, so envelopes are written in WSDL order (the orders themselves are verified from a WSDL-generated client).",
  },
  {
    id: "faults",
    status: "verified",
    statement: "Faults read 'Authentication failed', 'Administration not found' and 'Domain has no active database'.",
  },
  {
    id: "session-lifetime",
    status: "assumed",
    statement:
      "A session id stays valid for about 24 hours; Koppel reuses it for 20 hours and re-authenticates once when a call faults with an expired or invalid session.",
    toConfirm: "The wording of Yuki's expired-session fault (we match 'session … expired/invalid').",
  },
  {
    id: "quota",
    status: "assumed",
    statement:
      "The daily limit (1,000 calls by default) is reported as a fault mentioning a quota or limit being exceeded, and resets at midnight UTC.",
    toConfirm: "The fault text when the limit is reached, and whether the day ends at midnight UTC or Dutch time.",
  },
  {
    id: "document-folders",
    status: "assumed",
    statement:
      "DocumentFolders returns one Folder element per archive folder, with its number as ID (attribute or child) and its name as Description (or Name).",
    toConfirm: "That the folder list in the dossier's picker shows Yuki's folder names.",
  },
  {
    id: "folder-numbers",
    status: "assumed",
    statement:
      "Folder numbers are not public (public code suggests 0–8 and 100–102, the HTTP upload defaults to 7); Koppel never hard-codes them and asks the accountant to map each category.",
  },
  {
    id: "idempotency-search",
    status: "assumed",
    statement:
      "After an unclear try, SearchDocuments with option 'All', every folder and tab (-1) and no date range (0001-01-01) finds an upload by the reference in its file name.",
    toConfirm: "That a search for the reference printed in the file name finds the uploaded document.",
  },
  {
    id: "document-shape",
    status: "assumed",
    statement:
      "FindDocument and SearchDocuments return Document elements with an ID attribute and FileName, Subject and Folder children.",
  },
  {
    id: "read-back",
    status: "assumed",
    statement:
      "A document FindDocument returns counts as imported (Yuki holds it in its archive); one it does not return stays pending.",
  },
  {
    id: "rejections",
    status: "assumed",
    statement:
      "Backoffice GetWorkflow(sessionID, administrationID) lists the documents Yuki could not process automatically; one of ours on that list counts as rejected, with the item's Reason (or Description) as Yuki's words. Koppel asks it once per administration per read-back, before FindDocument.",
    toConfirm:
      "The element names of a GetWorkflow item (we read Item/WorkflowItem with DocumentID and Reason), and whether a document Yuki has archived can still land on the workflow list later (Koppel only asks about documents not yet read back as imported).",
  },
  {
    id: "attachment-defaults",
    status: "assumed",
    statement:
      "UploadDocumentWithAttachment (PDF plus UBL) accepts 'no data' for its extra fields: currency EUR, amount 0, payment method 0 (unknown), empty cost category, project and remarks.",
    toConfirm: "That Yuki reads amount and supplier from the UBL file rather than from these empty fields.",
  },
] as const;
