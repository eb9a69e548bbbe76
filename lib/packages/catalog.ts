/**
 * The bookkeeping packages Koppel delivers to, as data: names, channels, e-mail address rules and
 * FTP profiles. Code never branches on package names outside this file and the connector folders.
 * Facts come from ../shared/reference/connectors.md; each rule says whether it is verified or
 * assumed, and the package's page in docs/integrations says what a customer must confirm. Adding a
 * package: docs/adding-a-package.md.
 */
export const CHANNELS = ["api", "ftp", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

export const DOCUMENT_CATEGORIES = ["purchase", "sales", "other"] as const;
export type DocumentCategory = (typeof DOCUMENT_CATEGORIES)[number];

/** How sure we are of a fact about a package. */
export type FactStatus = "verified" | "assumed" | "unknown";

/**
 * A value the dossier must give so the standard address can be computed, e.g. Octopus' mailbox
 * code or the office's Clearfacts subdomain. `pattern` is a RegExp source the trimmed value must
 * match in full (anchored with ^…$). `labelKey`/`hintKey` are i18n keys under "connectors.inputs".
 */
export type EmailRuleInput = { name: string; labelKey: string; hintKey?: string; pattern: string; example: string };

/**
 * The standard e-mail addresses of a package, per document category. A template uses
 * {placeholders}: {companyNumber} (10 digits), {vatNumber}, and the rule's own inputs; the result
 * is lower-cased. A category with null cannot be delivered by mail to this package. `kind: "ask"`
 * means no public rule exists (or the package generates random addresses): the standard option
 * asks for the addresses, like the individual one, and says why.
 */
export type EmailRule =
  | {
      kind: "template";
      status: FactStatus;
      inputs: readonly EmailRuleInput[];
      addresses: Readonly<Record<DocumentCategory, string | null>>;
      /** Domain the package's addresses end in, to catch typos in individual addresses. */
      domainHint?: string;
      /** The package drops mail from unknown senders unless Koppel's sender is allowed there. */
      hasSenderFilter?: boolean;
      /** Extra rule the UI shows, e.g. "only PDF is recognised" (i18n key). */
      noteKey?: string;
    }
  | {
      kind: "ask";
      status: FactStatus;
      /** Which categories the package accepts by mail (each must be filled in). */
      categories: readonly DocumentCategory[];
      /** Domain the package's addresses end in, when known, to catch typos (e.g. "exactonline.be"). */
      domainHint?: string;
      /** The package drops mail from unknown senders unless Koppel's sender is allowed there. */
      hasSenderFilter?: boolean;
      noteKey?: string;
    };

/** An FTP package's folder layout and file naming (the FTP connector uses it). */
export type FtpProfile = {
  status: FactStatus;
  /** Folder under the connection's base folder, with {dossierFolder}, {category}, {year}. */
  layout: string;
  /** Folder names per category (what {category} becomes). */
  categoryFolders: Readonly<Record<DocumentCategory, string>>;
  /** What the dossier folder defaults to. */
  dossierFolderDefault: "companyNumber" | "vatNumber" | "none";
};

/**
 * The form a UBL e-invoice (Peppol BIS 3) takes when it goes to a package: the XML itself, a PDF
 * of it (the PDF the XML carries, else Koppel's rendering), or that PDF with the XML next to it
 * (Yuki's attachment, a second file on FTP, a second attachment by mail). lib/ubl/delivery-file.ts
 * turns it into what the connector receives.
 */
export const UBL_FORMS = ["xml", "pdf", "both"] as const;
export type UblForm = (typeof UBL_FORMS)[number];

/** A UBL form with how sure we are of it: "verified" when a public source says the package reads it. */
export type UblFormFact = { form: UblForm; status: Exclude<FactStatus, "unknown"> };

/**
 * How a package takes UBL e-invoices. A package with nothing public gets an assumed default
 * ("both" loses nothing where the importer reads either; "pdf" where every file becomes a
 * document of its own). `byChannel` covers a channel that differs (Yuki's mailbox recognises
 * only PDF while its API stores the UBL with the PDF).
 */
export type UblRule = UblFormFact & { byChannel?: Partial<Record<Channel, UblFormFact>> };

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
  /** The form a UBL e-invoice is delivered in (see UblRule). */
  ubl: UblRule;
  /**
   * How long a delivery to this package keeps retrying retryable failures (an unreachable server,
   * 5xx, 429) before the document ends Failed; unset → DEFAULT_RETRY_HORIZON_HOURS in
   * lib/dispatch/retry-policy.ts (24 hours).
   */
  retryHorizonHours?: number;
  /**
   * A package that exists only for tests (it exercises the platform against a fake). Every
   * lookup and listing below hides it — no picker, option, connection, webhook, OAuth route or
   * registry knows it — unless a test called enableTestOnlyPackages().
   */
  isTestOnly?: boolean;
};

// Reusable patterns (RegExp sources, matched against the trimmed value).
const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const DOMAIN = `^(?:${HOST_LABEL}\\.)+[A-Za-z]{2,63}$`;

/** Folder names for the generic layout, used where a package's own convention is unknown. */
const GENERIC_FOLDERS = { purchase: "purchase", sales: "sales", other: "other" } as const;

/*
 * Sources: ../shared/reference/connectors.md (§2.8 Yuki, §3.6 Exact, §6 Clearfacts, §7 FTP, §8 mail)
 * and the vendors' own help pages named per entry. "verified" = a public source states it;
 * "assumed" = our reading, to be confirmed by the office; "unknown" = nothing public.
 */
const CATALOG = [
  {
    id: "yuki",
    name: "Yuki",
    initials: "YU",
    channels: ["api", "email"],
    // Archive.asmx UploadDocumentWithAttachment stores "the PDF plus its UBL XML" as one document
    // (reference §2.4, S10); the mailbox recognises only PDF and makes a purchase invoice of every
    // attachment (§2.8, S16), so by mail the PDF alone.
    ubl: { form: "both", status: "verified", byChannel: { email: { form: "pdf", status: "verified" } } },
    // Each administration has an inbound address `<name>@yukiworks.be` (Settings › Domain ›
    // Administrations); mailed attachments become purchase invoices, only PDF is recognised
    // (reference §2.8). The French help shows `invoices@<domain>.yukiworks.be` instead, hence
    // "assumed": an office whose Yuki shows that form picks individual addresses.
    email: {
      kind: "template",
      status: "assumed",
      inputs: [
        {
          name: "mailbox",
          labelKey: "connectors.inputs.yukiMailbox.label",
          hintKey: "connectors.inputs.yukiMailbox.hint",
          pattern: "^[A-Za-z0-9_]{1,64}$",
          example: "bakkerijwouters",
        },
      ],
      addresses: { purchase: "{mailbox}@yukiworks.be", sales: null, other: null },
      domainHint: "yukiworks.be",
      noteKey: "connectors.packages.yuki.note",
    },
    apiDossierFieldKey: "connectors.apiFields.administrationId",
  },
  {
    id: "exact-online",
    name: "Exact Online",
    initials: "EO",
    channels: ["api", "email"],
    // The documented recipe attaches a file to a Document (reference §3.3, S29); nothing public says
    // Exact reads a UBL attachment or a mailed XML: the PDF, assumed.
    ubl: { form: "pdf", status: "assumed" },
    // Exact generates one random address per document type under "Linked email addresses"
    // (`…@aankoop.exactonline.be`, `…@inkoop/verkoop.exactonline.nl`) and processes mail only
    // from senders on its "Allowed senders" list (reference §3.6).
    email: {
      kind: "ask",
      status: "verified",
      categories: ["purchase", "sales"],
      domainHint: "exactonline.be",
      hasSenderFilter: true,
      noteKey: "connectors.packages.exact-online.note",
    },
    apiDossierFieldKey: "connectors.apiFields.division",
  },
  {
    id: "wolters-kluwer",
    name: "Wolters Kluwer",
    initials: "WK",
    channels: ["api"],
    // The DMS upload endpoint is not public (reference §4.1, §12.3): the PDF, assumed; the connector
    // posts one file.
    ubl: { form: "pdf", status: "assumed" },
    // Adsolut Public API: the company is an administration GUID (reference §4.1).
    apiDossierFieldKey: "connectors.apiFields.administrationId",
  },
  {
    id: "syneton-dms",
    name: "Syneton DMS",
    initials: "SY",
    channels: ["api"],
    // Admin-DMS keeps documents to look at; no public upload contract (reference §5): the PDF, assumed.
    ubl: { form: "pdf", status: "assumed" },
    // Admin-DMS documents hang under a customer record (reference §5).
    apiDossierFieldKey: "connectors.apiFields.customerId",
  },
  {
    id: "expert-m",
    name: "Expert/M",
    initials: "EM",
    channels: ["ftp"],
    // Expert/M imports UBL(+PDF) files from the linked-documents folders (reference §4.3, §7.2, S62).
    ubl: { form: "both", status: "verified" },
    // Two folders per dossier (purchase/sales) under "linked documents"; one folder per company
    // named after the enterprise number, as BillSync does (reference §4.3, §7.2; names assumed).
    ftp: {
      status: "assumed",
      layout: "{dossierFolder}/{category}",
      categoryFolders: { purchase: "Aankoop", sales: "Verkoop", other: "Divers" },
      dossierFolderDefault: "companyNumber",
    },
  },
  {
    id: "vero-online",
    name: "Vero Online",
    initials: "VO",
    channels: ["ftp"],
    // VERO imports UBL/e-fff and shows the PDF next to the booking (reference §4.4, §7.2, S65).
    ubl: { form: "both", status: "verified" },
    // No public folder convention (reference §4.4, §12.6): generic layout.
    ftp: {
      status: "unknown",
      layout: "{dossierFolder}/{category}",
      categoryFolders: GENERIC_FOLDERS,
      dossierFolderDefault: "companyNumber",
    },
  },
  {
    id: "sage-bob",
    name: "Sage BOB",
    initials: "SB",
    channels: ["ftp"],
    // BOB Demat's folder watch is documented for PDF files (S83); that it takes the UBL next to it
    // is our assumption (reference §7.2).
    ubl: { form: "both", status: "assumed" },
    // BOB Demat watches folders per dossier; the public example is `KLANT1/Scans/Aankopen` and
    // `KLANT1/Scans/Verkopen` (reference §7.1, S83). The dossier folder name is the office's choice.
    ftp: {
      status: "assumed",
      layout: "{dossierFolder}/Scans/{category}",
      categoryFolders: { purchase: "Aankopen", sales: "Verkopen", other: "Diversen" },
      dossierFolderDefault: "companyNumber",
    },
  },
  {
    id: "account-2000",
    name: "Account 2000",
    initials: "A2",
    channels: ["ftp"],
    // Nothing public: the XML with its PDF, so whichever the importer reads is there (assumed).
    ubl: { form: "both", status: "assumed" },
    // Nothing public (reference §7.2, §12.6): generic layout.
    ftp: {
      status: "unknown",
      layout: "{dossierFolder}/{category}",
      categoryFolders: GENERIC_FOLDERS,
      dossierFolderDefault: "companyNumber",
    },
  },
  {
    id: "adsolut",
    name: "Adsolut",
    initials: "AD",
    channels: ["ftp"],
    // Adsolut imports UBL/e-fff from its EFFFPATH folder (reference §4.2, S58 S59); the PDF goes
    // next to it under the same name.
    ubl: { form: "both", status: "verified" },
    // WK-hosted SFTP: the EFFFPATH dossier folder is named after the VAT number and holds sales
    // and purchase sub-folders (reference §4.2, §7.2); the sub-folder names are configurable, ours
    // are assumed.
    ftp: {
      status: "assumed",
      layout: "{dossierFolder}/{category}",
      categoryFolders: { purchase: "Aankoop", sales: "Verkoop", other: "Divers" },
      dossierFolderDefault: "vatNumber",
    },
  },
  {
    id: "generic-ftp",
    name: "FTP",
    initials: "FT",
    channels: ["ftp"],
    // Our convention: the XML and its PDF under one name, the importer takes what it reads.
    ubl: { form: "both", status: "assumed" },
    // Our own convention for any other package: the office points its importer at these folders.
    ftp: {
      status: "assumed",
      layout: "{dossierFolder}/{category}",
      categoryFolders: GENERIC_FOLDERS,
      dossierFolderDefault: "companyNumber",
    },
  },
  {
    id: "clearfacts",
    name: "Clearfacts",
    initials: "CF",
    channels: ["email"],
    // Clearfacts' mailbox takes UBL and PDF ("Via E-mail (UBL, PDF)", reference §6, §8, S76).
    ubl: { form: "both", status: "verified" },
    // One fixed address per tray: `<tray><enterprise number>@<office>.clearfacts.be`, the
    // structure cannot be changed (reference §6, Clearfacts help "Via E-mail (UBL, PDF)"). The
    // tray names are not published: aankoop/verkoop/divers is our assumption.
    email: {
      kind: "template",
      status: "assumed",
      inputs: [
        {
          name: "office",
          labelKey: "connectors.inputs.clearfactsOffice.label",
          hintKey: "connectors.inputs.clearfactsOffice.hint",
          pattern: `^${HOST_LABEL}$`,
          example: "mijnkantoor",
        },
      ],
      addresses: {
        purchase: "aankoop{companyNumber}@{office}.clearfacts.be",
        sales: "verkoop{companyNumber}@{office}.clearfacts.be",
        other: "divers{companyNumber}@{office}.clearfacts.be",
      },
      domainHint: "clearfacts.be",
      noteKey: "connectors.packages.clearfacts.note",
    },
  },
  {
    id: "lyanthe",
    name: "Lyanthe",
    initials: "LY",
    channels: ["email"],
    // Lyanthe refuses mixed file types in one mail (reference §8, S90 S91): the PDF alone, assumed.
    ubl: { form: "pdf", status: "assumed" },
    // Mailroom address `<10 digits>-99@<organisation domain>.com`; with the organisation-wide
    // two-address setup `-99p` takes purchases and `-99s` sales (reference §8, Lyanthe help
    // 11940283447058). The 10 digits are Lyanthe's number for the administration, not the
    // enterprise number, so the office copies them.
    email: {
      kind: "template",
      status: "assumed",
      inputs: [
        {
          name: "mailroomNumber",
          labelKey: "connectors.inputs.lyantheMailroomNumber.label",
          hintKey: "connectors.inputs.lyantheMailroomNumber.hint",
          pattern: "^[0-9]{10}$",
          example: "1234567890",
        },
        {
          name: "domain",
          labelKey: "connectors.inputs.lyantheDomain.label",
          hintKey: "connectors.inputs.lyantheDomain.hint",
          pattern: DOMAIN,
          example: "mijnkantoor.com",
        },
      ],
      addresses: {
        purchase: "{mailroomNumber}-99p@{domain}",
        sales: "{mailroomNumber}-99s@{domain}",
        other: null,
      },
      noteKey: "connectors.packages.lyanthe.note",
    },
  },
  {
    id: "octopus",
    name: "Octopus",
    initials: "OC",
    channels: ["email"],
    // Octopus' Document Import takes structured PDFs only (reference §8, S16).
    ubl: { form: "pdf", status: "verified" },
    // Octopus' own manual (login.octopus.be/manual/NL/ocr.htm) gives each dossier one mailbox,
    // e.g. `uid-008352-24@import.octopus.be`, landing in the Document Import Viewer. The
    // reference (§8, via Doccle) shows `<code>@docin.octopus.be` instead: the two disagree, so
    // "assumed" until an office confirms; other forms go through individual addresses.
    email: {
      kind: "template",
      status: "assumed",
      inputs: [
        {
          name: "code",
          labelKey: "connectors.inputs.octopusCode.label",
          hintKey: "connectors.inputs.octopusCode.hint",
          pattern: "^[0-9]{1,10}(?:-[0-9]{1,4})*$",
          example: "008352-24",
        },
      ],
      addresses: {
        purchase: "uid-{code}@import.octopus.be",
        sales: "uid-{code}@import.octopus.be",
        other: "uid-{code}@import.octopus.be",
      },
      domainHint: "octopus.be",
      noteKey: "connectors.packages.octopus.note",
    },
  },
  {
    id: "winbooks",
    name: "Winbooks",
    initials: "WB",
    channels: ["email"],
    // Nothing public about UBL by mail: the XML with its PDF (assumed).
    ubl: { form: "both", status: "assumed" },
    // WinBooks Connect has a fixed address per dossier and platforms send to per-type postbox
    // addresses (reference §8, S92 S93); the pattern itself is not public.
    email: {
      kind: "ask",
      status: "assumed",
      categories: ["purchase", "sales"],
      noteKey: "connectors.packages.winbooks.note",
    },
  },
  {
    id: "zenvoices",
    name: "Zenvoices",
    initials: "ZE",
    channels: ["email"],
    // Every attachment becomes a document of its own (reference §8, S89): the PDF alone, so an
    // invoice is not imported twice (assumed).
    ubl: { form: "pdf", status: "assumed" },
    // Each administration has `<name>.<n>@to-zenvoices.com` (Manage › Environment ›
    // Administrations); every attachment becomes a document; a spam filter is on by default
    // (reference §8, Zenvoices help 735708). Per-journal addresses `<name>.<journal>.<n>@` exist
    // for sales; the journal code is the office's, so those go through individual addresses.
    email: {
      kind: "template",
      status: "verified",
      inputs: [
        {
          name: "name",
          labelKey: "connectors.inputs.zenvoicesName.label",
          hintKey: "connectors.inputs.zenvoicesName.hint",
          pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$",
          example: "bakkerijwouters",
        },
        {
          name: "number",
          labelKey: "connectors.inputs.zenvoicesNumber.label",
          hintKey: "connectors.inputs.zenvoicesNumber.hint",
          pattern: "^[0-9]{1,9}$",
          example: "7",
        },
      ],
      addresses: { purchase: "{name}.{number}@to-zenvoices.com", sales: null, other: null },
      domainHint: "to-zenvoices.com",
      hasSenderFilter: true,
      noteKey: "connectors.packages.zenvoices.note",
    },
  },
  {
    id: "scan-sys",
    name: "Scan Sys",
    initials: "SS",
    channels: ["email"],
    // Nothing public; a scanning service reads PDF (assumed).
    ubl: { form: "pdf", status: "assumed" },
    // Nothing public (reference §8, §12.7).
    email: {
      kind: "ask",
      status: "unknown",
      categories: ["purchase", "sales"],
      noteKey: "connectors.packages.scan-sys.note",
    },
  },
  {
    id: "admisol",
    name: "Admisol",
    initials: "AS",
    channels: ["email"],
    // Office rules seen say "PDF & UBL only" (reference §8, S97): both, assumed.
    ubl: { form: "both", status: "assumed" },
    // No public address rule; office-specific rules seen: PDF and UBL only, at most 15 pages per
    // file (reference §8, S97). Platforms ask offices to allow their sender.
    email: {
      kind: "ask",
      status: "unknown",
      categories: ["purchase", "sales"],
      hasSenderFilter: true,
      noteKey: "connectors.packages.admisol.note",
    },
  },
  {
    id: "wings",
    name: "Wings",
    initials: "WI",
    channels: ["email"],
    // Wings reads e-fff / Peppol UBL (reference §8, S94); by mail unknown: both, assumed.
    ubl: { form: "both", status: "assumed" },
    // Wings Online is reached by API by other platforms; no mail rule is public (reference §8).
    email: {
      kind: "ask",
      status: "unknown",
      categories: ["purchase", "sales"],
      noteKey: "connectors.packages.wings.note",
    },
  },
  {
    // Exists only in tests (isTestOnly: hidden from every user-facing list and service): the
    // smallest API package, proving what adding one takes (docs/adding-a-package.md).
    id: "test-api",
    name: "Test API (tests only)",
    initials: "TA",
    channels: ["api"],
    // Stores what it gets: the XML as is, so tests see the original.
    ubl: { form: "xml", status: "assumed" },
    apiDossierFieldKey: "connectors.testApi.fields.ledgerId.label",
    isTestOnly: true,
  },
] as const satisfies readonly PackageEntry[];

export type PackageId = (typeof CATALOG)[number]["id"];

/** A package of the catalog, with its id typed as one of the catalog's. */
export type CatalogEntry = PackageEntry & { id: PackageId };

const USER_PACKAGES: readonly CatalogEntry[] = CATALOG.filter((entry: PackageEntry) => !entry.isTestOnly);
const BY_ID = new Map<string, CatalogEntry>(CATALOG.map((entry) => [entry.id, entry]));

let areTestOnlyPackagesEnabled = false;

/**
 * Makes the test-only packages (isTestOnly) exist for this process, for a test that exercises the
 * platform with one; returns the undo. Refused outside tests (NODE_ENV "test", as vitest sets it),
 * so no deployment can show them.
 */
export function enableTestOnlyPackages(): () => void {
  if (process.env.NODE_ENV !== "test") throw new Error("test-only packages exist only under test");
  areTestOnlyPackagesEnabled = true;
  return () => {
    areTestOnlyPackagesEnabled = false;
  };
}

/**
 * The packages, in display order: the one list every picker, option and service reads (directly
 * or through the lookups below), without the test-only ones unless a test enabled them.
 */
export function listPackages(): readonly CatalogEntry[] {
  return areTestOnlyPackagesEnabled ? CATALOG : USER_PACKAGES;
}

function shown(entry: CatalogEntry | undefined): CatalogEntry | undefined {
  return entry && (!entry.isTestOnly || areTestOnlyPackagesEnabled) ? entry : undefined;
}

/** The package with this id, or undefined for an unknown id (or a test-only one while hidden). */
export function findPackage(id: string | null | undefined): CatalogEntry | undefined {
  return id ? shown(BY_ID.get(id)) : undefined;
}

/** Whether the id names a package that exists here (a hidden test-only package does not). */
export function isPackageId(id: string): id is PackageId {
  return shown(BY_ID.get(id)) !== undefined;
}

/** Packages that take documents by mail, in display order. */
export function emailPackages(): CatalogEntry[] {
  return listPackages().filter((entry) => entry.channels.includes("email"));
}

/** Free mail has no catalog package; the e-mail connector still wants one for its context. */
export function freeMailPackage(name: string | undefined): PackageEntry {
  // A person or a system we do not know reads free mail: the PDF to read and the XML for software.
  return {
    id: "free-email",
    name: name ?? "E-mail",
    initials: "@",
    channels: ["email"],
    ubl: { form: "both", status: "assumed" },
  };
}

/** The form a UBL e-invoice takes on one channel of a package (its byChannel entry, else its own). */
export function ublFormFor(entry: Pick<PackageEntry, "ubl">, channel: Channel): UblFormFact {
  const own = entry.ubl.byChannel?.[channel];
  return own ?? { form: entry.ubl.form, status: entry.ubl.status };
}
