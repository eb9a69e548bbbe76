import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import {
  AUTO_SEND_SKIP_REASONS,
  changeRefusalMessageKey,
  DOCUMENT_CHANGES,
  DOCUMENT_REFUSALS,
  SEND_REFUSALS,
  sendRefusalMessageKey,
} from "@/lib/documents/refusals";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

/** A message (as a dotted key) in a catalog, or undefined. */
function lookup(tree: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

/** The dotted keys of every message under `prefix`. */
function keysUnder(tree: unknown, prefix: string): string[] {
  const node = lookup(tree, prefix);
  if (typeof node === "string") return [prefix];
  if (node === null || typeof node !== "object") return [];
  return Object.keys(node).flatMap((key) => keysUnder(tree, `${prefix}.${key}`));
}

/**
 * Every message that reports one of our own refusals to send (or counts them), derived from the
 * refusal codes and the catalog: the reason per document, why auto-send skipped one, why another
 * change was refused, the send results block and the "retry all" summary.
 */
function refusalKeys(locale: (typeof LOCALES)[number]): string[] {
  const catalog = MESSAGES[locale];
  const changeKeys = DOCUMENT_CHANGES.flatMap((change) =>
    DOCUMENT_REFUSALS.map((refusal) => `errors.${changeRefusalMessageKey(change, refusal)}`),
  ).filter((key) => typeof lookup(catalog, key) === "string");
  return [
    ...SEND_REFUSALS.map(sendRefusalMessageKey),
    ...AUTO_SEND_SKIP_REASONS.map((reason) => `dispatch.autoSendSkipped.${reason}`),
    ...changeKeys,
    ...keysUnder(catalog, "documents.sendResults"),
    "failures.retry.queued",
    "failures.retry.refused",
  ];
}

/**
 * The words of a package's rejection in a language: the Rejected status and tab as the catalog
 * names them, and the stem of the verb behind them (so "weigerde" or "refusées" count too).
 */
const REJECTION_STEMS = { nl: ["weiger"], fr: ["refus"], en: ["reject", "refus"] } as const;

function rejectionWords(locale: (typeof LOCALES)[number]): string[] {
  const catalog = MESSAGES[locale];
  return [catalog.documents.status.rejected, catalog.documents.tabs.rejected, ...REJECTION_STEMS[locale]].map((word) =>
    word.toLowerCase(),
  );
}

// Enough values for every placeholder of the messages above, counts above one for the plurals.
const VALUES = { accepted: 3, refused: 2, count: 2, sending: 1, sent: 1, failed: 1 };

describe("our own refusals to send are not worded as a package's rejection", () => {
  it.each(LOCALES)("no refusal message or send summary uses a rejection word (%s)", (locale) => {
    const t = createTranslator({ locale, messages: MESSAGES[locale] });
    const words = rejectionWords(locale);
    const keys = refusalKeys(locale);
    expect(keys.length).toBeGreaterThan(SEND_REFUSALS.length + AUTO_SEND_SKIP_REASONS.length);
    const offending = keys
      .map((key) => ({ key, text: (t as (key: string, values: object) => string)(key, VALUES) }))
      .filter(({ text }) => words.some((word) => text.toLowerCase().includes(word)));
    expect(offending).toEqual([]);
  });

  it.each(LOCALES)("the send summary counts the refused as not sent (%s)", (locale) => {
    const t = createTranslator({ locale, messages: MESSAGES[locale] });
    const summary = t("documents.sendResults.summary", { accepted: 3, refused: 2 });
    expect(summary).toContain("2");
    expect(summary.toLowerCase()).toContain({ nl: "niet verzonden", fr: "non envoyés", en: "not sent" }[locale]);
  });
});
