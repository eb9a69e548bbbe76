/**
 * Belgian enterprise number (ondernemingsnummer / numéro d'entreprise): 10 digits, first digit
 * 0 or 1, and the last two digits equal 97 − (first eight digits mod 97).
 */
export function normalizeCompanyNumber(input: string): string | null {
  const compact = input
    .trim()
    .toUpperCase()
    .replace(/^BE/, "")
    .replace(/[\s.\-/]/g, "");
  if (!/^\d{9,10}$/.test(compact)) return null;
  // Old 9-digit numbers are written with a leading 0 since 2005.
  const digits = compact.length === 9 ? `0${compact}` : compact;
  if (digits[0] !== "0" && digits[0] !== "1") return null;
  const base = Number(digits.slice(0, 8));
  const check = Number(digits.slice(8));
  return 97 - (base % 97) === check ? digits : null;
}

export function isValidCompanyNumber(input: string): boolean {
  return normalizeCompanyNumber(input) !== null;
}

/** 0123456749 → 0123.456.749, the way Belgians write it. */
export function formatCompanyNumber(digits: string): string {
  return `${digits.slice(0, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`;
}

/** Builds a valid number from an 8-digit base (seed data, tests). */
export function companyNumberFromBase(base: number): string {
  const head = String(base).padStart(8, "0");
  const check = String(97 - (base % 97)).padStart(2, "0");
  return `${head}${check}`;
}
