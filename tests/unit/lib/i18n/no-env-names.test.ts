import { describe, expect, it } from "vitest";
import { envSchema } from "@/lib/env-schema";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

// Messages are for the people using Koppel: what the operator must configure goes to the logs and
// the README, never into a message (issue 16, item 3: connecting Wolters Kluwer named Exact
// Online's variables).

function strings(value: unknown, path: string): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, child]) => strings(child, path ? `${path}.${key}` : key));
  }
  return [];
}

const ENV_NAMES = Object.keys(envSchema.shape);
/** The developers' outbox (under `next dev`) is for the people who configure Koppel. */
const FOR_DEVELOPERS = ["dev."];

describe("message catalogs", () => {
  it.each(LOCALES)("%s: no message names an environment variable", (locale) => {
    const offenders = strings(MESSAGES[locale], "").filter(
      ([path, text]) =>
        !FOR_DEVELOPERS.some((prefix) => path.startsWith(prefix)) && ENV_NAMES.some((name) => text.includes(name)),
    );
    expect(offenders).toEqual([]);
  });
});
