import { describe, expect, it } from "vitest";
import { ftpSessionKey } from "@/lib/connectors/ftp/pool";
import type { FtpEndpoint } from "@/lib/connectors/ftp/session";

const ENDPOINT: FtpEndpoint = {
  hostname: "ftp.kantoor.example",
  address: "203.0.113.7",
  port: 21,
  security: "explicit",
  certificateFingerprint: undefined,
  username: "kantoor",
  password: "Geheim-FTP-1",
};

describe("ftpSessionKey: everything that defines a session, nothing in clear", () => {
  it("is the same for the same settings", () => {
    expect(ftpSessionKey({ ...ENDPOINT }, 15_000)).toBe(ftpSessionKey(ENDPOINT, 15_000));
  });

  it.each([
    ["host name", { hostname: "ftp2.kantoor.example" }],
    ["checked address (DNS changed)", { address: "203.0.113.8" }],
    ["port", { port: 2121 }],
    ["security", { security: "implicit" }],
    ["pinned fingerprint", { certificateFingerprint: "AB:CD" }],
    ["user", { username: "kantoor2" }],
    ["password", { password: "Geheim-FTP-2" }],
    ["password (trailing space)", { password: "Geheim-FTP-1 " }],
  ] as const)("changes with the %s", (_label, change) => {
    expect(ftpSessionKey({ ...ENDPOINT, ...change } as FtpEndpoint, 15_000)).not.toBe(ftpSessionKey(ENDPOINT, 15_000));
  });

  it("changes with the socket timeout", () => {
    expect(ftpSessionKey(ENDPOINT, 5_000)).not.toBe(ftpSessionKey(ENDPOINT, 15_000));
  });

  it("never shows the password, nor its plain hash", async () => {
    const key = ftpSessionKey(ENDPOINT, 15_000);
    expect(key).not.toContain(ENDPOINT.password);
    const { createHash } = await import("node:crypto");
    for (const encoding of ["hex", "base64", "base64url"] as const) {
      expect(key).not.toContain(createHash("sha256").update(ENDPOINT.password).digest(encoding));
    }
  });

  it("does not confuse fields that run into each other", () => {
    const a = ftpSessionKey({ ...ENDPOINT, username: "kantoor", password: "x:y" }, 15_000);
    const b = ftpSessionKey({ ...ENDPOINT, username: "kantoor:x", password: "y" }, 15_000);
    expect(a).not.toBe(b);
  });
});
