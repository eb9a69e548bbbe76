import { describe, expect, it } from "vitest";
import {
  msUntilRecognitionViewChanges,
  RECOGNITION_PENDING_MS,
  recognitionPendingUntil,
  recognitionViewOf,
} from "@/lib/recognition/pending";

// An upload without a type is "being recognised" only while the office's recognition step is
// expected to report it: the office has one, and the document is younger than 15 minutes.

const ARRIVED = new Date("2026-12-06T10:00:00Z");
const at = (ms: number) => new Date(ARRIVED.getTime() + ms);
const MINUTE = 60_000;
const untyped = { documentType: null, createdAt: ARRIVED };
const typed = { documentType: "receipt", createdAt: ARRIVED };

describe("recognitionViewOf", () => {
  it("is pending for a fresh untyped document in an office with a recognition step", () => {
    expect(recognitionViewOf(untyped, { hasRecognitionStep: true, now: ARRIVED })).toBe("pending");
    expect(recognitionViewOf(untyped, { hasRecognitionStep: true, now: at(14 * MINUTE) })).toBe("pending");
    expect(recognitionViewOf(untyped, { hasRecognitionStep: true, now: at(RECOGNITION_PENDING_MS - 1) })).toBe(
      "pending",
    );
  });

  it("asks for a type from the 15th minute on", () => {
    expect(RECOGNITION_PENDING_MS).toBe(15 * MINUTE);
    expect(recognitionViewOf(untyped, { hasRecognitionStep: true, now: at(RECOGNITION_PENDING_MS) })).toBe("pickType");
    expect(recognitionViewOf(untyped, { hasRecognitionStep: true, now: at(3 * 24 * 60 * MINUTE) })).toBe("pickType");
  });

  it("asks for a type at once when the office has no recognition step", () => {
    expect(recognitionViewOf(untyped, { hasRecognitionStep: false, now: ARRIVED })).toBe("pickType");
    expect(recognitionViewOf(untyped, { hasRecognitionStep: false, now: at(MINUTE) })).toBe("pickType");
  });

  it("asks for a type at once for an e-invoice the XML left untyped: the recognition step never reports it", () => {
    const view = recognitionViewOf({ ...untyped, isEInvoice: true }, { hasRecognitionStep: true, now: at(MINUTE) });
    expect(view).toBe("pickType");
  });

  it("is recognised whenever the document has a type", () => {
    for (const hasRecognitionStep of [true, false]) {
      expect(recognitionViewOf(typed, { hasRecognitionStep, now: ARRIVED })).toBe("recognised");
      expect(recognitionViewOf(typed, { hasRecognitionStep, now: at(RECOGNITION_PENDING_MS) })).toBe("recognised");
    }
  });

  it("counts a document stamped a little ahead of the clock as fresh", () => {
    expect(recognitionViewOf(untyped, { hasRecognitionStep: true, now: at(-MINUTE) })).toBe("pending");
  });
});

describe("recognitionPendingUntil", () => {
  it("is 15 minutes after arrival, only for an untyped document in an office with a step", () => {
    expect(recognitionPendingUntil(untyped, { hasRecognitionStep: true })).toEqual(at(RECOGNITION_PENDING_MS));
    expect(recognitionPendingUntil(untyped, { hasRecognitionStep: false })).toBeNull();
    expect(recognitionPendingUntil(typed, { hasRecognitionStep: true })).toBeNull();
  });
});

describe("msUntilRecognitionViewChanges", () => {
  it("is the time left for the pending document that turns first", () => {
    const older = { documentType: null, createdAt: at(-10 * MINUTE) };
    const newer = { documentType: null, createdAt: at(-2 * MINUTE) };
    const context = { hasRecognitionStep: true, now: ARRIVED };
    expect(msUntilRecognitionViewChanges([newer, typed, older], context)).toBe(5 * MINUTE);
  });

  it("is null when nothing is pending: no step, only typed documents, or all too old", () => {
    expect(msUntilRecognitionViewChanges([untyped], { hasRecognitionStep: false, now: ARRIVED })).toBeNull();
    expect(msUntilRecognitionViewChanges([typed], { hasRecognitionStep: true, now: ARRIVED })).toBeNull();
    expect(
      msUntilRecognitionViewChanges([untyped], { hasRecognitionStep: true, now: at(RECOGNITION_PENDING_MS) }),
    ).toBeNull();
    expect(msUntilRecognitionViewChanges([], { hasRecognitionStep: true, now: ARRIVED })).toBeNull();
  });
});
