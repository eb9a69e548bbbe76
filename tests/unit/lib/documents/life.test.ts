import { describe, expect, it } from "vitest";
import {
  canArchive,
  canChangeType,
  canConfirmNotDuplicate,
  canDelete,
  canSend,
  canUnarchive,
  type DocumentLifeState,
  LIFE_RULES,
} from "@/lib/documents/life";
import { changeRefusalMessageKey, DOCUMENT_CHANGES, DOCUMENT_REFUSALS, SEND_REFUSALS } from "@/lib/documents/refusals";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

// One test per rule of "Document life" (design map) and issue 4.

const ARCHIVED_AT = new Date("2026-03-01T10:00:00Z");
const doc = (state: Partial<DocumentLifeState>): DocumentLifeState => ({
  status: "inbox",
  documentType: "purchase_invoice",
  archivedAt: null,
  ...state,
});
const STATUSES = ["inbox", "sending", "sent", "failed", "rejected"] as const;

describe("document-life rules", () => {
  it("not recognised → cannot be sent", () => {
    for (const status of ["inbox", "failed", "rejected"] as const) {
      expect(canSend(doc({ status, documentType: null }))).toEqual({ allowed: false, reason: "not_recognised" });
    }
    expect(canSend(doc({ documentType: "purchase_invoice" }))).toEqual({ allowed: true });
  });

  it("sent → cannot be sent again", () => {
    expect(canSend(doc({ status: "sent" }))).toEqual({ allowed: false, reason: "already_sent" });
    expect(canSend(doc({ status: "sent", archivedAt: ARCHIVED_AT }))).toMatchObject({ allowed: false });
  });

  it("sent → cannot be deleted", () => {
    expect(canDelete(doc({ status: "sent" }))).toEqual({ allowed: false, reason: "already_sent" });
    expect(canDelete(doc({ status: "sent", archivedAt: ARCHIVED_AT }))).toEqual({
      allowed: false,
      reason: "already_sent",
    });
  });

  it("sent → its type cannot change", () => {
    expect(canChangeType(doc({ status: "sent" }))).toEqual({ allowed: false, reason: "already_sent" });
  });

  it("sent → can be archived and un-archived", () => {
    const sent = doc({ status: "sent" });
    expect(canArchive(sent)).toEqual({ allowed: true });
    const archived = { ...sent, archivedAt: ARCHIVED_AT };
    expect(canUnarchive(archived)).toEqual({ allowed: true });
    expect(canArchive(archived)).toEqual({ allowed: false, reason: "already_archived" });
    expect(canUnarchive(sent)).toEqual({ allowed: false, reason: "not_archived" });
  });

  it("archive exists only for sent documents", () => {
    for (const status of STATUSES.filter((status) => status !== "sent")) {
      expect(canArchive(doc({ status }))).toEqual({ allowed: false, reason: "not_sent" });
    }
    expect(canArchive(doc({ status: "inbox", documentType: null }))).toMatchObject({ allowed: false });
  });

  it("inbox, failed and rejected documents may be deleted", () => {
    for (const status of ["inbox", "failed", "rejected"] as const) {
      expect(canDelete(doc({ status }))).toEqual({ allowed: true });
      expect(canDelete(doc({ status, documentType: null }))).toEqual({ allowed: true });
    }
  });

  it("inbox, failed and rejected documents may be re-typed", () => {
    for (const status of ["inbox", "failed", "rejected"] as const) {
      expect(canChangeType(doc({ status }))).toEqual({ allowed: true });
      expect(canChangeType(doc({ status, documentType: null }))).toEqual({ allowed: true });
    }
  });

  it("failed → can be retried", () => {
    expect(canSend(doc({ status: "failed" }))).toEqual({ allowed: true });
  });

  it("rejected → can be sent again after correction (a new type, then send)", () => {
    const rejected = doc({ status: "rejected", documentType: "purchase_invoice" });
    expect(canChangeType(rejected)).toEqual({ allowed: true });
    const corrected = { ...rejected, documentType: "purchase_credit_note" as const };
    expect(canSend(corrected)).toEqual({ allowed: true });
  });

  it("a document on its way (sending) cannot be sent, deleted or re-typed until it ends", () => {
    const sending = doc({ status: "sending" });
    expect(canSend(sending)).toEqual({ allowed: false, reason: "already_sending" });
    expect(canDelete(sending)).toEqual({ allowed: false, reason: "already_sending" });
    expect(canChangeType(sending)).toEqual({ allowed: false, reason: "already_sending" });
  });

  it("held as a possible duplicate → cannot be sent, until a person confirms it is different", () => {
    const held = doc({ possibleDuplicateOf: "5f0c3a4e-0000-4000-8000-000000000001" });
    expect(canSend(held)).toEqual({ allowed: false, reason: "possible_duplicate" });
    expect(canSend(doc({ status: "failed", possibleDuplicateOf: held.possibleDuplicateOf }))).toEqual({
      allowed: false,
      reason: "possible_duplicate",
    });
    expect(canConfirmNotDuplicate(held)).toEqual({ allowed: true });
    expect(canDelete(held)).toEqual({ allowed: true });
    expect(canChangeType(held)).toEqual({ allowed: true });
    expect(canSend({ ...held, possibleDuplicateOf: null })).toEqual({ allowed: true });
    expect(canConfirmNotDuplicate(doc({}))).toEqual({ allowed: false, reason: "not_held" });
  });
});

describe("refusal codes and their messages", () => {
  const everyState: DocumentLifeState[] = STATUSES.flatMap((status) =>
    [null, ARCHIVED_AT].flatMap((archivedAt) =>
      [null, "purchase_invoice" as const].flatMap((documentType) =>
        [null, ARCHIVED_AT].flatMap((importedAt) =>
          [null, "5f0c3a4e-0000-4000-8000-000000000001"].map((possibleDuplicateOf) => ({
            status,
            archivedAt,
            documentType,
            importedAt,
            possibleDuplicateOf,
          })),
        ),
      ),
    ),
  );
  const RULE_OF_CHANGE = {
    type: LIFE_RULES.changeType,
    delete: LIFE_RULES.delete,
    archive: LIFE_RULES.archive,
    unarchive: LIFE_RULES.unarchive,
    confirmNotDuplicate: LIFE_RULES.confirmNotDuplicate,
  } as const;
  const messageAt = (locale: (typeof LOCALES)[number], key: string): unknown =>
    key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], MESSAGES[locale]);

  it("every refusal any rule gives, in any state, is one of the closed set", () => {
    for (const rule of Object.values(LIFE_RULES)) {
      for (const state of everyState) {
        const refusal = rule.refusal(state);
        if (refusal !== null) expect(DOCUMENT_REFUSALS).toContain(refusal);
      }
    }
  });

  it("a send only ever refuses with a send refusal", () => {
    for (const state of everyState) {
      const refusal = LIFE_RULES.send.refusal(state);
      if (refusal !== null) expect(SEND_REFUSALS).toContain(refusal);
    }
  });

  it.each(LOCALES)("every refusal a person's change can meet has its own %s message", (locale) => {
    const missing: string[] = [];
    for (const change of DOCUMENT_CHANGES) {
      const refusals = new Set(everyState.map((state) => RULE_OF_CHANGE[change].refusal(state)));
      // A lost race answers state_changed (the generic conflict message).
      refusals.add("state_changed");
      for (const refusal of refusals) {
        if (refusal === null) continue;
        const key = `errors.${changeRefusalMessageKey(change, refusal)}`;
        if (typeof messageAt(locale, key) !== "string") missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  it("words the same code for the change it refuses", () => {
    expect(changeRefusalMessageKey("delete", "already_sent")).toBe("document.delete.already_sent");
    expect(changeRefusalMessageKey("type", "already_sent")).toBe("document.type.already_sent");
    expect(MESSAGES.nl.errors.document.delete.already_sent).not.toBe(MESSAGES.nl.errors.document.type.already_sent);
    expect(changeRefusalMessageKey("archive", "state_changed")).toBe("conflict");
  });
});
