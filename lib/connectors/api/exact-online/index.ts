import { ConnectorError, toConnectorError } from "../../errors";
import type { Connector, ConnectorContext, DeliveryReceipt } from "../../types";
import { POLL_LIMITS, PROPOSED_ENTRY_STATUS } from "./assumptions";
import {
  createdAnswerSchema,
  divisionsPageSchema,
  documentStatusAnswerSchema,
  idListAnswerSchema,
  meAnswerSchema,
} from "./client";
import {
  type ExactDossierSettings,
  type ExactSecrets,
  type ExactSettings,
  exactDeliveryThrottle,
  exactDossierSettingsSchema,
  exactSecretsSchema,
  exactSettingsSchema,
} from "./config";
import { attachmentPayload, divisionChoices, documentPayload, type ExactDivision, odataGuid, odataString } from "./map";
import { exactOAuth } from "./oauth";
import { exactRateLimiter } from "./rate-limit";
import { ExactSession } from "./session";
import { exactWebhook, subscribeMappedDivision, subscribeMappedDivisions } from "./webhook";

const DOCUMENTS = "documents/Documents";
const ATTACHMENTS = "documents/DocumentAttachments";
const DIVISIONS = "system/Divisions";
const ME = "Me";

/** Divisions are listed 60 per page; an office with more than this many pages is cut off here. */
const MAX_DIVISION_PAGES = 100;

/** The user's current division, from `GET current/Me` (a real, authenticated call). */
async function currentDivision(session: ExactSession): Promise<number> {
  const me = await session.get("current", ME, { $select: "CurrentDivision" }, meAnswerSchema);
  return (me.d.results[0] as { CurrentDivision: number }).CurrentDivision;
}

/** The Document an earlier try created for this reference, if any (by its Subject). */
async function findDocumentId(session: ExactSession, division: number, subject: string): Promise<string | null> {
  const found = await session.get(
    division,
    DOCUMENTS,
    { $filter: `Subject eq ${odataString(subject)}`, $select: "ID" },
    idListAnswerSchema,
  );
  return found.d.results[0]?.ID ?? null;
}

async function hasAttachment(session: ExactSession, division: number, documentId: string): Promise<boolean> {
  const found = await session.get(
    division,
    ATTACHMENTS,
    { $filter: `Document eq ${odataGuid(documentId)}`, $select: "ID" },
    idListAnswerSchema,
  );
  return found.d.results.length > 0;
}

type ExactContextOf = ConnectorContext<ExactSettings, ExactSecrets, ExactDossierSettings>;

type PollState = { packageReference: string; state: "pending" | "imported" | "rejected"; reason?: string };

/** A Document's ProposedEntryStatus read as our verdict (assumptions.ts PROPOSED_ENTRY_STATUS). */
export function verdictOf(proposedEntryStatus: number | null | undefined): PollState["state"] {
  if (proposedEntryStatus === PROPOSED_ENTRY_STATUS.value.rejected) return "rejected";
  if (proposedEntryStatus === PROPOSED_ENTRY_STATUS.value.processed) return "imported";
  return "pending";
}

/**
 * Asks Exact about Documents we created in one division, one GET by key each, through the
 * session's rate limiter; at most POLL_LIMITS.documentsPerRun, and it stops after
 * POLL_LIMITS.notFoundPerRun 404s (see assumptions.ts). References not asked about are not
 * reported: they stay pending. A failure after some answers keeps those answers; a failure
 * before any is thrown, so the run reports it.
 */
async function pollDocuments(ctx: ExactContextOf, packageReferences: string[]): Promise<PollState[]> {
  const division = ctx.dossierSettings?.division;
  if (!division) throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "no division" });
  const session = new ExactSession(ctx);
  const results: PollState[] = [];
  let notFound = 0;
  for (const packageReference of packageReferences.slice(0, POLL_LIMITS.documentsPerRun)) {
    let key: string;
    try {
      key = odataGuid(packageReference);
    } catch {
      continue; // Not a Document id of ours: nothing to ask.
    }
    try {
      const answer = await session.getByKey(
        division,
        DOCUMENTS,
        key,
        { $select: "ID,ProposedEntryStatus,FinancialTransactionEntryID" },
        documentStatusAnswerSchema,
      );
      results.push({ packageReference, state: verdictOf(answer.d.ProposedEntryStatus) });
    } catch (error) {
      const failure = toConnectorError(error);
      // 404 on a Document: deleted in Exact (or the division is gone). Pending; a few per run at most.
      if (failure.code === "unknown_target" && ++notFound < POLL_LIMITS.notFoundPerRun) continue;
      if (failure.code === "unknown_target" || results.length > 0) break;
      throw failure;
    }
  }
  return results;
}

/**
 * Exact Online over its REST API (reference §3; every assumption in assumptions.ts, listed on
 * docs/integrations/exact-online.md). The connection is made by OAuth (see oauth.ts); a dossier
 * picks its division. A delivery creates a Document (Type 20 purchase, 10 sales, other per
 * assumptions.ts) whose Subject carries the dispatch id, then its DocumentAttachment with the
 * file. A try that may follow an earlier one (ctx.isFirstTry false) first looks the Document and
 * its attachment up by that Subject and creates only what is missing, so a lost answer never
 * leads to a second Document.
 */
export const exactOnlineConnector = {
  id: "exact-online",
  channel: "api",
  settingsSchema: exactSettingsSchema,
  secretsSchema: exactSecretsSchema,
  dossierSettingsSchema: exactDossierSettingsSchema,
  oauth: exactOAuth,
  /** One bucket per app, country instance and division: Exact's limits are per app and division. */
  deliveryThrottle: exactDeliveryThrottle,

  /** GET current/Me with the stored grant (refreshing it when due). */
  async check(ctx) {
    const checkedAt = new Date();
    try {
      await currentDivision(new ExactSession(ctx));
      return { ok: true, checkedAt };
    } catch (error) {
      return { ok: false, checkedAt, error: toConnectorError(error) };
    }
  },

  /** The divisions the connection's Exact user sees, as choices for the dossier's `division`. */
  async listDossierChoices(ctx) {
    const session = new ExactSession(ctx);
    const current = await currentDivision(session);
    const divisions: ExactDivision[] = [];
    let page = await session.get(
      current,
      DIVISIONS,
      { $select: "Code,Description,VATNumber,Status" },
      divisionsPageSchema,
    );
    for (let pages = 1; ; pages++) {
      divisions.push(...page.d.results);
      const next = page.d.__next;
      if (!next || pages >= MAX_DIVISION_PAGES) break;
      page = await session.getNext(current, DIVISIONS, next, divisionsPageSchema);
    }
    return { division: divisionChoices(divisions) };
  },

  /** Document, then its attachment; on a repeated try only what is missing. */
  async deliver(ctx, document, file) {
    // One attachment per Document: a retry finds what is missing by "has an attachment" (above),
    // which a second file would make ambiguous. A UBL companion (file.companion) is not sent;
    // the catalog gives Exact UBL e-invoices as "pdf", so none comes (lib/ubl/delivery-file.ts).
    const division = ctx.dossierSettings?.division;
    if (!division) throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: "no division" });
    const session = new ExactSession(ctx);
    const payload = documentPayload(document, ctx.idempotencyKey);
    const receipt = (documentId: string, isAlreadyThere: boolean): DeliveryReceipt => ({
      packageReference: documentId,
      target: { division, isAlreadyThere },
    });

    let documentId = ctx.isFirstTry ? null : await findDocumentId(session, division, payload.Subject);
    const isDocumentThere = documentId !== null;
    if (documentId === null) {
      documentId = (await session.post(division, DOCUMENTS, payload, createdAnswerSchema)).d.ID;
    } else if (await hasAttachment(session, division, documentId)) {
      return receipt(documentId, true);
    }
    await session.post(
      division,
      ATTACHMENTS,
      attachmentPayload(documentId, document, file.content),
      createdAnswerSchema,
    );
    return receipt(documentId, isDocumentThere);
  },

  /**
   * Read-back (reference §3.5): each Document's ProposedEntryStatus in the division the read-back
   * names (the dossier settings the documents were sent with): 5 → rejected, 50 → imported (booked),
   * anything else → pending. Exact gives no reason with status 5; the user reads our own text.
   * Exact's webhooks (webhook.ts) only say that a Document changed; they lead here too.
   */
  pollStatus: pollDocuments,

  /** Exact's signed notifications about Documents (webhook.ts): each names one Document to read back. */
  webhook: exactWebhook,
  /** Subscribes the new dossier's division to Document changes (webhook.ts). */
  afterDossierMapped: subscribeMappedDivision,
  /** Subscribes the divisions mapped before a webhook secret or a grant was there (webhook.ts). */
  afterConnectionSaved: subscribeMappedDivisions,
} satisfies Connector<typeof exactSettingsSchema, typeof exactSecretsSchema, typeof exactDossierSettingsSchema>;

/** Forgets the process's rate-limit and error-breaker state (tests, benches). */
export function resetExactRateLimits(): void {
  exactRateLimiter().reset();
}
