import { describe, expect, it } from "vitest";
import { parseOfficeCreateArgs, parseOfficeInviteArgs } from "@/lib/invitations/operator-cli";

describe("office:create arguments", () => {
  it("normalises like /sign-up: the enterprise number to 10 digits, the address to lower case, Dutch by default", () => {
    expect(
      parseOfficeCreateArgs([
        "--name",
        " Kantoor  Peeters ",
        "--enterprise-number",
        "BE 0123.456.749",
        "--admin",
        "Els@Peeters.BE",
      ]),
    ).toEqual({
      ok: true,
      value: { officeName: "Kantoor Peeters", companyNumber: "0123456749", adminEmail: "els@peeters.be", locale: "nl" },
    });
    expect(
      parseOfficeCreateArgs(["--name=K", "--enterprise-number=0123456749", "--admin=a@b.be", "--language=fr"]),
    ).toMatchObject({ ok: true, value: { locale: "fr" } });
  });

  it("names each wrong or missing option with its reason, and shows the usage", () => {
    const parsed = parseOfficeCreateArgs(["--enterprise-number", "0123456700", "--language", "de"]);
    expect(parsed.ok).toBe(false);
    const message = parsed.ok ? "" : parsed.message;
    expect(message.split("\n")).toEqual([
      "--name: Enter the office's name.",
      "--enterprise-number: This isn't a valid Belgian company number. It has 10 digits, for example 0123.456.749.",
      "--admin: Enter an e-mail address.",
      "--language: Choose Dutch, French or English. (one of nl, fr, en; default nl)",
      expect.stringMatching(/^usage: npm run office:create -- /),
    ]);
  });

  it("refuses options it does not know and positional arguments", () => {
    for (const argv of [["--nam", "x"], ["Kantoor"], ["--name"]]) {
      const parsed = parseOfficeCreateArgs(argv);
      expect(parsed.ok, argv.join(" ")).toBe(false);
    }
  });
});

describe("office:invite arguments", () => {
  it("takes an address and an optional language", () => {
    expect(parseOfficeInviteArgs(["--email", "Nieuw@Kantoor.be", "--language", "en"])).toEqual({
      ok: true,
      value: { email: "nieuw@kantoor.be", locale: "en" },
    });
    expect(parseOfficeInviteArgs([])).toEqual({
      ok: false,
      message:
        "--email: Enter an e-mail address.\nusage: npm run office:invite -- --email <address> [--language nl|fr|en]",
    });
  });
});
