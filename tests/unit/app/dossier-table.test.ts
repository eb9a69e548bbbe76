import { readFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { countClass, DossierTable } from "@/app/(app)/portals/[portalId]/_components/dossier-table";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import type { DocumentCounts, PortalDossierRow } from "@/lib/portals/overview";
import { renderInLocale } from "../../helpers/render-intl";

const DOSSIER_ID = "33333333-3333-4333-8333-333333333333";

const ROW: PortalDossierRow = {
  id: DOSSIER_ID,
  name: "Bakkerij Wouters",
  companyNumber: "0123456749",
  vatNumber: null,
  integration: {
    kind: "connection",
    channel: "api",
    packageName: "Exact Online",
    connectionLabel: "Exact Online België",
    connectionStatus: "connected",
  },
  health: { state: "ok", problems: [] },
  counts: { inbox: 2, sending: 0, sent: 5, failed: 1, rejected: 0, archived: 0 } as DocumentCounts,
};

function render(locale: (typeof LOCALES)[number]): string {
  return renderInLocale(locale, createElement(DossierTable, { rows: [ROW] }));
}

/** The links of some HTML: where each goes and its text (tags removed), as a screen reader names it. */
function links(html: string): { href: string; name: string }[] {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((match) => ({
    href: match[1] ?? "",
    name: (match[2] ?? "")
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim(),
  }));
}

describe("the portal overview's dossier rows", () => {
  it.each(LOCALES)("link the dossier to its documents and the integration to its Integration tab (%s)", (locale) => {
    const found = links(render(locale));
    expect(found.map((link) => link.href)).toEqual([`/dossiers/${DOSSIER_ID}`, `/dossiers/${DOSSIER_ID}/integration`]);
    const [documents, integration] = found;
    expect(documents?.name).toBe("Bakkerij Wouters");
    // A name of its own that says what it opens, and still has the badge's visible text in it.
    expect(integration?.name).toContain(
      MESSAGES[locale].portal.overview.integrationLink.replace("{name}", "Bakkerij Wouters"),
    );
    expect(integration?.name).toContain("Exact Online België");
    expect(integration?.name).not.toBe(documents?.name);
  });
});

/**
 * Tailwind's colours as its theme declares them (oklch), converted to sRGB the way CSS Color 4
 * does, so the check follows the Tailwind version the app is built with.
 */
const THEME = readFileSync(path.join(process.cwd(), "node_modules", "tailwindcss", "theme.css"), "utf8");

function linearRgbOf(color: string): [number, number, number] {
  if (color === "white") return [1, 1, 1];
  if (color === "black") return [0, 0, 0];
  const match = new RegExp(`--color-${color}:\\s*oklch\\(([\\d.]+)%\\s+([\\d.]+)\\s+([\\d.]+)\\)`).exec(THEME);
  if (!match) throw new Error(`no Tailwind colour ${color}`);
  const [lightness, chroma, hue] = [Number(match[1]) / 100, Number(match[2]), (Number(match[3]) * Math.PI) / 180];
  const a = chroma * Math.cos(hue);
  const b = chroma * Math.sin(hue);
  const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return [
    clamp(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    clamp(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    clamp(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

/** WCAG 2 contrast ratio of two colours (relative luminance from linear sRGB). */
function contrast(foreground: string, background: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = linearRgbOf(color);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

describe("the overview's counts", () => {
  it("computes contrast as WCAG does (the old zero grey was 1.48:1, black on white 21:1)", () => {
    expect(contrast("slate-300", "white")).toBeCloseTo(1.48, 2);
    expect(contrast("black", "white")).toBeCloseTo(21, 1);
  });

  // White rows on desktop; slate-50 under a hovered row and in a phone's count cell.
  const cases = (["inbox", "sending", "sent", "failed", "rejected", "archived"] as const).flatMap((column) =>
    [0, 3].flatMap((value) => ["white", "slate-50"].map((background) => [column, value, background] as const)),
  );
  it.each(cases)("%s = %d is readable on %s (WCAG AA, 4.5:1)", (column, value, background) => {
    const color = /\btext-([a-z]+-\d{2,3})\b/.exec(countClass(column, value))?.[1];
    expect(color).toBeDefined();
    expect(contrast(color ?? "", background)).toBeGreaterThanOrEqual(4.5);
  });
});
