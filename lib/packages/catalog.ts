/**
 * The bookkeeping packages Koppel delivers to, as data: names, channels, e-mail address rules and
 * FTP profiles. Code never branches on package names outside this file and the connector folders.
 * Facts come from ../shared/reference/connectors.md; each rule says whether it is verified or
 * assumed, and the package's page in docs/integrations says what a customer must confirm.
 */
export const CHANNELS = ["api", "ftp", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

export const DOCUMENT_CATEGORIES = ["purchase", "sales", "other"] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];

/** How sure we are of a fact about a package. */
export type FactStatus = "verified" | "assumed" | "unknown";

/**
 * A value the dossier must give so the standard address can be computed, e.g. Octopus' mailbox
 * code or the office's Clearfacts subdomain. `pattern` is a RegExp source the value must match.
 */
export type EmailRuleInput = { name: string; labelKey: string; hintKey?: string; pattern: string; example: string };

/**
 * The standard e-mail addresses of a package, per document category. A template uses
 * {placeholders}: {companyNumber} (10 digits), {vatNumber}, and the rule's own inputs. A category
 * with null cannot be delivered by mail to this package. `kind: "ask"` means no public rule
 * exists: the standard option asks for the addresses, like the individual one, and says why.
 */
export type EmailRule =
  | {
      kind: "template";
      status: FactStatus;
      inputs: readonly EmailRuleInput[];
      addresses: Readonly<Record<DocumentCategory, string | null>>;
      /** Extra rule the UI shows, e.g. "only PDF is recognised" (i18n key). */
      noteKey?: string;
    }
  | {
      kind: "ask";
      status: FactStatus;
      /** Which categories the package accepts by mail. */
      categories: readonly DocumentCategory[];
      /** Domain the package's addresses end in, when known, to catch typos (e.g. "clearfacts.be"). */
      domainHint?: string;
      noteKey?: string;
    };

/** An FTP package's folder layout and file naming (the FTP connector uses it). */
export type FtpProfile = {
  status: FactStatus;
  /** Folder under the connection's base folder, with {dossierFolder}, {category}, {year}. */
  layout: string;
  /** Folder names per category. */
  categoryFolders: Readonly<Record<DocumentCategory, string>>;
  /** What the dossier folder defaults to. */
  dossierFolderDefault: "companyNumber" | "vatNumber" | "none";
};

export type PackageEntry = {
  id: string;
  name: string;
  /** Shown in a neutral badge instead of third-party logos. */
  initials: string;
  channels: readonly Channel[];
  email?: EmailRule;
  ftp?: FtpProfile;
  /** What the dossier gives for the API channel (i18n key of the field), e.g. the division. */
  apiDossierFieldKey?: string;
};

export const PACKAGES = [
  { id: "yuki", name: "Yuki", initials: "YU", channels: ["api", "email"] },
  { id: "exact-online", name: "Exact Online", initials: "EO", channels: ["api", "email"] },
  { id: "wolters-kluwer", name: "Wolters Kluwer", initials: "WK", channels: ["api"] },
  { id: "syneton-dms", name: "Syneton DMS", initials: "SY", channels: ["api"] },
  { id: "expert-m", name: "Expert/M", initials: "EM", channels: ["ftp"] },
  { id: "vero-online", name: "Vero Online", initials: "VO", channels: ["ftp"] },
  { id: "sage-bob", name: "Sage BOB", initials: "SB", channels: ["ftp"] },
  { id: "account-2000", name: "Account 2000", initials: "A2", channels: ["ftp"] },
  { id: "adsolut", name: "Adsolut", initials: "AD", channels: ["ftp"] },
  { id: "generic-ftp", name: "FTP", initials: "FT", channels: ["ftp"] },
  { id: "clearfacts", name: "Clearfacts", initials: "CF", channels: ["email"] },
  { id: "lyanthe", name: "Lyanthe", initials: "LY", channels: ["email"] },
  { id: "octopus", name: "Octopus", initials: "OC", channels: ["email"] },
  { id: "winbooks", name: "Winbooks", initials: "WB", channels: ["email"] },
  { id: "zenvoices", name: "Zenvoices", initials: "ZE", channels: ["email"] },
  { id: "scan-sys", name: "Scan Sys", initials: "SS", channels: ["email"] },
  { id: "admisol", name: "Admisol", initials: "AS", channels: ["email"] },
  { id: "wings", name: "Wings", initials: "WI", channels: ["email"] },
] as const satisfies readonly PackageEntry[];

export type PackageId = (typeof PACKAGES)[number]["id"];

const BY_ID = new Map<string, PackageEntry>(PACKAGES.map((entry) => [entry.id, entry]));

export function findPackage(id: string | null | undefined): PackageEntry | undefined {
  return id ? BY_ID.get(id) : undefined;
}

export function isPackageId(id: string): id is PackageId {
  return BY_ID.has(id);
}

/** Packages that take documents by mail, in display order. */
export function emailPackages(): PackageEntry[] {
  return PACKAGES.filter((entry) => (entry.channels as readonly Channel[]).includes("email"));
}
