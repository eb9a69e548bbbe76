import { describe, expect, it } from "vitest";
import { parseRangeHeader, RangeNotSatisfiableError, resolveByteRange } from "@/lib/storage/byte-range";

describe("parseRangeHeader", () => {
  it.each([
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=100-", { start: 100 }],
    ["bytes=-500", { suffixLength: 500 }],
    ["bytes=-0", { suffixLength: 0 }],
    [" bytes=7-7 ", { start: 7, end: 7 }],
  ])("reads %j", (header, range) => {
    expect(parseRangeHeader(header)).toEqual(range);
  });

  it.each([
    null,
    "",
    "bytes=",
    "bytes=-",
    "bytes=0-1,5-9",
    "bytes=9-5",
    "bytes=a-b",
    "items=0-9",
    "bytes=0-99999999999999999999",
  ])("ignores %j (the whole file is sent)", (header) => {
    expect(parseRangeHeader(header)).toBeNull();
  });
});

describe("resolveByteRange", () => {
  it("stops at the last byte and takes a long suffix as the whole file", () => {
    expect(resolveByteRange({ start: 5, end: 50 }, 10)).toEqual({ start: 5, end: 9 });
    expect(resolveByteRange({ start: 9 }, 10)).toEqual({ start: 9, end: 9 });
    expect(resolveByteRange({ suffixLength: 3 }, 10)).toEqual({ start: 7, end: 9 });
    expect(resolveByteRange({ suffixLength: 30 }, 10)).toEqual({ start: 0, end: 9 });
  });

  it("selects nothing past the end, for an empty suffix, or in an empty file", () => {
    for (const [range, size] of [
      [{ start: 10 }, 10],
      [{ suffixLength: 0 }, 10],
      [{ start: 0 }, 0],
      [{ suffixLength: 4 }, 0],
    ] as const) {
      expect(() => resolveByteRange(range, size)).toThrow(RangeNotSatisfiableError);
    }
  });
});
