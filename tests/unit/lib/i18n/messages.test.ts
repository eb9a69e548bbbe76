import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LOCALE, LOCALES, localeFromAcceptLanguage } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

type Tree = { [key: string]: string | Tree };

/** Every leaf as "a.b.c" → string. */
function leaves(tree: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree as Tree)) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [p, v] of leaves(value, keyPath)) out.set(p, v);
    } else {
      out.set(keyPath, value);
    }
  }
  return out;
}

/** The ICU arguments at the top level of a message: "{count, plural, …} of {name}" → count, name. */
function topLevelArguments(message: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (let i = 0; i < message.length; i++) {
    const char = message[i];
    if (char === "{") {
      if (depth === 0) names.push(/^\{\s*([\w]+)/.exec(message.slice(i))?.[1] ?? "?");
      depth++;
    } else if (char === "}") {
      depth--;
    }
  }
  return names.sort();
}

const NAMESPACES = Object.keys(MESSAGES[DEFAULT_LOCALE]);
const REFERENCE = leaves(MESSAGES[DEFAULT_LOCALE]);
const OTHER_LOCALES = LOCALES.filter((locale) => locale !== DEFAULT_LOCALE);

describe("translations", () => {
  it.each(LOCALES)("%s has the same namespaces as Dutch", (locale) => {
    expect(Object.keys(MESSAGES[locale]).sort()).toEqual([...NAMESPACES].sort());
  });

  const namespaceCases = OTHER_LOCALES.flatMap((locale) => NAMESPACES.map((namespace) => [locale, namespace] as const));
  it.each(namespaceCases)("%s/%s has exactly the Dutch keys", (locale, namespace) => {
    const dutch = [...leaves((MESSAGES[DEFAULT_LOCALE] as Record<string, unknown>)[namespace]).keys()].sort();
    const other = [...leaves((MESSAGES[locale] as Record<string, unknown>)[namespace]).keys()].sort();
    expect({
      missing: dutch.filter((k) => !other.includes(k)),
      extra: other.filter((k) => !dutch.includes(k)),
    }).toEqual({ missing: [], extra: [] });
  });

  it.each(LOCALES)("%s has no empty or non-string messages", (locale) => {
    const bad = [...leaves(MESSAGES[locale])].filter(([, value]) => typeof value !== "string" || value.trim() === "");
    expect(bad.map(([key]) => key)).toEqual([]);
  });

  it.each(OTHER_LOCALES)("%s uses the same placeholders as Dutch in every message", (locale) => {
    const other = leaves(MESSAGES[locale]);
    const mismatches = [...REFERENCE]
      .filter(([key, value]) => typeof value === "string" && typeof other.get(key) === "string")
      .filter(([key, value]) => {
        const expected = topLevelArguments(value as string).join(",");
        return topLevelArguments(other.get(key) as string).join(",") !== expected;
      })
      .map(([key]) => key);
    expect(mismatches).toEqual([]);
  });

  it("registers every message file on disk as a namespace, in every language", () => {
    const dir = path.join(process.cwd(), "lib", "i18n", "messages");
    for (const locale of LOCALES) {
      const files = readdirSync(path.join(dir, locale))
        .filter((file) => file.endsWith(".json"))
        .map((file) => file.replace(/\.json$/, ""))
        .sort();
      expect({ locale, namespaces: Object.keys(MESSAGES[locale]).sort() }).toEqual({ locale, namespaces: files });
    }
  });
});

describe("localeFromAcceptLanguage", () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ["", undefined],
    ["nl-BE,nl;q=0.9,en;q=0.8", "nl"],
    ["fr-BE,fr;q=0.9", "fr"],
    ["en-US,en;q=0.9", "en"],
    ["FR-be", "fr"],
    ["de-DE,de;q=0.9,fr;q=0.5,nl;q=0.4", "fr"],
    ["en;q=0.5,nl;q=0.8", "nl"],
    ["de, en;q=0.1", "en"],
    ["de-DE,it;q=0.9", undefined],
    ["*", undefined],
    ["nl;q=abc, fr;q=0.3", "fr"],
  ] as const)("%j → %j", (header, expected) => {
    expect(localeFromAcceptLanguage(header)).toBe(expected);
  });
});
