import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { API_KEY_PATTERN, API_KEY_PREFIX, displayPrefixOf, generateApiKey, hashApiKey } from "@/lib/api-keys/key";

describe("generateApiKey", () => {
  it('is "kop_" and 43 base62 characters, 47 in all', () => {
    const key = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key).toHaveLength(47);
    expect(key).toMatch(/^kop_[0-9A-Za-z]{43}$/);
    expect(API_KEY_PATTERN.test(key)).toBe(true);
  });

  it("gives 1000 different keys in 1000 calls, every one of full length", () => {
    const keys = Array.from({ length: 1000 }, generateApiKey);
    expect(new Set(keys).size).toBe(1000);
    for (const key of keys) expect(key).toMatch(API_KEY_PATTERN);
    // 32 random bytes spread over all 62 characters: a broken encoder (one character repeated, a
    // short alphabet) would leave many unused.
    const used = new Set(keys.flatMap((key) => [...key.slice(API_KEY_PREFIX.length)]));
    expect(used.size).toBe(62);
  });
});

describe("API_KEY_PATTERN", () => {
  it.each([
    ["another prefix", `kep_${"a".repeat(43)}`],
    ["one character short", `kop_${"a".repeat(42)}`],
    ["one character long", `kop_${"a".repeat(44)}`],
    ["not base62", `kop_${"a".repeat(42)}-`],
    ["surrounding space", ` kop_${"a".repeat(43)}`],
  ])("refuses %s", (_case, value) => {
    expect(API_KEY_PATTERN.test(value)).toBe(false);
  });
});

describe("hashApiKey", () => {
  it("is the SHA-256 of the key in hex, the same every time", () => {
    const key = generateApiKey();
    const hash = hashApiKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hash);
    expect(hash).toBe(createHash("sha256").update(key).digest("hex"));
  });

  it("differs for keys that differ in one character", () => {
    const key = `kop_${"a".repeat(43)}`;
    expect(hashApiKey(key)).not.toBe(hashApiKey(`${key.slice(0, -1)}b`));
  });
});

describe("displayPrefixOf", () => {
  it('is "kop_" and the next 8 characters, the start of the key', () => {
    const key = generateApiKey();
    const prefix = displayPrefixOf(key);
    expect(prefix).toHaveLength(12);
    expect(prefix).toMatch(/^kop_[0-9A-Za-z]{8}$/);
    expect(key.startsWith(prefix)).toBe(true);
  });
});
