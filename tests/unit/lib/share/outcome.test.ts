import { describe, expect, it } from "vitest";
import {
  isShareNotice,
  parseShareOutcome,
  SHARE_NOTICES,
  shareNoticePath,
  shareOutcomeQuery,
} from "@/lib/share/outcome";

const searchOf = (query: string) => {
  const search: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const previous = search[key];
    search[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return search;
};

describe("the outcome of a share in the dossier's URL", () => {
  it("carries how many files arrived and each refusal's message key, never a file name", () => {
    const query = shareOutcomeQuery([
      { ok: true },
      { ok: false, messageKey: "upload.tooLarge" },
      { ok: true },
      { ok: false, messageKey: "upload.empty" },
    ]);
    expect(query).toBe("shared=2&refused=upload.tooLarge&refused=upload.empty");
    expect(parseShareOutcome(searchOf(query))).toEqual({ received: 2, refused: ["upload.tooLarge", "upload.empty"] });
    expect(parseShareOutcome(searchOf(shareOutcomeQuery([{ ok: true }])))).toEqual({ received: 1, refused: [] });
  });

  it("is absent from a dossier page not reached by a share", () => {
    expect(parseShareOutcome({})).toBeNull();
    expect(parseShareOutcome({ tab: "sent" })).toBeNull();
    expect(parseShareOutcome({ shared: "many" })).toBeNull();
    expect(parseShareOutcome({ shared: ["1", "2"] })).toBeNull();
  });

  it("lets nothing typed into the URL through but bounded counts and key-shaped refusals", () => {
    expect(parseShareOutcome({ shared: "999" })).toBeNull();
    expect(
      parseShareOutcome({ shared: "0", refused: ["<script>", "upload.empty", "a b", "x".repeat(101), ".x"] }),
    ).toEqual({ received: 0, refused: ["upload.empty"] });
    expect(parseShareOutcome({ shared: "0", refused: Array(50).fill("upload.empty") })?.refused).toHaveLength(20);
  });
});

describe("share notices", () => {
  it("each has its page, and nothing else is one", () => {
    for (const notice of SHARE_NOTICES) {
      expect(isShareNotice(notice)).toBe(true);
      expect(shareNoticePath(notice)).toBe(`/share/notice/${notice}`);
    }
    expect(isShareNotice("constructor")).toBe(false);
    expect(isShareNotice("../x")).toBe(false);
  });
});
