import { createHash, randomBytes } from "node:crypto";

/**
 * An API key: "kop_" and 32 random bytes in base62 (43 characters). Only its SHA-256 is stored:
 * 256 random bits need no slow hash, and a lookup by hash stays one index probe.
 */
export const API_KEY_PREFIX = "kop_";
const RANDOM_BYTES = 32;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 62^43 > 2^256: every 32-byte value fits, written at full length so all keys are as long. */
const BASE62_LENGTH = 43;
/** Characters shown to tell keys apart: the prefix and 8 more (about 48 bits, never enough to guess). */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export const API_KEY_PATTERN = /^kop_[0-9A-Za-z]{43}$/;

function toBase62(bytes: Buffer): string {
  let value = BigInt(`0x${bytes.toString("hex")}`);
  let text = "";
  for (let index = 0; index < BASE62_LENGTH; index += 1) {
    text = BASE62[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text;
}

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${toBase62(randomBytes(RANDOM_BYTES))}`;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function displayPrefixOf(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}
