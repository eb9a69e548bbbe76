import { FTPError } from "basic-ftp";
import { describe, expect, it } from "vitest";
import { ConnectorError } from "@/lib/connectors/errors";
import { CertificateMismatchError, classifyFtpError, normalizeFingerprint } from "@/lib/connectors/ftp/client";
import type { FtpPhase } from "@/lib/connectors/ftp/session";

const reply = (code: number, text: string) => new FTPError({ code, message: `${code} ${text}` });
const systemError = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("classifyFtpError: FTP replies", () => {
  it.each([
    [421, "Service not available, closing control connection", "upload"],
    [425, "Can't open data connection", "upload"],
    [426, "Connection closed; transfer aborted", "upload"],
    [450, "Requested file action not taken", "rename"],
    [451, "Local error in processing", "folder"],
    [452, "Insufficient storage space", "upload"],
    [421, "Too many connections", "login"],
  ] as const)("%i (%s) during %s → retryable", (code, text, phase) => {
    expect(classifyFtpError(reply(code, text), phase)).toMatchObject({ kind: "retryable", code: "server_error" });
  });

  it("530 → auth login_failed: the connection needs re-authorisation", () => {
    const error = classifyFtpError(reply(530, "Login incorrect."), "login");
    expect(error).toMatchObject({ kind: "auth", code: "login_failed" });
    expect(error.messageKey).toBe("connectors.errors.login_failed");
  });

  it("530 that asks for TLS first → tls_failed, not a wrong password", () => {
    expect(classifyFtpError(reply(530, "Non-anonymous sessions must use encryption."), "login")).toMatchObject({
      kind: "permanent",
      code: "tls_failed",
    });
  });

  it.each([
    [550, "Permission denied", "upload", "permission_denied"],
    [550, "Create directory operation failed", "folder", "permission_denied"],
    [550, "Rename failed", "rename", "permission_denied"],
    [553, "File name not allowed", "upload", "file_refused"],
    [552, "Exceeded storage allocation", "upload", "server_refused"],
    [500, "Syntax error", "inspect", "server_refused"],
    [502, "Command not implemented", "rename", "server_refused"],
    [504, "TYPE not implemented for that parameter", "setup", "server_refused"],
  ] as const)("%i (%s) during %s → permanent %s", (code, text, phase, expected) => {
    expect(classifyFtpError(reply(code, text), phase)).toMatchObject({ kind: "permanent", code: expected });
  });

  it("a refused AUTH TLS (explicit FTPS on a server without it) → tls_failed", () => {
    expect(classifyFtpError(reply(502, "Command not supported"), "tls")).toMatchObject({
      kind: "permanent",
      code: "tls_failed",
    });
  });

  it("keeps the server's text for the logs only", () => {
    const error = classifyFtpError(reply(550, "/secret/path: Permission denied"), "upload");
    expect(error.vendorDetail).toBe("upload: 550 /secret/path: Permission denied");
    expect(error.messageKey).toBe("connectors.errors.permission_denied");
  });
});

describe("classifyFtpError: sockets, TLS and timeouts", () => {
  it.each([
    [systemError("ECONNREFUSED", "connect ECONNREFUSED 203.0.113.1:21"), "connect", "retryable", "connection_refused"],
    [systemError("ECONNRESET", "read ECONNRESET"), "upload", "retryable", "network"],
    [systemError("EPIPE"), "upload", "retryable", "network"],
    [systemError("EHOSTUNREACH"), "connect", "retryable", "network"],
    [systemError("ETIMEDOUT"), "connect", "retryable", "timeout"],
    [new Error("Timeout (control socket)"), "folder", "retryable", "timeout"],
    [new Error("Timeout (data socket)"), "upload", "retryable", "timeout"],
    [new Error("Server sent FIN packet unexpectedly, closing connection."), "upload", "retryable", "network"],
    [new Error("Client is closed because Server closed connection unexpectedly."), "rename", "retryable", "network"],
    [systemError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), "tls", "permanent", "tls_failed"],
    [systemError("SELF_SIGNED_CERT_IN_CHAIN"), "tls", "permanent", "tls_failed"],
    [systemError("CERT_HAS_EXPIRED"), "tls", "permanent", "tls_failed"],
    [systemError("ERR_TLS_CERT_ALTNAME_INVALID"), "tls", "permanent", "tls_failed"],
    [systemError("ERR_SSL_WRONG_VERSION_NUMBER"), "tls", "permanent", "tls_failed"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls", "permanent", "tls_failed"],
    [new CertificateMismatchError("AA:BB"), "upload", "permanent", "tls_failed"],
    [systemError("ECONNRESET"), "tls", "retryable", "tls_failed"],
    [new Error("something odd"), "upload", "retryable", "unknown"],
  ] as const)("%s during %s → %s %s", (thrown, phase, kind, code) => {
    expect(classifyFtpError(thrown, phase as FtpPhase)).toMatchObject({ kind, code });
  });

  it("anything after the deadline fired is a timeout", () => {
    expect(classifyFtpError(new Error("Client is closed"), "upload", { aborted: true })).toMatchObject({
      kind: "retryable",
      code: "timeout",
    });
  });

  it("passes ConnectorErrors through unchanged", () => {
    const original = new ConnectorError("permanent", "host_not_allowed");
    expect(classifyFtpError(original, "connect")).toBe(original);
  });
});

describe("normalizeFingerprint", () => {
  it.each([
    ["ab:cd:ef", "AB:CD:EF"],
    ["ABCDEF", "AB:CD:EF"],
    ["ab cd ef", "AB:CD:EF"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeFingerprint(input)).toBe(expected);
  });
});
