import { describe, expect, it } from "vitest";
import { type DocumentCategory, findPackage, type PackageEntry, type PackageId } from "@/lib/packages/catalog";
import {
  acceptedCategories,
  addressesInputSchema,
  type CategoryAddresses,
  EMAIL_ERROR_KEYS,
  placeholdersOf,
  standardAddresses,
  standardInputFieldErrors,
  standardInputsSchema,
  UNEXPECTED_DOMAIN_WARNING_KEY,
  validateAddresses,
  validateFreeAddresses,
  validatePackageAddresses,
} from "@/lib/packages/email-addresses";

function entry(id: PackageId): PackageEntry {
  const found = findPackage(id);
  if (!found) throw new Error(`no package ${id}`);
  return found;
}

/** Bakkerij Wouters: a valid Belgian enterprise number (0123.456.749). */
const DOSSIER = { companyNumber: "0123456749", vatNumber: "BE0123456749" };

describe("standardAddresses: template rules, per package", () => {
  const computed: [PackageId, Record<string, string>, CategoryAddresses][] = [
    ["yuki", { mailbox: "BakkerijWouters" }, { purchase: "bakkerijwouters@yukiworks.be", sales: null, other: null }],
    ["yuki", { mailbox: "  wouters_2 " }, { purchase: "wouters_2@yukiworks.be", sales: null, other: null }],
    [
      "clearfacts",
      { office: "MijnKantoor" },
      {
        purchase: "aankoop0123456749@mijnkantoor.clearfacts.be",
        sales: "verkoop0123456749@mijnkantoor.clearfacts.be",
        other: "divers0123456749@mijnkantoor.clearfacts.be",
      },
    ],
    [
      "clearfacts",
      { office: "kantoor-peeters" },
      {
        purchase: "aankoop0123456749@kantoor-peeters.clearfacts.be",
        sales: "verkoop0123456749@kantoor-peeters.clearfacts.be",
        other: "divers0123456749@kantoor-peeters.clearfacts.be",
      },
    ],
    [
      "lyanthe",
      { mailroomNumber: "1234567890", domain: "MijnKantoor.com" },
      { purchase: "1234567890-99p@mijnkantoor.com", sales: "1234567890-99s@mijnkantoor.com", other: null },
    ],
    [
      "lyanthe",
      { mailroomNumber: "0000000042", domain: "mail.kantoor.co.uk" },
      { purchase: "0000000042-99p@mail.kantoor.co.uk", sales: "0000000042-99s@mail.kantoor.co.uk", other: null },
    ],
    [
      "octopus",
      { code: "008352-24" },
      {
        purchase: "uid-008352-24@import.octopus.be",
        sales: "uid-008352-24@import.octopus.be",
        other: "uid-008352-24@import.octopus.be",
      },
    ],
    [
      "zenvoices",
      { name: "Bakkerij", number: "7" },
      { purchase: "bakkerij.7@to-zenvoices.com", sales: null, other: null },
    ],
    [
      "zenvoices",
      { name: "bakkerij-wouters", number: "12", unused: "ignored" },
      { purchase: "bakkerij-wouters.12@to-zenvoices.com", sales: null, other: null },
    ],
  ];

  it.each(computed)("%s with %j → %j", (id, inputs, expected) => {
    expect(standardAddresses(entry(id), DOSSIER, inputs)).toEqual({ ok: true, addresses: expected });
  });

  const refused: [PackageId, Record<string, string>, { missing: string[]; invalid: string[] }][] = [
    ["yuki", {}, { missing: ["mailbox"], invalid: [] }],
    ["yuki", { mailbox: "   " }, { missing: ["mailbox"], invalid: [] }],
    ["yuki", { mailbox: "bakkerij.wouters" }, { missing: [], invalid: ["mailbox"] }],
    ["yuki", { mailbox: "bakkerij-wouters" }, { missing: [], invalid: ["mailbox"] }],
    ["yuki", { mailbox: "wouters@yukiworks.be" }, { missing: [], invalid: ["mailbox"] }],
    ["clearfacts", {}, { missing: ["office"], invalid: [] }],
    ["clearfacts", { office: "mijn kantoor" }, { missing: [], invalid: ["office"] }],
    ["clearfacts", { office: "-kantoor" }, { missing: [], invalid: ["office"] }],
    ["clearfacts", { office: "kantoor.clearfacts.be" }, { missing: [], invalid: ["office"] }],
    ["lyanthe", {}, { missing: ["mailroomNumber", "domain"], invalid: [] }],
    ["lyanthe", { domain: "kantoor.com" }, { missing: ["mailroomNumber"], invalid: [] }],
    ["lyanthe", { mailroomNumber: "12345", domain: "kantoor" }, { missing: [], invalid: ["mailroomNumber", "domain"] }],
    [
      "lyanthe",
      { mailroomNumber: "0123456749-99", domain: "kantoor.com" },
      { missing: [], invalid: ["mailroomNumber"] },
    ],
    ["lyanthe", { mailroomNumber: "1234567890", domain: "@kantoor.com" }, { missing: [], invalid: ["domain"] }],
    ["octopus", {}, { missing: ["code"], invalid: [] }],
    ["octopus", { code: "uid-008352-24" }, { missing: [], invalid: ["code"] }],
    ["octopus", { code: "008352-24@import.octopus.be" }, { missing: [], invalid: ["code"] }],
    ["zenvoices", {}, { missing: ["name", "number"], invalid: [] }],
    ["zenvoices", { name: "bakkerij.wouters", number: "x" }, { missing: [], invalid: ["name", "number"] }],
    ["zenvoices", { name: "bakkerij", number: "" }, { missing: ["number"], invalid: [] }],
  ];

  it.each(refused)("%s with %j is refused: %j", (id, inputs, expected) => {
    expect(standardAddresses(entry(id), DOSSIER, inputs)).toEqual({ ok: false, ...expected });
  });

  it("blames the dossier's enterprise number when a template needs it and it is malformed", () => {
    const result = standardAddresses(entry("clearfacts"), { companyNumber: "12345", vatNumber: null }, { office: "x" });
    expect(result).toEqual({ ok: false, missing: [], invalid: ["companyNumber"] });
  });

  it("does not need the VAT number when no template uses it", () => {
    const result = standardAddresses(entry("clearfacts"), { ...DOSSIER, vatNumber: null }, { office: "kantoor" });
    expect(result.ok).toBe(true);
  });

  it("blames the inputs when they match their patterns but make no valid address together", () => {
    // Every label is a valid host label, but the whole address exceeds 254 characters.
    const longDomain = `${Array.from({ length: 5 }, () => "a".repeat(60)).join(".")}.com`;
    const result = standardAddresses(entry("lyanthe"), DOSSIER, { mailroomNumber: "1234567890", domain: longDomain });
    expect(result).toEqual({ ok: false, missing: [], invalid: ["mailroomNumber", "domain"] });
  });

  it.each(["exact-online", "winbooks", "scan-sys", "admisol", "wings", "expert-m"] as const)(
    "throws for %s, which has no template rule (callers branch on the rule's kind)",
    (id) => {
      expect(() => standardAddresses(entry(id), DOSSIER, {})).toThrow(/no template e-mail rule/);
    },
  );
});

describe("standardInputsSchema", () => {
  it("trims and accepts values of the package's form", () => {
    expect(standardInputsSchema(entry("octopus")).parse({ code: " 008352-24 " })).toEqual({ code: "008352-24" });
    expect(
      standardInputsSchema(entry("lyanthe")).parse({ mailroomNumber: "1234567890", domain: "kantoor.com" }),
    ).toEqual({ mailroomNumber: "1234567890", domain: "kantoor.com" });
  });

  it.each([
    ["octopus", {}, { code: [EMAIL_ERROR_KEYS.inputRequired] }],
    ["octopus", { code: "  " }, { code: [EMAIL_ERROR_KEYS.inputRequired] }],
    ["octopus", { code: "uid-1" }, { code: [EMAIL_ERROR_KEYS.inputInvalid] }],
    [
      "zenvoices",
      { name: "a.b", number: "" },
      { name: [EMAIL_ERROR_KEYS.inputInvalid], number: [EMAIL_ERROR_KEYS.inputRequired] },
    ],
  ] as const)("%s %j → field errors %j", (id, input, expected) => {
    const parsed = standardInputsSchema(entry(id)).safeParse(input);
    expect(parsed.success).toBe(false);
    const errors: Record<string, string[]> = {};
    for (const issue of parsed.error?.issues ?? []) {
      const key = issue.path.join(".");
      errors[key] = [...(errors[key] ?? []), issue.message];
    }
    // A missing value fails the first check only, so each field has one message.
    expect(errors).toEqual(expected);
  });

  it.each(["exact-online", "winbooks", "expert-m"] as const)("is an empty object for %s", (id) => {
    expect(standardInputsSchema(entry(id)).parse({})).toEqual({});
  });
});

describe("standardInputFieldErrors", () => {
  it("maps rule inputs to inputs.<name> and the dossier's data to the form", () => {
    expect(
      standardInputFieldErrors({
        ok: false,
        missing: ["domain", "vatNumber"],
        invalid: ["mailroomNumber", "companyNumber"],
      }),
    ).toEqual({
      "inputs.domain": [EMAIL_ERROR_KEYS.inputRequired],
      "inputs.mailroomNumber": [EMAIL_ERROR_KEYS.inputInvalid],
      _form: ["vatNumber.invalid", "companyNumber.invalid"],
    });
    expect(standardInputFieldErrors({ ok: true, addresses: { purchase: null, sales: null, other: null } })).toEqual({});
  });
});

describe("acceptedCategories", () => {
  it.each([
    ["yuki", ["purchase"]],
    ["exact-online", ["purchase", "sales"]],
    ["clearfacts", ["purchase", "sales", "other"]],
    ["lyanthe", ["purchase", "sales"]],
    ["octopus", ["purchase", "sales", "other"]],
    ["winbooks", ["purchase", "sales"]],
    ["zenvoices", ["purchase"]],
    ["scan-sys", ["purchase", "sales"]],
    ["admisol", ["purchase", "sales"]],
    ["wings", ["purchase", "sales"]],
  ] as const)("%s takes %j by mail", (id, expected) => {
    const rule = entry(id).email;
    expect(rule).toBeDefined();
    if (rule) expect(acceptedCategories(rule)).toEqual(expected);
  });
});

describe("validateAddresses", () => {
  const none = { purchase: null, sales: null, other: null };

  it("refuses when no category has an address", () => {
    expect(validateFreeAddresses({})).toEqual({
      ok: false,
      fieldErrors: { addresses: [EMAIL_ERROR_KEYS.noAddress] },
      warnings: [],
    });
    expect(validateFreeAddresses({ purchase: "  ", sales: null, other: undefined }).ok).toBe(false);
  });

  it("accepts free mail with one category and leaves the others empty", () => {
    expect(validateFreeAddresses({ purchase: "facturen@dehoek-boekhouding.be" })).toEqual({
      ok: true,
      addresses: { ...none, purchase: "facturen@dehoek-boekhouding.be" },
      warnings: [],
    });
  });

  it("trims and lower-cases the domain, keeping the local part's case", () => {
    const result = validateFreeAddresses({ sales: "  Verkoop.Wouters@Kantoor.BE " });
    expect(result).toMatchObject({ ok: true, addresses: { ...none, sales: "Verkoop.Wouters@kantoor.be" } });
  });

  it.each([
    "not-an-address",
    "facturen@",
    "@kantoor.be",
    "Bakkerij <facturen@kantoor.be>",
    "a@kantoor.be, b@kantoor.be",
    "a@kantoor.be;b@kantoor.be",
    "facturen@kantoor",
    `${"a".repeat(250)}@kantoor.be`,
  ])("refuses %j as an address", (value) => {
    expect(validateFreeAddresses({ purchase: "ok@kantoor.be", other: value })).toEqual({
      ok: false,
      fieldErrors: { "addresses.other": [EMAIL_ERROR_KEYS.addressInvalid] },
      warnings: [],
    });
  });

  it("requires every category it is told to", () => {
    expect(validateAddresses({ purchase: "a@kantoor.be" }, ["purchase", "sales"])).toEqual({
      ok: false,
      fieldErrors: { "addresses.sales": [EMAIL_ERROR_KEYS.addressRequired] },
      warnings: [],
    });
  });

  it("reports every field at once", () => {
    const result = validateAddresses({ purchase: "nope", other: "also nope" }, ["purchase", "sales"]);
    expect(result).toEqual({
      ok: false,
      fieldErrors: {
        "addresses.purchase": [EMAIL_ERROR_KEYS.addressInvalid],
        "addresses.sales": [EMAIL_ERROR_KEYS.addressRequired],
        "addresses.other": [EMAIL_ERROR_KEYS.addressInvalid],
      },
      warnings: [],
    });
  });

  it("warns, without refusing, when an address is outside the package's domain", () => {
    const result = validateAddresses(
      { purchase: "x7k2@aankoop.exactonline.be", sales: "q9p1@verkoop.exactonline.nl" },
      ["purchase", "sales"],
      { domainHint: "exactonline.be" },
    );
    expect(result).toEqual({
      ok: true,
      addresses: { purchase: "x7k2@aankoop.exactonline.be", sales: "q9p1@verkoop.exactonline.nl", other: null },
      warnings: [
        { field: "addresses.sales", messageKey: UNEXPECTED_DOMAIN_WARNING_KEY, values: { domain: "exactonline.be" } },
      ],
    });
  });

  it("does not take a look-alike domain for the package's domain", () => {
    const result = validateAddresses({ purchase: "a@notexactonline.be" }, ["purchase"], {
      domainHint: "exactonline.be",
    });
    expect(result.warnings).toHaveLength(1);
  });
});

describe("validatePackageAddresses: the individual option (and an ask rule's standard option)", () => {
  type Case = [PackageId, Partial<Record<DocumentCategory, string>>, Record<string, string[]> | null, number];
  const cases: Case[] = [
    // Yuki only takes purchases by mail; the office may add more at its own judgement.
    ["yuki", { purchase: "invoices@wouters.yukiworks.be" }, null, 0],
    ["yuki", { sales: "verkoop@yukiworks.be" }, { "addresses.purchase": [EMAIL_ERROR_KEYS.addressRequired] }, 0],
    ["yuki", { purchase: "wouters@yukiworks.nl" }, null, 1],
    ["exact-online", { purchase: "x7k2@aankoop.exactonline.be", sales: "q9p1@verkoop.exactonline.be" }, null, 0],
    [
      "exact-online",
      { purchase: "x7k2@aankoop.exactonline.be" },
      { "addresses.sales": [EMAIL_ERROR_KEYS.addressRequired] },
      0,
    ],
    [
      "octopus",
      { purchase: "wouters@docin.octopus.be", sales: "wouters@docin.octopus.be", other: "wouters@docin.octopus.be" },
      null,
      0,
    ],
    [
      "octopus",
      { purchase: "uid-1-2@import.octopus.be" },
      {
        "addresses.sales": [EMAIL_ERROR_KEYS.addressRequired],
        "addresses.other": [EMAIL_ERROR_KEYS.addressRequired],
      },
      0,
    ],
    [
      "clearfacts",
      {
        purchase: "Aankoop0123456749@kantoor.clearfacts.be",
        sales: "v@kantoor.clearfacts.be",
        other: "d@kantoor.clearfacts.be",
      },
      null,
      0,
    ],
    ["zenvoices", { purchase: "bakkerij.7@to-zenvoices.com", sales: "bakkerij.70.7@to-zenvoices.com" }, null, 0],
    ["lyanthe", { purchase: "1234567890-99p@kantoor.com", sales: "1234567890-99s@kantoor.com" }, null, 0],
    ["winbooks", { purchase: "aankoop.willems@winbooks.example", sales: "verkoop.willems@winbooks.example" }, null, 0],
    [
      "winbooks",
      { purchase: "aankoop.willems@winbooks.example" },
      { "addresses.sales": [EMAIL_ERROR_KEYS.addressRequired] },
      0,
    ],
    ["scan-sys", { purchase: "a@scansys.example", sales: "v@scansys.example" }, null, 0],
    [
      "admisol",
      { purchase: "a@admisol.example", sales: "" },
      { "addresses.sales": [EMAIL_ERROR_KEYS.addressRequired] },
      0,
    ],
    ["wings", { purchase: "a@wings.example", sales: "b@wings.example", other: "c@wings.example" }, null, 0],
  ];

  it.each(cases)("%s %j → errors %j, %i warning(s)", (id, addresses, errors, warningCount) => {
    const result = validatePackageAddresses(entry(id), addresses);
    if (errors === null) expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, fieldErrors: errors });
    expect(result.warnings).toHaveLength(warningCount);
  });

  it("throws for a package that takes no mail", () => {
    expect(() => validatePackageAddresses(entry("expert-m"), { purchase: "a@b.be" })).toThrow(/takes no mail/);
  });
});

describe("addressesInputSchema", () => {
  it("accepts the raw form shape, empty and missing fields included", () => {
    expect(addressesInputSchema.parse({ purchase: "a@b.be", sales: null })).toEqual({
      purchase: "a@b.be",
      sales: null,
    });
    expect(addressesInputSchema.safeParse({ purchase: 42 }).success).toBe(false);
  });
});

describe("placeholdersOf", () => {
  it("lists each placeholder once, in order", () => {
    expect(placeholdersOf("{a}-{b}@{a}.{companyNumber}")).toEqual(["a", "b", "companyNumber"]);
    expect(placeholdersOf("plain@example.com")).toEqual([]);
  });
});
