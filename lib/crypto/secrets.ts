import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env, secretFromEnvOrDataDir } from "@/lib/env";

/**
 * The only place that encrypts and decrypts credentials (FTP passwords, API keys, OAuth tokens).
 * AES-256-GCM with a random 96-bit IV and the auth tag stored with the ciphertext. Every blob
 * starts with the version of the key that made it, so keys can rotate: APP_ENCRYPTION_KEY is the
 * current key ("v2:<base64 of 32 bytes>"), APP_ENCRYPTION_KEYS_PREVIOUS lists older keys that
 * still decrypt, and `npm run secrets:rotate` re-encrypts every stored blob under the current key.
 * A context string (e.g. "connection:<id>") is bound in as associated data, so a blob copied onto
 * another row does not decrypt there.
 */

type Key = { version: string; bytes: Buffer };

const KEY_PATTERN = /^(v\d+):([A-Za-z0-9+/_-]+={0,2})$/;

export function parseKey(value: string): Key {
  const trimmed = value.trim();
  const match = KEY_PATTERN.exec(trimmed.includes(":") ? trimmed : `v1:${trimmed}`);
  if (!match?.[1] || !match[2]) throw new Error("APP_ENCRYPTION_KEY must look like v1:<base64 of 32 bytes>");
  // Node's base64 decoder reads both the standard and the URL-safe alphabet.
  const bytes = Buffer.from(match[2], "base64");
  if (bytes.length !== 32) throw new Error(`encryption key ${match[1]} must be 32 bytes, got ${bytes.length}`);
  return { version: match[1], bytes };
}

export type Keyring = { current: Key; all: Map<string, Key> };

export function buildKeyring(currentValue: string, previousValues: string | undefined): Keyring {
  const current = parseKey(currentValue);
  const all = new Map<string, Key>([[current.version, current]]);
  for (const value of (previousValues ?? "").split(",").filter((part) => part.trim() !== "")) {
    const key = parseKey(value);
    if (!all.has(key.version)) all.set(key.version, key);
  }
  return { current, all };
}

let cachedKeyring: Keyring | undefined;

/** The keys from the environment; for the embedded default a key generated once into .data/. */
export function keyring(): Keyring {
  if (!cachedKeyring) {
    const { APP_ENCRYPTION_KEY, APP_ENCRYPTION_KEYS_PREVIOUS } = env();
    const generated = APP_ENCRYPTION_KEY ?? `v1:${secretFromEnvOrDataDir("APP_ENCRYPTION_KEY", undefined, 32)}`;
    cachedKeyring = buildKeyring(generated, APP_ENCRYPTION_KEYS_PREVIOUS);
  }
  return cachedKeyring;
}

export function resetKeyringCache(): void {
  cachedKeyring = undefined;
}

/** Encrypts a secrets object (as JSON) under the current key. */
export function encryptSecrets(value: unknown, context: string, ring: Keyring = keyring()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", ring.current.bytes, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    ring.current.version,
    iv.toString("base64url"),
    tag.toString("base64url"),
    ciphertext.toString("base64url"),
  ].join(".");
}

/** Decrypts a blob made by encryptSecrets; throws on a wrong key, context or any tampering. */
export function decryptSecrets(blob: string, context: string, ring: Keyring = keyring()): unknown {
  const [version, ivPart, tagPart, dataPart, ...rest] = blob.split(".");
  if (!version || !ivPart || !tagPart || dataPart === undefined || rest.length > 0) {
    throw new Error("encrypted secrets are malformed");
  }
  const key = ring.all.get(version);
  if (!key) throw new Error(`no encryption key ${version} configured (APP_ENCRYPTION_KEYS_PREVIOUS?)`);
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(ivPart, "base64url"));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(Buffer.from(tagPart, "base64url"));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(dataPart, "base64url")), decipher.final()]);
  return JSON.parse(plaintext.toString("utf8"));
}

/** Whether a blob was made by an older key and should be re-encrypted. */
export function isEncryptedWithOldKey(blob: string, ring: Keyring = keyring()): boolean {
  return blob.split(".")[0] !== ring.current.version;
}

/** The associated-data context of a connection's secrets. */
export function connectionSecretsContext(connectionId: string): string {
  return `connection:${connectionId}`;
}
