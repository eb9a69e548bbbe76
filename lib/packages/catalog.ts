/**
 * The bookkeeping packages Koppel delivers to, as data. Connector details (FTP profiles,
 * address rules, API settings) grow here as the channels are built; code never branches on
 * package names outside this file and the connector folders.
 */
export const CHANNELS = ["api", "ftp", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

export type PackageEntry = {
  id: string;
  name: string;
  /** Shown in a neutral badge instead of third-party logos. */
  initials: string;
  channels: readonly Channel[];
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
