import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { clientModulesOf } from "../../helpers/translation-usage";

/**
 * What the browser loads on the pages Lighthouse measures (`npm run bench -- lighthouse`): the
 * client components under their route files and layouts, and everything those import for values.
 * Server-side helpers do not belong there: one runtime import of a module built on zod sent all of
 * zod (27 KB gzipped) to the dossier page, and Node's Buffer brings a polyfill along.
 */
const MEASURED_ROUTES = [
  "app/layout.tsx",
  "app/(app)/layout.tsx",
  "app/(auth)/sign-in/page.tsx",
  "app/(app)/dossiers/[dossierId]/page.tsx",
  "app/(app)/portals/[portalId]/page.tsx",
];

/** An import of zod's values (a type-only import carries no code). */
const ZOD_VALUE_IMPORT = /^import\s+(?!type\b)[^;]*?\bfrom\s+["']zod(?:\/[^"']*)?["']/m;
const BUFFER_USE = /\bBuffer\s*[.(]/;

const clientModules = MEASURED_ROUTES.map((route) => ({ route, modules: clientModulesOf(route) }));

describe("the client code of the pages Lighthouse measures", () => {
  it("is found (the walk is not empty by mistake)", () => {
    const files = (route: string) => clientModules.find((entry) => entry.route === route)?.modules.map((m) => m.file);
    expect(files("app/(app)/dossiers/[dossierId]/page.tsx")).toContain("components/documents/upload-form.tsx");
    expect(files("app/(app)/dossiers/[dossierId]/page.tsx")).toContain("lib/documents/document-types.ts");
    expect(files("app/(auth)/sign-in/page.tsx")).toContain("app/(auth)/sign-in/_components/email-sign-in-form.tsx");
  });

  it("imports no zod and uses no Buffer", () => {
    const offending = clientModules.flatMap(({ route, modules }) =>
      modules.flatMap(({ file }) => {
        const source = readFileSync(file, "utf8");
        return [
          ...(ZOD_VALUE_IMPORT.test(source) ? [`${file} imports zod (under ${route})`] : []),
          ...(BUFFER_USE.test(source) ? [`${file} uses Buffer (under ${route})`] : []),
        ];
      }),
    );
    expect([...new Set(offending)]).toEqual([]);
  });

  it("would catch the runtime import of a schema module", () => {
    expect(ZOD_VALUE_IMPORT.test('import { z } from "zod";')).toBe(true);
    expect(ZOD_VALUE_IMPORT.test('import type { ZodType } from "zod";')).toBe(false);
    expect(BUFFER_USE.test('Buffer.from(text, "base64url")')).toBe(true);
  });
});
