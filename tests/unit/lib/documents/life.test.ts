import { describe, expect, it } from "vitest";
import {
  canArchive,
  canChangeType,
  canDelete,
  canSend,
  canUnarchive,
  type DocumentLifeState,
} from "@/lib/documents/rules";

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
      expect(canSend(doc({ status, documentType: null }))).toEqual({ allowed: false, reason: "notRecognised" });
    }
    expect(canSend(doc({ documentType: "purchase_invoice" }))).toEqual({ allowed: true });
  });

  it("sent → cannot be sent again", () => {
    expect(canSend(doc({ status: "sent" }))).toEqual({ allowed: false, reason: "alreadySent" });
    expect(canSend(doc({ status: "sent", archivedAt: ARCHIVED_AT }))).toMatchObject({ allowed: false });
  });

  it("sent → cannot be deleted", () => {
    expect(canDelete(doc({ status: "sent" }))).toEqual({ allowed: false, reason: "sentNoDelete" });
    expect(canDelete(doc({ status: "sent", archivedAt: ARCHIVED_AT }))).toEqual({
      allowed: false,
      reason: "sentNoDelete",
    });
  });

  it("sent → its type cannot change", () => {
    expect(canChangeType(doc({ status: "sent" }))).toEqual({ allowed: false, reason: "sentNoTypeChange" });
  });

  it("sent → can be archived and un-archived", () => {
    const sent = doc({ status: "sent" });
    expect(canArchive(sent)).toEqual({ allowed: true });
    const archived = { ...sent, archivedAt: ARCHIVED_AT };
    expect(canUnarchive(archived)).toEqual({ allowed: true });
    expect(canArchive(archived)).toEqual({ allowed: false, reason: "alreadyArchived" });
    expect(canUnarchive(sent)).toEqual({ allowed: false, reason: "notArchived" });
  });

  it("archive exists only for sent documents", () => {
    for (const status of STATUSES.filter((status) => status !== "sent")) {
      expect(canArchive(doc({ status }))).toEqual({ allowed: false, reason: "archiveOnlySent" });
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
    expect(canSend(sending)).toEqual({ allowed: false, reason: "sending" });
    expect(canDelete(sending)).toEqual({ allowed: false, reason: "sending" });
    expect(canChangeType(sending)).toEqual({ allowed: false, reason: "sending" });
  });
});
