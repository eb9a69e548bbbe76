import { randomUUID } from "node:crypto";
import { posix } from "node:path";
import { judgeHostAsTyped, type TypedHostRefusal } from "@/lib/net/host-guard";
import { type FtpProfile, findPackage } from "@/lib/packages/catalog";
import { ConnectorError, toConnectorError } from "../errors";
import { targetDetails, targetValue } from "../target";
import type { Connector, ConnectorContext, DeliveryReceipt } from "../types";
import {
  categoryFolderOverrides,
  defaultPortFor,
  type FtpDossierSettings,
  type FtpSecrets,
  type FtpSettings,
  ftpDossierSettingsSchema,
  ftpSecretsSchema,
  ftpSettingsSchema,
} from "./config";
import { resolveAllowedHost } from "./guard";
import { pinHostKey, trustedHostKeyOf } from "./host-key";
import { withFtpSession } from "./open-session";
import {
  companionFileName,
  effectiveLayout,
  joinRemote,
  MissingDossierFolderError,
  normalizeBaseFolder,
  planDelivery,
  temporaryFileName,
} from "./paths";
import { ftpSessionPool } from "./pool";
import type { FtpEndpoint, RemoteFileSession } from "./session";

export { defaultDossierFolder } from "./paths";
/** Closes the pooled FTP sessions (tests, shutdown); see pool.ts. */
export { closeFtpSessions } from "./pool";

type FtpContext = ConnectorContext<FtpSettings, FtpSecrets, FtpDossierSettings>;

/** What pollStatus reports per delivered file. */
export type FtpReadBack = { packageReference: string; state: "pending" | "imported" | "rejected"; reason?: string };

function profileOf(ctx: FtpContext): FtpProfile {
  const profile = ctx.package.ftp;
  if (!profile)
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: `${ctx.package.id} has no FTP profile` });
  return profile;
}

/**
 * Resolves and checks the host (on every call: a changed DNS answer or deployment flag counts),
 * then runs `work` on a session with the absolute base folder (the configured one, or the login
 * folder when none is set). `fresh`: a session of its own, closed when `work` ends (the
 * connection test); otherwise a pooled session, lent to this call alone and kept for the next
 * one while it stays healthy (pool.ts). SFTP: the server must present the trusted host key (typed
 * or pinned) before the password is sent; on first use the key it presented is pinned once the
 * login succeeded, before `work` writes anything (host-key.ts).
 */
async function withConnection<T>(
  ctx: FtpContext,
  sessionKind: "fresh" | "pooled",
  work: (session: RemoteFileSession, baseFolder: string) => Promise<T>,
) {
  const { settings } = ctx;
  const resolved = await resolveAllowedHost(settings.host);
  const port = settings.port ?? defaultPortFor(settings.security);
  const isSftp = settings.security === "sftp";
  const endpoint: FtpEndpoint = {
    hostname: settings.host,
    address: resolved.address,
    port,
    security: settings.security,
    // Each fingerprint only for its protocol (the settings schema refuses the other one).
    certificateFingerprint: isSftp ? undefined : settings.certificateFingerprint,
    hostKeyFingerprint: isSftp ? trustedHostKeyOf(settings, ctx.secrets, port) : undefined,
    username: settings.username,
    password: ctx.secrets.password,
  };
  const withBase = async (session: RemoteFileSession) => {
    if (isSftp) await pinHostKey(ctx, port, session.presentedHostKey);
    const base = normalizeBaseFolder(settings.baseFolder);
    const root = base.isAbsolute ? "/" : await session.currentFolder();
    return work(session, joinRemote(root, ...base.segments));
  };
  return sessionKind === "fresh"
    ? withFtpSession(endpoint, { signal: ctx.signal }, withBase)
    : ftpSessionPool().run(endpoint, { signal: ctx.signal }, withBase);
}

/** Message keys under connections.errors, one per reason a typed host is refused. */
const FTP_HOST_REFUSAL_KEYS: Record<TypedHostRefusal, string> = {
  metadata: "ftpHostMetadata",
  loopback: "ftpHostLoopback",
  private: "ftpHostPrivate",
  linkLocal: "ftpHostLinkLocal",
  reserved: "ftpHostReserved",
};

/**
 * One connector for every FTP package (Expert/M, Vero Online, Sage BOB, Account 2000, Adsolut,
 * any other): the package's catalog profile decides folders and names, the connection may adjust
 * them. Delivery is idempotent per document: a deterministic final name, written under a
 * temporary name and then renamed, and a final file of the right size already there counts as
 * delivered. See README.md in this folder.
 */
export const ftpConnector = {
  id: "ftp",
  channel: "ftp",
  settingsSchema: ftpSettingsSchema,
  secretsSchema: ftpSecretsSchema,
  dossierSettingsSchema: ftpDossierSettingsSchema,
  /** A host the guard refuses as typed (an address in any notation, localhost), with the reason. */
  settingsRefusals(settings: FtpSettings) {
    const refusal = judgeHostAsTyped(settings.host);
    return refusal ? { host: FTP_HOST_REFUSAL_KEYS[refusal] } : {};
  },
  /**
   * The package's layout and category folder names, as a delivery without overrides uses them
   * (e.g. Vero Online, whose convention is unknown: the generic `purchase`, `sales`, `other`).
   */
  settingsStandards(packageId: string) {
    const profile = findPackage(packageId)?.ftp;
    if (!profile) return {};
    const { layout, categoryFolders } = effectiveLayout(profile);
    return {
      layout,
      purchaseFolder: categoryFolders.purchase,
      salesFolder: categoryFolders.sales,
      otherFolder: categoryFolders.other,
    };
  },
  /**
   * Two deliveries per connection at once: while one holds the pooled session (whose pool lets one
   * call at a time use it), the next reads its rows and its file. Against a server that answers
   * each command after a round trip, that hides our own work behind the wait. A server that caps a
   * user at one session may see a second one from another process; it refuses it with 421, which
   * is retried.
   */
  deliveryLanes: 2,

  /**
   * Connects with the configured security, logs in, creates the base folder where missing, and
   * proves it is writable with a probe file that is uploaded, renamed (as deliveries do) and
   * removed. Precise codes: host_not_found, host_not_allowed, connection_refused, tls_failed,
   * ssh_failed, host_key_mismatch, login_failed (auth), permission_denied, timeout. For SFTP
   * without a typed fingerprint, the first successful test pins the server's host key.
   */
  async check(ctx) {
    const checkedAt = new Date();
    try {
      // A session of its own, never a pooled one: the test must prove a login.
      await withConnection(ctx, "fresh", async (session, baseFolder) => {
        await session.ensureFolder(baseFolder);
        const probe = joinRemote(baseFolder, `.koppel-probe-${randomUUID()}.txt`);
        const temporary = joinRemote(baseFolder, temporaryFileName(posix.basename(probe)));
        await session.upload(new TextEncoder().encode("Koppel connection test. Safe to delete.\n"), temporary);
        await session.rename(temporary, probe);
        await session.remove(probe);
      });
      return { ok: true, checkedAt };
    } catch (error) {
      return { ok: false, checkedAt, error: toConnectorError(error) };
    }
  },

  /**
   * Writes the document to `<base>/<layout>/<final name>`: folders created where missing, the
   * bytes written under a temporary name and renamed onto the final name. A companion (the UBL XML
   * of a PDF, lib/ubl/delivery-file.ts) follows the same way under the same name with `.xml`
   * (`…_3f2a9c1be4d0.pdf` + `…_3f2a9c1be4d0.xml`), after the PDF: an importer that picks up the
   * XML finds its PDF already there. Resolves with the final remote path (the PDF's) as the
   * package reference. A first try costs four commands per file on a pooled session with a known
   * folder (EPSV, STOR, RNFR, RNTO); a repeated one asks each final file's size first and writes
   * only what is missing.
   */
  async deliver(ctx, document, file) {
    const profile = profileOf(ctx);
    let plan: ReturnType<typeof planDelivery>;
    try {
      plan = planDelivery({
        profile,
        overrides: { layout: ctx.settings.layout, categoryFolders: categoryFolderOverrides(ctx.settings) },
        dossier: ctx.dossier,
        dossierFolder: ctx.dossierSettings?.dossierFolder,
        document,
      });
    } catch (error) {
      if (error instanceof MissingDossierFolderError) {
        throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: error.message });
      }
      throw error;
    }
    const files = [
      { name: plan.finalName, content: file.content },
      ...(file.companion ? [{ name: companionFileName(plan.finalName), content: file.companion.content }] : []),
    ];

    return withConnection(ctx, "pooled", async (session, baseFolder): Promise<DeliveryReceipt> => {
      const folder = joinRemote(baseFolder, ...plan.folderSegments);
      await session.ensureFolder(folder);

      /** Writes one file; false when a repeated try finds it there already (same size). */
      const put = async (name: string, content: Uint8Array): Promise<boolean> => {
        const finalPath = joinRemote(folder, name);
        // Only a repeated try can find its own file already there (an earlier try got as far as
        // the rename and its answer was lost); a first try saves the round trip.
        const existing = ctx.isFirstTry ? null : await session.sizeOf(finalPath);
        if (existing === content.byteLength) return false;
        const temporaryPath = joinRemote(folder, temporaryFileName(name));
        try {
          await session.upload(content, temporaryPath);
        } catch (error) {
          // The session trusts the folders it made sure of; one may have been removed since (an
          // importer or admin cleaning up). When the server refused the write: make sure again, once.
          if (!session.isRefusal(error)) throw error;
          session.forgetFolders();
          await session.ensureFolder(folder);
          await session.upload(content, temporaryPath);
        }
        // The server confirmed the whole upload (226 after the data connection closed cleanly). A
        // final file already there (another size, or a first try after an earlier dispatch of
        // this document) is replaced (the session's rename replaces): the name carries this
        // document's id.
        await session.rename(temporaryPath, finalPath);
        return true;
      };

      let isAlreadyThere = true;
      // One after the other: one command at a time on a session.
      for (const { name, content } of files) {
        if (await put(name, content)) isAlreadyThere = false;
      }
      const companion = files[1];
      return {
        packageReference: joinRemote(folder, plan.finalName),
        target: {
          host: ctx.settings.host,
          folder,
          fileName: plan.finalName,
          ...(companion ? { companionFileName: companion.name } : {}),
          isAlreadyThere,
        },
      };
    });
  },

  /**
   * Read-back: many importers remove or move a file once they have taken it in. For each
   * delivered file (its final path), the folder is listed once: the file still there → pending,
   * gone → imported. A folder that cannot be listed says nothing, so its files stay pending (a
   * permission change must never read as "imported").
   */
  async pollStatus(ctx, packageReferences) {
    const byFolder = new Map<string, string[]>();
    for (const reference of packageReferences) {
      const folder = posix.dirname(reference);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), reference]);
    }
    return withConnection(ctx, "pooled", async (session) => {
      const results: FtpReadBack[] = [];
      for (const [folder, references] of byFolder) {
        const names = posix.isAbsolute(folder) ? await session.listFolder(folder) : null;
        for (const reference of references) {
          const state = names === null || names.has(posix.basename(reference)) ? "pending" : "imported";
          results.push({ packageReference: reference, state });
        }
      }
      return results;
    });
  },

  /**
   * The folder on the server (the receipt's full path; before a delivery, the dossier's folder) and
   * the file's name there. The host is the connection's, which the platform names.
   */
  describeTarget(target) {
    return targetDetails({
      folder: targetValue(target, "folder") ?? targetValue(target, "dossierFolder"),
      fileName: targetValue(target, "fileName"),
      companionFileName: targetValue(target, "companionFileName"),
    });
  },
} satisfies Connector<typeof ftpSettingsSchema, typeof ftpSecretsSchema, typeof ftpDossierSettingsSchema>;
