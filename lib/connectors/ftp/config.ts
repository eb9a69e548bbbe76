import { isIP } from "node:net";
import { z } from "zod";
import { DOCUMENT_CATEGORIES } from "@/lib/packages/catalog";

/**
 * The FTP connector's schemas. The connections page and the dossier tab generate their forms
 * from these (lib/connections/form.ts, lib/integrations/connector-fields.ts), so every field is a
 * top-level string, integer or enum with `.meta({ labelKey, hintKey })` (keys from the root of
 * the messages, under connectors.ftp.fields). Refinements fail with the message "invalid", which
 * the forms translate; the hint says what a valid value looks like.
 */

const LABELS = "connectors.ftp.fields";
const label = (name: string, hasHint = true) => ({
  labelKey: `${LABELS}.${name}.label`,
  ...(hasHint ? { hintKey: `${LABELS}.${name}.hint` } : {}),
});

/**
 * The protocol and how it is protected: FTP with explicit or implicit TLS (FTPS), plain FTP, or
 * SFTP (SSH file transfer, another protocol on the same connector: folders and names are the same).
 */
export const FTP_SECURITY_MODES = ["explicit", "implicit", "sftp", "plain"] as const;
export type FtpSecurity = (typeof FTP_SECURITY_MODES)[number];

/** The port each mode uses when none is given: 21 (explicit FTPS, plain FTP), 990 (implicit FTPS), 22 (SFTP). */
export function defaultPortFor(security: FtpSecurity): number {
  if (security === "implicit") return 990;
  if (security === "sftp") return 22;
  return 21;
}

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^(?:${HOST_LABEL}\\.)*${HOST_LABEL}$`);

/** A host name or an IP address; no scheme, port, path or user part. IPv6 may come in brackets. */
const hostSchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((value) => (value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value))
  .refine((value) => isIP(value) !== 0 || HOSTNAME.test(value), { message: "invalid" });

/** A SHA-256 certificate fingerprint as servers and `openssl x509 -fingerprint -sha256` print it. */
const fingerprintSchema = z
  .string()
  .trim()
  .max(200)
  .transform((value) => value.replace(/^sha-?256\s*(?:fingerprint)?\s*[=:]?\s*/i, "").replace(/[\s:]/g, ""))
  .refine((value) => /^[0-9A-Fa-f]{64}$/.test(value), { message: "invalid" })
  .transform((value) => value.toUpperCase().match(/../g)?.join(":") ?? value);

/**
 * An SSH host key fingerprint in the form OpenSSH prints it: "SHA256:" and the unpadded base64 of
 * the SHA-256 of the key (`ssh-keygen -l`, the "key fingerprint is" line of `ssh`). Accepted as
 * given by people: with or without the "SHA256:" prefix, with "=" padding, inside a whole
 * `ssh-keygen -l` line ("256 SHA256:… comment (ED25519)"), or as 64 hexadecimal digits (colons
 * allowed), as some tools show it. Null when it is none of these (an MD5 fingerprint, a typo).
 */
export function normalizeHostKeyFingerprint(value: string): string | null {
  const text = value.trim();
  let bytes: Buffer;
  const hex = text.replace(/^sha-?256\s*[=:]?\s*/i, "").replace(/:/g, "");
  if (/^[0-9A-Fa-f]{64}$/.test(hex)) {
    bytes = Buffer.from(hex, "hex");
  } else {
    const base64 = (/SHA256:([A-Za-z0-9+/]+)=*/i.exec(text)?.[1] ?? text.replace(/=+$/, "")).trim();
    if (!/^[A-Za-z0-9+/]{43}$/.test(base64)) return null;
    bytes = Buffer.from(base64, "base64");
    // A last character with stray low bits was never printed by OpenSSH: a typo, not a key.
    if (bytes.toString("base64").replace(/=+$/, "") !== base64) return null;
  }
  return bytes.length === 32 ? `SHA256:${bytes.toString("base64").replace(/=+$/, "")}` : null;
}

const hostKeyFingerprintSchema = z
  .string()
  .trim()
  .max(300)
  .transform((value, ctx) => {
    const normalized = normalizeHostKeyFingerprint(value);
    if (normalized === null) {
      ctx.addIssue({ code: "custom", message: "invalid", input: value });
      return z.NEVER;
    }
    return normalized;
  });

/** Control and invisible formatting characters (bidi overrides, zero-width) and line separators. */
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A folder path on the server: segments separated by "/", never "." or "..", no control characters. */
const folderPathSchema = z
  .string()
  .trim()
  .max(500)
  .refine((value) => !CONTROL.test(value) && !value.includes("\\"), { message: "invalid" })
  .refine((value) => value.split("/").every((segment) => segment !== "." && segment !== ".."), {
    message: "invalid",
  });

/** The placeholders a layout may use. */
export const LAYOUT_PLACEHOLDERS = ["dossierFolder", "category", "year"] as const;

/** Whether a layout template is relative, uses only known placeholders and never climbs up. */
export function isValidLayout(template: string): boolean {
  if (template.startsWith("/") || template.includes("\\") || CONTROL.test(template)) return false;
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]);
  if (names.some((name) => !(LAYOUT_PLACEHOLDERS as readonly string[]).includes(name ?? ""))) return false;
  // Braces that do not form a placeholder are a typo.
  if (template.replace(/\{[^{}]*\}/g, "").match(/[{}]/)) return false;
  return template.split("/").every((segment) => segment.trim() !== "." && segment.trim() !== "..");
}

const layoutSchema = z.string().trim().max(300).refine(isValidLayout, { message: "invalid" });

/** One folder name (what {category} becomes): no "/" and nothing that climbs up. */
const folderNameSchema = z
  .string()
  .trim()
  .max(100)
  .refine((value) => !CONTROL.test(value) && !/[/\\]/.test(value) && value !== "." && value !== "..", {
    message: "invalid",
  });

/**
 * The portal connection's public settings (the password is in the secrets). A fingerprint that
 * does not belong to the chosen protocol is refused rather than ignored: a certificate
 * fingerprint means nothing to an SFTP server, a host key fingerprint nothing to an FTPS one, and
 * silently dropping either would leave the admin believing a key is pinned.
 */
export const ftpSettingsSchema = z
  .object({
    host: hostSchema.meta(label("host")),
    /** Blank: 21, 990 for implicit FTPS, 22 for SFTP. */
    port: z.number().int().min(1).max(65535).optional().meta(label("port")),
    username: z.string().trim().min(1).max(256).meta(label("username", false)),
    /** Explicit FTPS unless SFTP or plain FTP is chosen; the hint warns about plain FTP. */
    security: z
      .enum(FTP_SECURITY_MODES)
      .default("explicit")
      .meta({ ...label("security"), optionLabelsKey: "connectors.ftp.security" }),
    /**
     * Certificates are always checked against the system's trusted authorities. For a server with a
     * self-signed certificate, the office gives that certificate's SHA-256 fingerprint: then exactly
     * that certificate is accepted (and no other, not even a valid one).
     */
    certificateFingerprint: fingerprintSchema.optional().meta(label("certificateFingerprint")),
    /**
     * SFTP only. SSH has no certificate authorities: the server is known by its host key. Given,
     * exactly that key is accepted; blank, the key seen at the first successful connection is
     * pinned (secret `pinnedHostKey`) and any other refused after that (host-key.ts).
     */
    hostKeyFingerprint: hostKeyFingerprintSchema.optional().meta(label("hostKeyFingerprint")),
    /** Folder under which everything goes; blank = the folder the FTP user lands in after login. */
    baseFolder: folderPathSchema.optional().meta(label("baseFolder")),
    /** Overrides the package's layout template (for packages whose convention is not public). */
    layout: layoutSchema.optional().meta(label("layout")),
    purchaseFolder: folderNameSchema.optional().meta(label("purchaseFolder")),
    salesFolder: folderNameSchema.optional().meta(label("salesFolder")),
    otherFolder: folderNameSchema.optional().meta(label("otherFolder")),
  })
  .superRefine((settings, ctx) => {
    // Messages are keys under connections.errors (lib/connections/form.ts keeps them).
    if (settings.security === "sftp" && settings.certificateFingerprint !== undefined) {
      ctx.addIssue({ code: "custom", path: ["certificateFingerprint"], message: "ftpCertificateNotForSftp" });
    }
    if (settings.security !== "sftp" && settings.hostKeyFingerprint !== undefined) {
      ctx.addIssue({ code: "custom", path: ["hostKeyFingerprint"], message: "ftpHostKeyNeedsSftp" });
    }
  });
export type FtpSettings = z.infer<typeof ftpSettingsSchema>;

/**
 * An SFTP server's host key as trusted on first use: the fingerprint, and the host and port it
 * was seen at (a pin never carries over to another server when the settings change).
 */
export const pinnedHostKeySchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
  pinnedAt: z.iso.datetime(),
});
export type PinnedHostKey = z.infer<typeof pinnedHostKeySchema>;

/**
 * Write-only in the UI, encrypted at rest. Never trimmed: a password may end in a space.
 * `pinnedHostKey` is the connector's own (`managed`: no form shows it, saving the form keeps it);
 * it sits with the secrets because only the runtime's rotateSecrets can store values a connector
 * learns, under a row lock.
 */
export const ftpSecretsSchema = z.object({
  password: z.string().min(1).max(256).meta(label("password", false)),
  pinnedHostKey: pinnedHostKeySchema.optional().meta({ managed: true }),
});
export type FtpSecrets = z.infer<typeof ftpSecretsSchema>;

/**
 * What a dossier gives: its folder (or code) on the server. Blank = the package's default, e.g.
 * the enterprise number or the VAT number (see defaultDossierFolder in paths.ts); the dossier tab
 * can prefill it with that default.
 */
export const ftpDossierSettingsSchema = z.object({
  dossierFolder: folderNameSchema.optional().meta(label("dossierFolder")),
});
export type FtpDossierSettings = z.infer<typeof ftpDossierSettingsSchema>;

/** The category folder overrides of a connection, by category (undefined = the profile's name). */
export function categoryFolderOverrides(settings: FtpSettings) {
  const byCategory = { purchase: settings.purchaseFolder, sales: settings.salesFolder, other: settings.otherFolder };
  return Object.fromEntries(
    DOCUMENT_CATEGORIES.flatMap((category) => (byCategory[category] ? [[category, byCategory[category]]] : [])),
  ) as Partial<Record<(typeof DOCUMENT_CATEGORIES)[number], string>>;
}
