/**
 * One range of a file's bytes, as a `Range: bytes=…` request asks for it: from `start` to `end`
 * (inclusive; to the last byte without one), or the last `suffixLength` bytes. Only the size of the
 * file tells which bytes that is (resolveByteRange).
 */
export type ByteRange = { start: number; end?: number } | { suffixLength: number };

/** The bytes a range selects, both ends inclusive, as Content-Range writes them. */
export type ResolvedByteRange = { start: number; end: number };

/** No byte of the file is in the range asked for (416, with the file's size). */
export class RangeNotSatisfiableError extends Error {
  constructor(readonly size: number) {
    super(`range not satisfiable for a file of ${size} bytes`);
    this.name = "RangeNotSatisfiableError";
  }
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * A `Range` header's single byte range, or null when there is none to honour: no header, another
 * unit, several ranges, or one that is malformed. RFC 9110 (14.2) lets a server ignore those and
 * send the whole file, which is simpler and safer than a multipart/byteranges answer.
 */
export function parseRangeHeader(value: string | null): ByteRange | null {
  const match = value ? SINGLE_RANGE.exec(value.trim()) : null;
  if (!match) return null;
  const [, first, last] = match;
  if (first === "" && last === "") return null;
  const start = first === "" ? null : Number(first);
  const end = last === "" ? null : Number(last);
  if ((start !== null && !Number.isSafeInteger(start)) || (end !== null && !Number.isSafeInteger(end))) return null;
  if (start === null) return { suffixLength: end as number };
  if (end === null) return { start };
  return end < start ? null : { start, end };
}

/**
 * The bytes `range` selects in a file of `size` bytes: an end past the file stops at its last
 * byte, a suffix longer than the file is the whole file. A range that starts past the end, an
 * empty suffix, and any range of an empty file select nothing: RangeNotSatisfiableError.
 */
export function resolveByteRange(range: ByteRange, size: number): ResolvedByteRange {
  if ("suffixLength" in range) {
    if (range.suffixLength === 0 || size === 0) throw new RangeNotSatisfiableError(size);
    return { start: Math.max(0, size - range.suffixLength), end: size - 1 };
  }
  if (range.start >= size) throw new RangeNotSatisfiableError(size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}
