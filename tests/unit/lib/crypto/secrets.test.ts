import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildKeyring, decryptSecrets, encryptSecrets, isEncryptedWithOldKey, parseKey } from "@/lib/crypto/secrets";

const keyValue = (version: string) => `${version}:${randomBytes(32).toString("base64")}`;

describe("secrets encryption", () => {
  const v1 = keyValue("v1");
  const ring = buildKeyring(v1, undefined);
  const secrets = { password: "s3cr3t-ftp", apiKey: "abc" };

  it("round-trips a secrets object", () => {
    const blob = encryptSecrets(secrets, "connection:a", ring);
    expect(decryptSecrets(blob, "connection:a", ring)).toEqual(secrets);
  });

  it("never contains the plaintext and differs every time (random IV)", () => {
    const first = encryptSecrets(secrets, "connection:a", ring);
    const second = encryptSecrets(secrets, "connection:a", ring);
    expect(first).not.toBe(second);
    expect(first).not.toContain("s3cr3t");
    expect(first.startsWith("v1.")).toBe(true);
  });

  it("refuses a blob moved to another row (associated data)", () => {
    const blob = encryptSecrets(secrets, "connection:a", ring);
    expect(() => decryptSecrets(blob, "connection:b", ring)).toThrow();
  });

  it("refuses a tampered blob", () => {
    const blob = encryptSecrets(secrets, "connection:a", ring);
    const parts = blob.split(".");
    const data = Buffer.from(parts[3] ?? "", "base64url");
    data[0] = (data[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], data.toString("base64url")].join(".");
    expect(() => decryptSecrets(tampered, "connection:a", ring)).toThrow();
    expect(() => decryptSecrets("v1.garbage", "connection:a", ring)).toThrow(/malformed/);
  });

  it("refuses a blob under a key it does not have", () => {
    const other = buildKeyring(keyValue("v1"), undefined);
    const blob = encryptSecrets(secrets, "connection:a", other);
    expect(() => decryptSecrets(blob, "connection:a", ring)).toThrow();
  });

  it("rotates: old blobs decrypt with the previous key and are flagged for re-encryption", () => {
    const v2 = keyValue("v2");
    const oldBlob = encryptSecrets(secrets, "connection:a", ring);
    const rotated = buildKeyring(v2, v1);
    expect(isEncryptedWithOldKey(oldBlob, rotated)).toBe(true);
    expect(decryptSecrets(oldBlob, "connection:a", rotated)).toEqual(secrets);
    const newBlob = encryptSecrets(decryptSecrets(oldBlob, "connection:a", rotated), "connection:a", rotated);
    expect(newBlob.startsWith("v2.")).toBe(true);
    expect(isEncryptedWithOldKey(newBlob, rotated)).toBe(false);
    // Once the old key is dropped, old blobs no longer decrypt: rotate before removing it.
    expect(() => decryptSecrets(oldBlob, "connection:a", buildKeyring(v2, undefined))).toThrow(/no encryption key v1/);
  });

  it("checks key length and format", () => {
    expect(() => parseKey(`v1:${randomBytes(16).toString("base64")}`)).toThrow(/32 bytes/);
    expect(() => parseKey("v1:***")).toThrow();
    expect(parseKey(randomBytes(32).toString("base64url")).version).toBe("v1");
  });
});
