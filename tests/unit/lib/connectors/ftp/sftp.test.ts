import { utils } from "ssh2";
import { describe, expect, it } from "vitest";
import { ConnectorError } from "@/lib/connectors/errors";
import {
  type FtpSecrets,
  ftpSecretsSchema,
  ftpSettingsSchema,
  normalizeHostKeyFingerprint,
} from "@/lib/connectors/ftp/config";
import { hostKeyFingerprintOf, pinHostKey, trustedHostKeyOf } from "@/lib/connectors/ftp/host-key";
import { ftpSessionKey } from "@/lib/connectors/ftp/pool";
import type { FtpEndpoint } from "@/lib/connectors/ftp/session";
import { classifySftpError, SFTP_STATUS, SftpIdleTimeoutError } from "@/lib/connectors/ftp/sftp";

// Public keys made with `ssh-keygen -t ed25519` / `-t rsa -b 2048`, and what `ssh-keygen -lf` printed for them.
const ED25519_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFkT2Spw42SCZs22tBll967dM/CJ0AFmYRsb6PBBSIdH fixture";
const ED25519_FINGERPRINT = "SHA256:zp4nSU+C10wSlmNftsOO0/UcWa14WhBDf562dPlT6Jc";
const RSA_PUBLIC =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDNapYsUcCd1PBQooUZYqXs6tscNHSHjt0svXryB4KD8z5kTnzXTHDNvC6MB63aNZ7+STS0f0+dt8641YhiJJ8+XKHqk70ermeFO/ZLrrq2UHkWikJdlnDcUzNGqBzPHWiDFxfstbyqtUGBtZPX/TLTQGgocucMBtXKPivNBN2vlq0eb+3ILmYt+c+W97+1xDX2fGvKoOJNHFtQ29ODvHDndvaV/RHsJWo1pMsKyHNowU25ACrLKjfEO7rWRg0rb9A5dJmhJYXlHX+zFYJjoKldNsu5ykd/ILBRKHFgOKXDvuObZ1Vh8DupaJD0gouFe4dTmuowl0npX9EkzRFG1fgl fixture-rsa";
const RSA_FINGERPRINT = "SHA256:7zVKUQ+3RoAEkaBCHiEQN90MNgYg5EE6FYnEMWbh4fg";

function keyBlobOf(publicKey: string): Buffer {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  return parsed.getPublicSSH();
}

describe("host key fingerprints", () => {
  it.each([
    [ED25519_PUBLIC, ED25519_FINGERPRINT],
    [RSA_PUBLIC, RSA_FINGERPRINT],
  ])("computes what ssh-keygen -l prints (%#)", (publicKey, fingerprint) => {
    expect(hostKeyFingerprintOf(keyBlobOf(publicKey))).toBe(fingerprint);
  });

  const base64 = ED25519_FINGERPRINT.slice("SHA256:".length);
  const hex = Buffer.from(base64, "base64").toString("hex");
  it.each([
    ["as OpenSSH prints it", ED25519_FINGERPRINT],
    ["without the prefix", base64],
    ["with base64 padding", `${base64}=`],
    ["with the prefix in lower case and spaces around", `  sha256:${base64}  `],
    ["as a whole ssh-keygen -l line", `256 ${ED25519_FINGERPRINT} fixture (ED25519)`],
    ["as 64 hexadecimal digits", hex],
    ["as hexadecimal pairs with colons and a SHA256 label", `SHA256: ${hex.match(/../g)?.join(":")}`],
  ])("accepts the fingerprint %s and normalises it", (_label, typed) => {
    expect(normalizeHostKeyFingerprint(typed)).toBe(ED25519_FINGERPRINT);
  });

  it.each([
    ["an MD5 fingerprint", "MD5:56:97:c4:b6:04:69:5c:de:ee:a1:10:65:d6:b0:2e:65"],
    ["a base64 value one character short", base64.slice(1)],
    ["a last character with stray bits (a typo)", `${base64.slice(0, -1)}d`],
    ["characters outside base64", `${base64.slice(0, -1)}!`],
    ["a blank value", "   "],
  ])("refuses %s", (_label, typed) => {
    expect(normalizeHostKeyFingerprint(typed)).toBeNull();
  });

  it("is a settings field for SFTP only, stored normalised", () => {
    const settings = ftpSettingsSchema.parse({
      host: "sftp.wolterskluwer.example",
      username: "kantoor",
      security: "sftp",
      hostKeyFingerprint: base64,
    });
    expect(settings.hostKeyFingerprint).toBe(ED25519_FINGERPRINT);
    const invalid = ftpSettingsSchema.safeParse({
      host: "h.example",
      username: "u",
      security: "sftp",
      hostKeyFingerprint: "MD5:aa",
    });
    expect(invalid.success ? [] : invalid.error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [["hostKeyFingerprint"], "invalid"],
    ]);
  });

  it("refuses a host key fingerprint with FTP(S) and a certificate fingerprint with SFTP, naming the field", () => {
    const wrongKey = ftpSettingsSchema.safeParse({
      host: "ftp.example.be",
      username: "u",
      security: "explicit",
      hostKeyFingerprint: ED25519_FINGERPRINT,
    });
    expect(wrongKey.success ? [] : wrongKey.error.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [["hostKeyFingerprint"], "ftpHostKeyNeedsSftp"],
    ]);
    const wrongCertificate = ftpSettingsSchema.safeParse({
      host: "sftp.example.be",
      username: "u",
      security: "sftp",
      certificateFingerprint: "AB".repeat(32),
    });
    expect(
      wrongCertificate.success ? [] : wrongCertificate.error.issues.map((issue) => [issue.path, issue.message]),
    ).toEqual([[["certificateFingerprint"], "ftpCertificateNotForSftp"]]);
  });
});

describe("which host key is trusted", () => {
  const settings = ftpSettingsSchema.parse({ host: "SFTP.Example.be", username: "u", security: "sftp" });
  const pinAt = (host: string, port: number, fingerprint = ED25519_FINGERPRINT): FtpSecrets =>
    ftpSecretsSchema.parse({
      password: "p",
      pinnedHostKey: { host, port, fingerprint, pinnedAt: "2026-01-02T03:04:05.000Z" },
    });

  it("the typed fingerprint first, then the pin for this host and port, else none (first use)", () => {
    const typed = { ...settings, hostKeyFingerprint: RSA_FINGERPRINT };
    expect(trustedHostKeyOf(typed, pinAt("sftp.example.be", 22), 22)).toBe(RSA_FINGERPRINT);
    expect(trustedHostKeyOf(settings, pinAt("sftp.example.be", 22), 22)).toBe(ED25519_FINGERPRINT);
    expect(trustedHostKeyOf(settings, pinAt("sftp.example.be", 2222), 22)).toBeUndefined();
    expect(trustedHostKeyOf(settings, pinAt("other.example.be", 22), 22)).toBeUndefined();
    expect(trustedHostKeyOf(settings, ftpSecretsSchema.parse({ password: "p" }), 22)).toBeUndefined();
  });

  /** A context whose rotateSecrets runs on `stored` (the row as another process may have left it). */
  function pinContext(snapshot: FtpSecrets, stored: FtpSecrets, typed?: string) {
    const state = { stored, rotations: 0 };
    return {
      state,
      ctx: {
        settings: { ...settings, hostKeyFingerprint: typed },
        secrets: snapshot,
        async rotateSecrets(rotate: (latest: FtpSecrets) => Promise<FtpSecrets | null>) {
          const next = await rotate(state.stored);
          if (next !== null) {
            state.stored = ftpSecretsSchema.parse(next);
            state.rotations++;
          }
          return state.stored;
        },
      },
    };
  }
  const none = ftpSecretsSchema.parse({ password: "p" });

  it("pins the presented key on first use, with host and port, keeping the password", async () => {
    const { ctx, state } = pinContext(none, none);
    await pinHostKey(ctx, 22, ED25519_FINGERPRINT);
    expect(state.stored).toMatchObject({
      password: "p",
      pinnedHostKey: { host: "SFTP.Example.be", port: 22, fingerprint: ED25519_FINGERPRINT },
    });
  });

  it("does nothing (no write) when the key is the pinned one", async () => {
    const pinned = pinAt("sftp.example.be", 22);
    const { ctx, state } = pinContext(pinned, pinned);
    await pinHostKey(ctx, 22, ED25519_FINGERPRINT);
    expect(state.rotations).toBe(0);
  });

  it("refuses when another process pinned a different key meanwhile", async () => {
    const { ctx, state } = pinContext(none, pinAt("sftp.example.be", 22, RSA_FINGERPRINT));
    await expect(pinHostKey(ctx, 22, ED25519_FINGERPRINT)).rejects.toMatchObject({
      kind: "permanent",
      code: "host_key_mismatch",
    });
    expect(state.stored.pinnedHostKey?.fingerprint).toBe(RSA_FINGERPRINT);
  });

  it("replaces an older pin with the typed fingerprint once a connection with it succeeded", async () => {
    const old = pinAt("sftp.example.be", 22, RSA_FINGERPRINT);
    const { ctx, state } = pinContext(old, old, ED25519_FINGERPRINT);
    await pinHostKey(ctx, 22, ED25519_FINGERPRINT);
    expect(state.stored.pinnedHostKey?.fingerprint).toBe(ED25519_FINGERPRINT);
  });

  it("never pins a key other than the trusted one", async () => {
    const { ctx, state } = pinContext(none, none, RSA_FINGERPRINT);
    await expect(pinHostKey(ctx, 22, ED25519_FINGERPRINT)).rejects.toMatchObject({ code: "host_key_mismatch" });
    expect(state.rotations).toBe(0);
  });
});

describe("the session key", () => {
  const endpoint: FtpEndpoint = {
    hostname: "sftp.example.be",
    address: "203.0.113.9",
    port: 22,
    security: "sftp",
    username: "kantoor",
    password: "Geheim-1",
  };

  it("changes with the trusted host key, so a session is never reused under another key", () => {
    expect(ftpSessionKey({ ...endpoint, hostKeyFingerprint: ED25519_FINGERPRINT }, 15_000)).not.toBe(
      ftpSessionKey(endpoint, 15_000),
    );
    expect(ftpSessionKey({ ...endpoint, security: "explicit" }, 15_000)).not.toBe(ftpSessionKey(endpoint, 15_000));
  });
});

describe("classifySftpError", () => {
  const status = (code: number, message = "refused") => Object.assign(new Error(message), { code });
  const ssh2Error = (message: string, fields: { level?: string; code?: unknown }) =>
    Object.assign(new Error(message), fields);
  const system = (code: string) => Object.assign(new Error(`connect ${code} 203.0.113.9:22`), { code });

  it.each([
    [
      "authentication refused",
      ssh2Error("All configured authentication methods failed", { level: "client-authentication" }),
      "login",
      "auth",
      "login_failed",
    ],
    [
      "server out of auth methods",
      ssh2Error("No more auth methods", { level: "client-ssh", code: 14 }),
      "login",
      "auth",
      "login_failed",
    ],
    [
      "PERMISSION_DENIED",
      status(SFTP_STATUS.PERMISSION_DENIED, "Permission denied"),
      "upload",
      "permanent",
      "permission_denied",
    ],
    ["WRITE_PROTECT", status(SFTP_STATUS.WRITE_PROTECT), "upload", "permanent", "permission_denied"],
    ["FAILURE", status(SFTP_STATUS.FAILURE, "Failure"), "folder", "permanent", "server_refused"],
    ["OP_UNSUPPORTED", status(SFTP_STATUS.OP_UNSUPPORTED), "rename", "permanent", "server_refused"],
    ["NO_SPACE_ON_FILESYSTEM", status(SFTP_STATUS.NO_SPACE_ON_FILESYSTEM), "upload", "permanent", "server_refused"],
    ["NO_SUCH_FILE outside an inspection", status(SFTP_STATUS.NO_SUCH_FILE), "rename", "retryable", "server_error"],
    ["CONNECTION_LOST", status(SFTP_STATUS.CONNECTION_LOST), "upload", "retryable", "network"],
    ["ECONNREFUSED", system("ECONNREFUSED"), "connect", "retryable", "connection_refused"],
    ["ENOTFOUND", system("ENOTFOUND"), "connect", "permanent", "host_not_found"],
    ["ECONNRESET", system("ECONNRESET"), "upload", "retryable", "network"],
    ["ETIMEDOUT", system("ETIMEDOUT"), "connect", "retryable", "timeout"],
    ["the idle bound", new SftpIdleTimeoutError("upload"), "upload", "retryable", "timeout"],
    [
      "readyTimeout",
      ssh2Error("Timed out while waiting for handshake", { level: "client-timeout" }),
      "handshake",
      "retryable",
      "timeout",
    ],
    [
      "no common algorithms",
      ssh2Error("Handshake failed: no matching key exchange algorithm", { level: "handshake" }),
      "handshake",
      "permanent",
      "ssh_failed",
    ],
    ["no SSH ident", new Error("Invalid identification string"), "handshake", "permanent", "ssh_failed"],
    [
      "server refusing the key exchange",
      ssh2Error("Key exchange failed", { level: "client-ssh", code: 3 }),
      "handshake",
      "permanent",
      "ssh_failed",
    ],
    [
      "connection lost before the handshake",
      ssh2Error("Connection lost before handshake", { level: "protocol" }),
      "handshake",
      "retryable",
      "network",
    ],
    [
      "server hanging up (too many connections)",
      ssh2Error("Too many connections", { level: "client-ssh", code: 12 }),
      "login",
      "retryable",
      "network",
    ],
    ["the channel closing mid-command", new Error("No response from server"), "upload", "retryable", "network"],
    ["anything else", new Error("something odd"), "upload", "retryable", "unknown"],
  ] as const)("%s → %s %s", (_label, error, phase, kind, code) => {
    expect(classifySftpError(error, phase)).toMatchObject({ kind, code });
  });

  it("keeps ssh2's text for the logs only, with the phase", () => {
    const error = classifySftpError(status(SFTP_STATUS.PERMISSION_DENIED, "Permission denied"), "upload");
    expect(error.vendorDetail).toBe("upload: 3 Permission denied");
    expect(error.messageKey).toBe("connectors.errors.permission_denied");
  });

  it("says timeout for anything that failed because the deadline closed the session", () => {
    expect(classifySftpError(new Error("SFTP session closed"), "upload", { aborted: true })).toMatchObject({
      kind: "retryable",
      code: "timeout",
    });
  });

  it("passes a ConnectorError (host_key_mismatch) through unchanged", () => {
    const original = new ConnectorError("permanent", "host_key_mismatch");
    expect(classifySftpError(original, "handshake")).toBe(original);
  });
});
