import { describe, expect, it } from "vitest";
import {
  companyNumberFromBase,
  formatCompanyNumber,
  isValidCompanyNumber,
  normalizeCompanyNumber,
} from "@/lib/dossiers/company-number";

// Checked by hand: the last two digits are 97 − (first eight digits mod 97).
// 04031707 mod 97 = 96 → 01; 02022399 mod 97 = 46 → 51; 09700000 mod 97 = 0 → 97.
describe("normalizeCompanyNumber", () => {
  it.each([
    ["0403170701", "0403170701"],
    ["0403.170.701", "0403170701"],
    ["0403 170 701", "0403170701"],
    ["BE0403170701", "0403170701"],
    ["BE 0403.170.701", "0403170701"],
    ["be0403.170.701", "0403170701"],
    ["  0403-170-701  ", "0403170701"],
    ["0202.239.951", "0202239951"],
    ["0417.497.106", "0417497106"],
    ["0884.303.369", "0884303369"],
    ["0123.456.749", "0123456749"],
    ["1000.000.021", "1000000021"],
    ["0970.000.097", "0970000097"],
    // Old 9-digit numbers get the leading 0 they are written with since 2005.
    ["403.170.701", "0403170701"],
    ["403170701", "0403170701"],
    ["BE 202.239.951", "0202239951"],
  ])("accepts %j as %s", (input, expected) => {
    expect(normalizeCompanyNumber(input)).toBe(expected);
    expect(isValidCompanyNumber(input)).toBe(true);
  });

  it.each([
    ["0403.170.702", "checksum off by one"],
    ["0403.170.710", "swapped check digits"],
    ["0430.170.701", "swapped base digits"],
    ["0202.239.915", "swapped check digits"],
    ["0000.000.000", "check digits 00 can never be right"],
    ["403.170.702", "9 digits, bad checksum"],
  ])("refuses %j (%s)", (input) => {
    expect(normalizeCompanyNumber(input)).toBeNull();
    expect(isValidCompanyNumber(input)).toBe(false);
  });

  it.each([
    ["", "empty"],
    ["   ", "blank"],
    ["04031707", "8 digits"],
    ["04031.707.011", "11 digits"],
    ["BE", "prefix only"],
  ])("refuses %j (wrong length: %s)", (input) => {
    expect(normalizeCompanyNumber(input)).toBeNull();
  });

  it.each([
    ["0403.17O.701", "letter O for zero"],
    ["04031707A1", "letter inside"],
    ["NL0403170701", "another country's prefix"],
    ["0403,170,701", "commas"],
    ["BEBE0403170701", "doubled prefix"],
  ])("refuses %j (%s)", (input) => {
    expect(normalizeCompanyNumber(input)).toBeNull();
  });

  // Both pass the mod-97 check (20000000 mod 97 = 55 → 42; 90000000 mod 97 = 5 → 92), so only the
  // first-digit rule can refuse them.
  it.each(["2000000042", "2000.000.042", "9000000092", "BE9000.000.092"])(
    "refuses %j: a checksum-valid number whose first digit is 2-9",
    (input) => {
      expect(normalizeCompanyNumber(input)).toBeNull();
    },
  );
});

describe("formatCompanyNumber", () => {
  it("writes the digits the Belgian way", () => {
    expect(formatCompanyNumber("0403170701")).toBe("0403.170.701");
  });
});

describe("companyNumberFromBase", () => {
  it.each([
    [4031707, "0403170701"],
    [2022399, "0202239951"],
    [9700000, "0970000097"],
    [10000000, "1000000021"],
  ])("builds %i into %s", (base, expected) => {
    expect(companyNumberFromBase(base)).toBe(expected);
  });

  it("always builds numbers that the validator accepts", () => {
    for (let base = 0; base < 20_000_000; base += 104_729) {
      expect(normalizeCompanyNumber(companyNumberFromBase(base))).toBe(companyNumberFromBase(base));
    }
  });
});
