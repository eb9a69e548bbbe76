import { describe, expect, it } from "vitest";
import { MESSAGES } from "@/lib/i18n/messages";

/** Every message as [key, text]. */
function leaves(tree: unknown, prefix = ""): [string, string][] {
  return Object.entries(tree as Record<string, unknown>).flatMap(([key, value]): [string, string][] => {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") return [[keyPath, value]];
    return value !== null && typeof value === "object" ? leaves(value, keyPath) : [];
  });
}

/**
 * The prose of a message: without URLs and host names (consult.moncabinet.be), e-mail addresses
 * and {placeholders}, which are not words a person reads as copy.
 */
function prose(text: string): string {
  return text
    .replace(/\bhttps?:\/\/\S+/g, " ")
    .replace(/\S+@\S+/g, " ")
    .replace(/[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+/gu, " ")
    .replace(/\{[^{}]*\}/g, " ");
}

/** Whether the prose of a text has one of the words (whole words, any case). */
function hasWord(text: string, words: readonly string[]): boolean {
  // A word is letters; an apostrophe or hyphen joins it to its neighbour ("l'u", "u-bocht" are not "u").
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_'’-])(?:${words.join("|")})(?![\\p{L}\\p{N}_'’-])`, "iu");
  return pattern.test(prose(text));
}

/** The messages of a language that use one of the words, as "key: text". */
function messagesWithWords(locale: keyof typeof MESSAGES, words: readonly string[]): string[] {
  return leaves(MESSAGES[locale])
    .filter(([, text]) => hasWord(text, words))
    .map(([key, text]) => `${key}: ${text}`);
}

const FORMAL_DUTCH = ["u", "uw", "uzelf"];
const OTHER_FRENCH_OFFICE_WORDS = ["bureaux?", "fiduciaires?"];

describe("copy", () => {
  it("says “je” in Dutch, never the formal “u”, “uw” or “uzelf”", () => {
    expect(messagesWithWords("nl", FORMAL_DUTCH)).toEqual([]);
  });

  it("calls the office “cabinet” in French, never “bureau” or “fiduciaire”", () => {
    expect(messagesWithWords("fr", OTHER_FRENCH_OFFICE_WORDS)).toEqual([]);
  });

  it("finds those words in prose, and not in URLs, host names, addresses or placeholders", () => {
    // Without this, the checks above would also pass if the pattern matched nothing.
    expect(hasWord("U krijgt deze mail.", FORMAL_DUTCH)).toBe(true);
    expect(hasWord("Heeft uw provider de sleutel vervangen?", FORMAL_DUTCH)).toBe(true);
    expect(hasWord("Dan vraagt u het na.", FORMAL_DUTCH)).toBe(true);
    expect(hasWord("Demandez à votre fiduciaire.", OTHER_FRENCH_OFFICE_WORDS)).toBe(true);
    expect(hasWord("Le bureau de la comptable.", OTHER_FRENCH_OFFICE_WORDS)).toBe(true);

    expect(hasWord("Je krijgt deze mail, uiteraard; uur en huw tellen niet.", FORMAL_DUTCH)).toBe(false);
    expect(hasWord("Zie https://u.example.be/uw, u@example.be en {u}.", FORMAL_DUTCH)).toBe(false);
    expect(hasWord("p. ex. https://consult.monbureau.be:2100 ou bureau.clearfacts.be", OTHER_FRENCH_OFFICE_WORDS)).toBe(
      false,
    );
  });
});
