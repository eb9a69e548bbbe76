import { describe, expect, it, vi } from "vitest";
import { withTargetDescriptions } from "@/lib/connectors/describe-targets";
import { describeTarget, targetDetailsText } from "@/lib/connectors/target";

// One description of where a delivery went, for the document page's history, the failure queue and
// the delivery log: the platform's facts (connection, address) first, then the connector's
// (describeTarget hook), or without one the target's remaining keys.

describe("describeTarget without a connector", () => {
  it("names the package and puts connection, address, folder and administration first", () => {
    expect(
      describeTarget({
        channel: "api",
        packageId: "exact-online",
        connectionId: "7b2c0d1e-0000-4000-8000-000000000000",
        connection: "Exact Online België",
        category: "purchase",
        remoteName: "x.pdf",
        division: 12345,
      }),
    ).toEqual({
      channel: "api",
      packageName: "Exact Online",
      details: [
        { key: "connection", value: "Exact Online België" },
        { key: "division", value: "12345" },
        { key: "remoteName", value: "x.pdf" },
      ],
    });
  });

  it("never passes on a value under a secret-looking key, nor objects", () => {
    const summary = describeTarget({
      channel: "ftp",
      to: "boekhouding@example.be",
      password: "hunter2",
      apiKey: "k",
      accessToken: "t",
      clientSecret: "s",
      nested: { password: "x" },
    });
    expect(summary.details).toEqual([{ key: "to", value: "boekhouding@example.be" }]);
    expect(JSON.stringify(summary)).not.toMatch(/hunter2|"k"|"t"|"s"/);
  });

  it("copes with no target at all and with free mail (no package)", () => {
    expect(describeTarget(null)).toEqual({ channel: null, packageName: null, details: [] });
    expect(describeTarget({ channel: "email", packageId: null, to: "a@b.be" }).packageName).toBeNull();
    expect(targetDetailsText(describeTarget(null))).toBeNull();
  });

  it("leaves out a receipt's note that the document was already there: how it went, not where", () => {
    expect(describeTarget({ channel: "api", connection: "Exact", division: 1, isAlreadyThere: true }).details).toEqual([
      { key: "connection", value: "Exact" },
      { key: "division", value: "1" },
    ]);
  });
});

describe("describeTarget with a connector's describer", () => {
  const target = { channel: "api", packageId: "exact-online", connection: "Exact", division: 7, extra: "x" };

  it("puts the connector's details after the platform's, in its order, instead of the remaining keys", () => {
    const connector = { id: "c", describeTarget: () => [{ key: "place", value: "here" }] };
    expect(describeTarget(target, connector).details).toEqual([
      { key: "connection", value: "Exact" },
      { key: "place", value: "here" },
    ]);
  });

  it("drops what a describer returns under a secret-looking key, or empty", () => {
    const connector = {
      id: "c",
      describeTarget: () => [
        { key: "apiKey", value: "k-123" },
        { key: "folder", value: " " },
        { key: "division", value: "7" },
      ],
    };
    expect(describeTarget(target, connector).details).toEqual([
      { key: "connection", value: "Exact" },
      { key: "division", value: "7" },
    ]);
  });

  it("lists the target as stored when the describer fails on it", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const connector = {
      id: "c",
      describeTarget: () => {
        throw new Error("an older target");
      },
    };
    expect(describeTarget(target, connector)).toEqual(describeTarget(target));
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

const YUKI_ADMINISTRATION = "5f0c2a9e-1b3d-4c5e-8f70-9a1b2c3d4e5f";
const WK_ADMINISTRATION = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/**
 * Targets as lib/dispatch/plan.ts targetFor stores them on a dispatch (what the failure queue
 * shows) and as an attempt that delivered stores them (plus the connector's receipt: what the
 * document page and the delivery log show), with the line each place shows.
 */
const CASES = [
  {
    name: "Exact Online (no describer: its division is a remaining key)",
    dispatch: { channel: "api", packageId: "exact-online", connection: "Exact BE", category: "purchase", division: 1 },
    receipt: { division: 1, isAlreadyThere: false },
    text: "Exact BE · 1",
    package: "Exact Online",
  },
  {
    name: "Yuki: the administration and the category's archive folder",
    dispatch: {
      channel: "api",
      packageId: "yuki",
      connection: "Yuki",
      category: "sales",
      administrationId: YUKI_ADMINISTRATION,
      purchaseFolderId: 11,
      salesFolderId: 12,
      otherFolderId: 13,
    },
    receipt: { administrationId: YUKI_ADMINISTRATION, folder: 12, fileName: "f [Koppel x].pdf", isAlreadyThere: false },
    text: `Yuki · ${YUKI_ADMINISTRATION} · 12`,
    package: "Yuki",
  },
  {
    name: "Wolters Kluwer: the administration and its category for ours (the default when not set)",
    dispatch: {
      channel: "api",
      packageId: "wolters-kluwer",
      connection: "WK",
      category: "purchase",
      administrationId: WK_ADMINISTRATION,
      salesCategory: "Verkoop",
    },
    receipt: { administrationId: WK_ADMINISTRATION, category: "Purchase", isAlreadyThere: false },
    text: `WK · ${WK_ADMINISTRATION} · Purchase`,
    package: "Wolters Kluwer",
  },
  {
    name: "Syneton DMS: the customer and the category's keyword",
    dispatch: {
      channel: "api",
      packageId: "syneton-dms",
      connection: "Syneton",
      category: "purchase",
      customerId: 42,
      purchaseKeyword: "AK",
      salesKeyword: "VK",
      otherKeyword: "DV",
    },
    receipt: { customerId: 42, keyword: "AK", isAlreadyThere: false },
    text: "Syneton · 42 · AK",
    package: "Syneton DMS",
  },
  {
    name: "FTP: the folder (the dossier's, then the full path) and the file's name",
    dispatch: { channel: "ftp", packageId: "expert-m", connection: "FTP", category: "other", dossierFolder: "WOUTERS" },
    receipt: { host: "ftp.example", folder: "/WOUTERS/Divers", fileName: "2026-05-04_f.pdf", isAlreadyThere: false },
    text: "FTP · WOUTERS",
    attemptText: "FTP · /WOUTERS/Divers · 2026-05-04_f.pdf",
    package: "Expert/M",
  },
  {
    name: "e-mail: the address only (`via` says how)",
    dispatch: { channel: "email", packageId: "winbooks", category: "purchase", to: "in@winbooks.example" },
    receipt: { to: "in@winbooks.example", via: "resend" },
    text: "in@winbooks.example",
    package: "Winbooks",
  },
  {
    name: "free mail: the address, no package",
    dispatch: { channel: "email", packageId: null, category: "purchase", to: "in@kantoor.example" },
    receipt: { to: "in@kantoor.example", via: "outbox" },
    text: "in@kantoor.example",
    package: null,
  },
];

describe("every connector's targets, described with its connector", () => {
  it.each(CASES)("$name", async (example) => {
    const [queued, delivered] = await withTargetDescriptions([
      { target: example.dispatch },
      { target: { ...example.dispatch, ...example.receipt } },
    ]);
    // The failure queue (the last dispatch's target) and the document page (an attempt's).
    expect(queued?.targetDescription.packageName).toBe(example.package);
    expect(targetDetailsText(queued?.targetDescription ?? describeTarget(null))).toBe(example.text);
    expect(targetDetailsText(delivered?.targetDescription ?? describeTarget(null))).toBe(
      example.attemptText ?? example.text,
    );
  });

  it("describes a target whose connector is gone or unknown as stored", async () => {
    const targets = [
      { target: { channel: "api", packageId: "no-such-package", connection: "Old", division: 3 } },
      { target: { channel: "fax", to: "x" } },
      { target: null },
    ];
    expect((await withTargetDescriptions(targets)).map((row) => row.targetDescription)).toEqual(
      targets.map((row) => describeTarget(row.target)),
    );
  });
});
