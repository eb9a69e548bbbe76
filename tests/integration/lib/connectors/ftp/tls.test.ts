import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeFtpSessions, ftpConnector } from "@/lib/connectors/ftp";
import {
  type FakeFtpServer,
  makeSelfSignedCertificate,
  startFakeFtpServer,
  type TlsMaterial,
} from "../../../../fakes/ftp-server";
import { allowPrivateFtpHosts, contextFor, documentFor, pdfBytes } from "./helpers";

// Explicit FTPS (AUTH TLS) against ftp-srv with a self-signed certificate made for this run:
// refused by default, accepted when the connection trusts exactly its fingerprint.

let tls: TlsMaterial;
let server: FakeFtpServer;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  tls = makeSelfSignedCertificate();
  server = await startFakeFtpServer({ tls });
});
afterAll(async () => {
  // Pooled sessions first: the server must not wait for clients that are still logged in.
  await closeFtpSessions();
  await server?.close();
  if (tls) rmSync(tls.dir, { recursive: true, force: true });
  allowPrivateFtpHosts(undefined);
});

const explicit = (settings: Record<string, unknown> = {}) =>
  contextFor(server, { settings: { security: "explicit", ...settings } });

describe("explicit FTPS with a self-signed certificate", () => {
  it("is refused by default, before the password is sent", async () => {
    const loginsBefore = server.logins.length;
    const health = await ftpConnector.check(explicit());
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "tls_failed" } });
    expect(server.logins.length).toBe(loginsBefore);
  });

  it("is accepted when the connection trusts its fingerprint: check and delivery over TLS", async () => {
    const ctx = explicit({ certificateFingerprint: tls.fingerprint.toLowerCase() });
    expect(await ftpConnector.check(ctx)).toMatchObject({ ok: true });

    const content = pdfBytes(120_000, 5);
    const receipt = await ftpConnector.deliver(ctx, documentFor(), { content });
    expect(server.listFiles()).toEqual([receipt.packageReference]);
    expect(server.readFile(receipt.packageReference ?? "").equals(Buffer.from(content))).toBe(true);

    const [state] = (await ftpConnector.pollStatus(ctx, [receipt.packageReference ?? ""])) ?? [];
    expect(state).toEqual({ packageReference: receipt.packageReference, state: "pending" });
  });

  it("is refused when another fingerprint is trusted, before the password is sent", async () => {
    const loginsBefore = server.logins.length;
    const other = tls.fingerprint.replace(/^[0-9A-F]{2}/, (byte) => (byte === "00" ? "01" : "00"));
    const health = await ftpConnector.check(explicit({ certificateFingerprint: other }));
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "tls_failed" } });
    expect(server.logins.length).toBe(loginsBefore);
  });

  it("a wrong password over TLS is still a login error", async () => {
    const ctx = contextFor(server, {
      settings: { security: "explicit", certificateFingerprint: tls.fingerprint },
      password: "nope",
    });
    expect(await ftpConnector.check(ctx)).toMatchObject({ ok: false, error: { kind: "auth", code: "login_failed" } });
  });

  it("implicit FTPS against an explicit-only port is a TLS error", async () => {
    const ctx = contextFor(server, { settings: { security: "implicit", certificateFingerprint: tls.fingerprint } });
    expect(await ftpConnector.check(ctx)).toMatchObject({ ok: false, error: { code: "tls_failed" } });
  });
});
