import { IntlMessageFormat } from "intl-messageformat";
import { afterEach, describe, expect, it, vi } from "vitest";
import "@/components/ui/next-intl-client-provider";
import { LOCALES } from "@/lib/i18n/config";

/**
 * components/ui/next-intl-client-provider.ts: a client message that takes values no longer asks
 * Intl.NumberFormat.supportedLocalesOf for its locale (the first call in a page loads the browser's
 * number-format data, a long task during hydration), and still formats as before.
 */
describe("intl-messageformat under the client provider", () => {
  afterEach(() => vi.restoreAllMocks());

  it("resolves the locale without Intl.NumberFormat.supportedLocalesOf", () => {
    const supportedLocalesOf = vi.spyOn(Intl.NumberFormat, "supportedLocalesOf");
    const format = new IntlMessageFormat("{count, plural, one {# document} other {# documenten}} van {name}", "nl");
    expect(format.format({ count: 2, name: "Vandamme" })).toBe("2 documenten van Vandamme");
    expect(format.resolvedOptions().locale).toBe("nl");
    expect(supportedLocalesOf).not.toHaveBeenCalled();
  });

  it("gives back each of our locales as it is handed, first of a list", () => {
    for (const locale of LOCALES) {
      expect(IntlMessageFormat.resolveLocale(locale)?.toString()).toBe(locale);
      expect(IntlMessageFormat.resolveLocale([locale, "en"])?.toString()).toBe(locale);
    }
    expect(IntlMessageFormat.resolveLocale([])).toBeUndefined();
  });

  it("formats plurals by the locale's rules", () => {
    const message = "{count, plural, one {# fichier} other {# fichiers}}";
    expect(new IntlMessageFormat(message, "fr").format({ count: 0 })).toBe("0 fichier");
    expect(new IntlMessageFormat(message, "fr").format({ count: 3 })).toBe("3 fichiers");
  });
});
