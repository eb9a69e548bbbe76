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

// Implicit FTPS (TLS from the first byte, classically port 990) against ftp-srv in ftps:// mode.

let tls: TlsMaterial;
let server: FakeFtpServer;

beforeAll(async () => {
  allowPrivateFtpHosts("1");
  tls = makeSelfSignedCertificate();
  server = await startFakeFtpServer({ tls, implicit: true });
});
afterAll(async () => {
  // Pooled sessions first: the server must not wait for clients that are still logged in.
  await closeFtpSessions();
  await server?.close();
  if (tls) rmSync(tls.dir, { recursive: true, force: true });
  allowPrivateFtpHosts(undefined);
});

describe("implicit FTPS", () => {
  it("delivers when the self-signed certificate's fingerprint is trusted", async () => {
    const ctx = contextFor(server, {
      packageId: "sage-bob",
      settings: { security: "implicit", certificateFingerprint: tls.fingerprint },
    });
    expect(await ftpConnector.check(ctx)).toMatchObject({ ok: true });
    const content = pdfBytes(50_000, 11);
    const receipt = await ftpConnector.deliver(ctx, documentFor(), { content });
    expect(receipt.packageReference).toMatch(/^\/0123456749\/Scans\/Aankopen\//);
    expect(server.readFile(receipt.packageReference ?? "").equals(Buffer.from(content))).toBe(true);
  });

  it("refuses the self-signed certificate without a trusted fingerprint, before logging in", async () => {
    const loginsBefore = server.logins.length;
    const health = await ftpConnector.check(contextFor(server, { settings: { security: "implicit" } }));
    expect(health).toMatchObject({ ok: false, error: { kind: "permanent", code: "tls_failed" } });
    expect(server.logins.length).toBe(loginsBefore);
  });
});
