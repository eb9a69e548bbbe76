import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import { formatRootMessage } from "@/components/ui/root-messages";
import { CLIENT_MESSAGE_AREAS, pickMessages } from "@/lib/i18n/client-messages";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import { messageKeys } from "../../../e2e/flight-messages";

/**
 * The root area's messages reach the error boundaries through a plain context, not next-intl
 * (components/ui/root-messages.tsx): its formatter fills `{name}` arguments only, so every message
 * of the area must come out exactly as next-intl formats it.
 */
describe("the root area's translator", () => {
  it.each(LOCALES)("formats every root message in %s as next-intl does", (locale) => {
    const messages = pickMessages(MESSAGES[locale], CLIENT_MESSAGE_AREAS.root);
    const keys = messageKeys(messages);
    expect(keys.length).toBeGreaterThan(3);
    const t = createTranslator({ locale, messages: MESSAGES[locale] }) as unknown as (
      key: string,
      values: Record<string, string>,
    ) => string;
    for (const key of keys) {
      const values = { digest: "a1b2c3" };
      expect(formatRootMessage(messages, key, values), key).toBe(t(key, values));
    }
  });

  it("fills arguments, keeps unknown ones, and shows the key of a missing message", () => {
    const messages = { errorPages: { error: { reference: "Reference: {digest} ({other})" } } };
    expect(formatRootMessage(messages, "errorPages.error.reference", { digest: "x9" })).toBe("Reference: x9 ({other})");
    expect(formatRootMessage(messages, "errorPages.error.title")).toBe("errorPages.error.title");
    expect(formatRootMessage(messages, "errorPages.error")).toBe("errorPages.error");
  });
});
