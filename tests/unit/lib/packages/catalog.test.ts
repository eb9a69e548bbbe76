import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/lib/i18n/messages";
import {
  CHANNELS,
  type Channel,
  DOCUMENT_CATEGORIES,
  emailPackages,
  enableTestOnlyPackages,
  findPackage,
  freeMailPackage,
  isPackageId,
  listPackages,
  type PackageEntry,
  UBL_FORMS,
  ublFormFor,
} from "@/lib/packages/catalog";
import { DOSSIER_PLACEHOLDERS, placeholdersOf, standardAddresses } from "@/lib/packages/email-addresses";

// Test-only packages are catalog entries too: the same rules hold for them.
enableTestOnlyPackages();
const ENTRIES: readonly PackageEntry[] = listPackages();
const byId = ENTRIES.map((entry) => [entry.id, entry] as const);

/** Looks up "connectors.inputs.x.label" in a message tree. */
function messageAt(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

describe("package catalog", () => {
  it("has unique, kebab-case ids", () => {
    const ids = ENTRIES.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it("has unique two-character initials for the neutral badge", () => {
    const initials = ENTRIES.map((entry) => entry.initials);
    for (const value of initials) expect(value).toMatch(/^[A-Z0-9]{2}$/);
    expect(new Set(initials).size).toBe(initials.length);
  });

  /**
   * The mission table's rows: each of these packages is in the catalog on exactly these channels.
   * A package added later needs no line here (docs/adding-a-package.md); it is checked by the
   * per-entry tests below like every other.
   */
  const MISSION_TABLE: readonly (readonly [string, readonly Channel[]])[] = [
    ["yuki", ["api", "email"]],
    ["exact-online", ["api", "email"]],
    ["wolters-kluwer", ["api"]],
    ["syneton-dms", ["api"]],
    ["expert-m", ["ftp"]],
    ["vero-online", ["ftp"]],
    ["sage-bob", ["ftp"]],
    ["account-2000", ["ftp"]],
    ["adsolut", ["ftp"]],
    ["generic-ftp", ["ftp"]],
    ["clearfacts", ["email"]],
    ["lyanthe", ["email"]],
    ["octopus", ["email"]],
    ["winbooks", ["email"]],
    ["zenvoices", ["email"]],
    ["scan-sys", ["email"]],
    ["admisol", ["email"]],
    ["wings", ["email"]],
  ];

  it.each(MISSION_TABLE)("has the mission table's %s on %j", (id, channels) => {
    expect([...(findPackage(id)?.channels ?? [])].sort()).toEqual([...channels].sort());
  });

  it("lists the mail packages in catalog order", () => {
    expect(emailPackages().map((entry) => entry.id)).toEqual(
      ENTRIES.filter((entry) => entry.channels.includes("email")).map((entry) => entry.id),
    );
  });

  it.each(byId)("%s: channels are known and unique", (_, entry) => {
    expect(entry.channels.length).toBeGreaterThan(0);
    expect(new Set(entry.channels).size).toBe(entry.channels.length);
    for (const channel of entry.channels) expect(CHANNELS).toContain(channel);
  });

  it.each(byId)(
    "%s: has an e-mail rule exactly when it takes mail, an FTP profile exactly for FTP, an API field exactly for API",
    (_, entry) => {
      expect(entry.email !== undefined).toBe(entry.channels.includes("email"));
      expect(entry.ftp !== undefined).toBe(entry.channels.includes("ftp"));
      expect(entry.apiDossierFieldKey !== undefined).toBe(entry.channels.includes("api"));
    },
  );

  const mailEntries = byId.filter(([, entry]) => entry.email);

  it.each(mailEntries)("%s: the e-mail rule is coherent", (_, entry) => {
    const rule = entry.email;
    if (!rule) throw new Error("unreachable");
    if (rule.kind === "ask") {
      expect(rule.categories.length).toBeGreaterThan(0);
      expect(new Set(rule.categories).size).toBe(rule.categories.length);
      return;
    }
    const inputNames = rule.inputs.map((input) => input.name);
    expect(new Set(inputNames).size).toBe(inputNames.length);
    // Inputs never shadow the dossier's own placeholders.
    for (const name of inputNames) expect(DOSSIER_PLACEHOLDERS).not.toContain(name);
    const templates = DOCUMENT_CATEGORIES.map((category) => rule.addresses[category]).filter(
      (template): template is string => template !== null,
    );
    expect(templates.length).toBeGreaterThan(0);
    const used = new Set(templates.flatMap(placeholdersOf));
    // Placeholders only use known inputs or the dossier's data…
    for (const name of used) expect([...inputNames, ...DOSSIER_PLACEHOLDERS]).toContain(name);
    // …and every input the form asks for is used somewhere.
    for (const name of inputNames) expect(used).toContain(name);
    for (const template of templates) expect(template).toMatch(/^[^@\s]+@[^@\s]+$/);
  });

  it.each(mailEntries.filter(([, entry]) => entry.email?.kind === "template"))(
    "%s: every input's example matches its pattern, and the examples make valid addresses",
    (_, entry) => {
      const rule = entry.email;
      if (rule?.kind !== "template") throw new Error("unreachable");
      for (const input of rule.inputs) {
        expect(input.pattern.startsWith("^") && input.pattern.endsWith("$")).toBe(true);
        expect(new RegExp(input.pattern).test(input.example)).toBe(true);
      }
      const inputs = Object.fromEntries(rule.inputs.map((input) => [input.name, input.example]));
      const result = standardAddresses(entry, { companyNumber: "0123456749", vatNumber: "BE0123456749" }, inputs);
      expect(result.ok).toBe(true);
    },
  );

  it.each(mailEntries.filter(([, entry]) => entry.email?.domainHint))(
    "%s: the domain hint is a bare lower-case domain that the standard addresses end in",
    (_, entry) => {
      const rule = entry.email;
      const hint = rule?.domainHint ?? "";
      expect(hint).toMatch(/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/);
      if (rule?.kind === "template") {
        for (const category of DOCUMENT_CATEGORIES) {
          const template = rule.addresses[category];
          if (template) expect(template.split("@")[1]?.endsWith(hint)).toBe(true);
        }
      }
    },
  );

  it.each(byId.filter(([, entry]) => entry.ftp))("%s: the FTP profile is coherent", (_, entry) => {
    const profile = entry.ftp;
    if (!profile) throw new Error("unreachable");
    for (const name of placeholdersOf(profile.layout)) expect(["dossierFolder", "category", "year"]).toContain(name);
    expect(profile.layout).toContain("{category}");
    expect(profile.layout.startsWith("/")).toBe(false);
    const folders = DOCUMENT_CATEGORIES.map((category) => profile.categoryFolders[category]);
    expect(new Set(folders).size).toBe(folders.length);
    for (const folder of folders) expect(folder).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each(byId)("%s: says which form a UBL e-invoice takes, and how sure that is", (_, entry) => {
    expect(UBL_FORMS).toContain(entry.ubl.form);
    expect(["verified", "assumed"]).toContain(entry.ubl.status);
    for (const [channel, fact] of Object.entries(entry.ubl.byChannel ?? {})) {
      // An override only for a channel the package has, and only when it differs.
      expect(entry.channels).toContain(channel);
      expect(UBL_FORMS).toContain(fact.form);
      expect(["verified", "assumed"]).toContain(fact.status);
      expect(fact.form).not.toBe(entry.ubl.form);
    }
  });

  it("sends Yuki's API the PDF with its UBL, its mailbox the PDF alone", () => {
    const yuki = findPackage("yuki");
    expect(yuki && ublFormFor(yuki, "api")).toEqual({ form: "both", status: "verified" });
    expect(yuki && ublFormFor(yuki, "email")).toEqual({ form: "pdf", status: "verified" });
    expect(ublFormFor(freeMailPackage(undefined), "email").form).toBe("both");
    expect(findPackage("expert-m")?.ubl).toEqual({ form: "both", status: "verified" });
    expect(findPackage("octopus")?.ubl.form).toBe("pdf");
  });

  it("finds packages by id and tells ids apart", () => {
    expect(findPackage("octopus")?.name).toBe("Octopus");
    expect(findPackage("nope")).toBeUndefined();
    expect(findPackage(null)).toBeUndefined();
    expect(isPackageId("exact-online")).toBe(true);
    expect(isPackageId("exact")).toBe(false);
  });
});

describe("catalog i18n keys", () => {
  const keys = ENTRIES.flatMap((entry) => {
    const rule = entry.email;
    const found: string[] = [];
    if (rule?.noteKey) found.push(rule.noteKey);
    if (rule?.kind === "template") {
      for (const input of rule.inputs) {
        found.push(input.labelKey);
        if (input.hintKey) found.push(input.hintKey);
      }
    }
    if (entry.apiDossierFieldKey) found.push(entry.apiDossierFieldKey);
    return found.map((key) => [entry.id, key] as const);
  });

  it.each(keys)("%s: %s is a Dutch message", (_, key) => {
    expect(typeof messageAt(MESSAGES.nl, key)).toBe("string");
  });

  it("has a note for every mail package, so the UI can say what the rule means", () => {
    for (const entry of emailPackages()) expect(entry.email?.noteKey).toBe(`connectors.packages.${entry.id}.note`);
  });

  it("names every channel, category and fact status", () => {
    for (const channel of CHANNELS)
      expect(typeof messageAt(MESSAGES.nl, `connectors.channels.${channel}`)).toBe("string");
    for (const category of DOCUMENT_CATEGORIES) {
      expect(typeof messageAt(MESSAGES.nl, `connectors.categories.${category}`)).toBe("string");
    }
    for (const status of ["verified", "assumed", "unknown"]) {
      expect(typeof messageAt(MESSAGES.nl, `connectors.status.${status}`)).toBe("string");
      expect(typeof messageAt(MESSAGES.nl, `connectors.statusHints.${status}`)).toBe("string");
    }
  });
});
