import { describe, expect, it } from "vitest";
import { normaliseVatNumber, suggestChoices } from "@/lib/integrations/choices";

describe("normaliseVatNumber", () => {
  it.each([
    ["BE0123.456.749", "BE0123456749"],
    ["be 0123 456 749", "BE0123456749"],
    ["BE-0123-456-749", "BE0123456749"],
    ["0123456749", "BE0123456749"],
    ["NL001234567B01", "NL001234567B01"],
  ])("writes %s as %s", (raw, normalised) => {
    expect(normaliseVatNumber(raw)).toBe(normalised);
  });

  it("has nothing for an empty or missing number", () => {
    for (const raw of ["", "  ", null, undefined]) expect(normaliseVatNumber(raw)).toBeNull();
  });
});

describe("suggestChoices", () => {
  const dossier = { vatNumber: "BE0123456749", companyNumber: "0123456749" };

  it("picks, per field, the one choice with the dossier's VAT number", () => {
    expect(
      suggestChoices(
        {
          division: [
            { value: "1", label: "A", vatNumber: "BE0999999999" },
            { value: "2", label: "B", vatNumber: "BE0123.456.749" },
          ],
          folder: [{ value: "7", label: "Aankoop" }],
        },
        dossier,
      ),
    ).toEqual({ division: "2" });
  });

  it("suggests nothing for no match or more than one", () => {
    const twice = [
      { value: "1", label: "A", vatNumber: "BE0123456749" },
      { value: "2", label: "B", vatNumber: "be 0123 456 749" },
    ];
    expect(suggestChoices({ division: twice }, dossier)).toEqual({});
    expect(suggestChoices({ division: [{ value: "3", label: "C", vatNumber: "BE0111111111" }] }, dossier)).toEqual({});
  });
});
