import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_MESSAGE_AREAS, type ClientMessageArea, pickMessages } from "@/lib/i18n/client-messages";
import { LOCALES } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";
import {
  analyseSource,
  areaOf,
  clientModulesOf,
  type ModuleInfo,
  readModule,
  routeFiles,
  sourceFiles,
} from "../../../helpers/translation-usage";

const AREAS = CLIENT_MESSAGE_AREAS as Record<ClientMessageArea, readonly string[]>;
const ROUTES = routeFiles().filter((file) => path.basename(file) !== "global-error.tsx");
/**
 * Route files whose one translating client component shows only on request (the overview's
 * new-dossier form, ?new=1): a <LazyClientMessages> wraps that component alone, so the page's
 * payload carries the messages, and its JavaScript next-intl's client runtime, only when it shows.
 * Each names the component it wraps.
 */
const WRAPPED_WHERE_SHOWN: Record<string, string> = {
  "app/(app)/portals/[portalId]/page.tsx": "LazyNewDossierForm",
};

/** Whether a key path lies under a provided path (or is it). */
const isUnder = (keyPath: string, provided: string) => keyPath === provided || keyPath.startsWith(`${provided}.`);

function messageAt(locale: (typeof LOCALES)[number], keyPath: string): unknown {
  return keyPath
    .split(".")
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], MESSAGES[locale]);
}

/** Each route file with its area and the client modules it renders. */
const routes = ROUTES.map((file) => ({ file, area: areaOf(file), modules: clientModulesOf(file) }));

describe("the messages each area hands to the browser", () => {
  it("reads the client components of the routes (the scan is not empty by mistake)", () => {
    const signIn = routes.find((route) => route.file === "app/(auth)/sign-in/page.tsx");
    expect(signIn?.modules.map((m) => m.file)).toContain("app/(auth)/sign-in/_components/demo-sign-in.tsx");
    expect(signIn?.modules.flatMap((m) => m.uses.map((use) => use.path))).toContain("auth.demo.roles");
    const documents = routes.find((route) => route.file === "app/(app)/dossiers/[dossierId]/page.tsx");
    const documentPaths = documents?.modules.flatMap((m) => m.uses.map((use) => use.path));
    // A hook that is not itself "use client" but is imported by a client component runs in the browser.
    expect(documentPaths).toContain("dispatch.refusals");
    expect(documentPaths).toContain("errors");
    expect(routes.length).toBeGreaterThan(20);
  });

  it("can follow every translator of every client component", () => {
    const problems = [...new Set(routes.flatMap((route) => route.modules.flatMap((m) => m.problems)))];
    expect(problems).toEqual([]);
  });

  it("gives every client component the messages it looks up", () => {
    const missing = routes.flatMap(({ area, modules }) => {
      const provided = area ? AREAS[area.area as ClientMessageArea] : [];
      return modules.flatMap((m) =>
        m.uses
          .filter((use) => !provided.some((p) => isUnder(use.path, p)))
          .map(
            (use) => `${use.path} (read at ${use.at}): add it to area "${area?.area}" in lib/i18n/client-messages.ts`,
          ),
      );
    });
    expect([...new Set(missing)]).toEqual([]);
  });

  it("sends no path that no client component of its area looks up", () => {
    const unused = Object.entries(AREAS).flatMap(([area, provided]) => {
      const paths = routes
        .filter((route) => route.area?.area === area)
        .flatMap((route) => route.modules.flatMap((m) => m.uses.map((use) => use.path)));
      return provided
        .filter((p) => !paths.some((used) => isUnder(used, p) || isUnder(p, used)))
        .map(
          (p) => `${area}: ${p} is read by no client component of the area; drop it from lib/i18n/client-messages.ts`,
        );
    });
    expect(unused).toEqual([]);
  });

  it("lists each path once per area, never inside another of its paths", () => {
    const nested = Object.entries(AREAS).flatMap(([area, provided]) =>
      provided.flatMap((p, i) =>
        provided.filter((q, j) => i !== j && isUnder(p, q)).map((q) => `${area}: ${p} in ${q}`),
      ),
    );
    expect(nested).toEqual([]);
  });

  it.each(LOCALES)("names only paths that exist in %s", (locale) => {
    const absent = Object.entries(AREAS).flatMap(([area, provided]) =>
      provided.filter((p) => messageAt(locale, p) === undefined).map((p) => `${area}: ${p}`),
    );
    expect(absent).toEqual([]);
  });

  it("wires every area in exactly one route file, the root one in the root layout", () => {
    const declared = sourceFiles().flatMap((file) => readModule(file).areas.map((area) => ({ area, file })));
    expect(declared.filter((d) => !d.file.startsWith("app/")).map((d) => d.file)).toEqual([]);
    expect(declared.map((d) => d.area).sort()).toEqual(Object.keys(AREAS).sort());
    expect(declared.find((d) => d.area === "root")?.file).toBe("app/layout.tsx");
  });

  it("wraps everything a route file with an area renders in that area's provider", () => {
    // The root layout renders <html> and <body> around its provider, and no client component of its own.
    expect(clientModulesOf("app/layout.tsx").map((m) => m.file)).toEqual(["components/ui/root-messages.tsx"]);
    const unwrapped = ROUTES.filter(
      (file) => file !== "app/layout.tsx" && !(file in WRAPPED_WHERE_SHOWN) && readModule(file).areas.length > 0,
    ).flatMap((file) => readModule(file).unwrappedReturns.map((line) => `${file}:${line}`));
    expect(unwrapped).toEqual([]);
  });

  it.each(Object.entries(WRAPPED_WHERE_SHOWN))(
    "renders %s's translating client component only inside its provider",
    (file, tag) => {
      const source = readFileSync(file, "utf8");
      const area = readModule(file).areas[0];
      const uses = [...source.matchAll(new RegExp(`<${tag}\\b`, "g"))].map((match) => match.index ?? 0);
      expect(uses.length).toBeGreaterThan(0);
      // Each use lies between an opening <LazyClientMessages area="…"> of the file's area and its closing tag.
      for (const at of uses) {
        const opened = source.lastIndexOf(`<LazyClientMessages area="${area}">`, at);
        expect(opened, `${file}: <${tag}> outside <ClientMessages>`).toBeGreaterThan(-1);
        expect(
          source.slice(opened, at).includes("</ClientMessages>"),
          `${file}: <${tag}> outside <ClientMessages>`,
        ).toBe(false);
      }
    },
  );

  it("renders next-intl's client provider only through <ClientMessages>", () => {
    // The root area (the error boundaries) has its own small provider: components/ui/root-messages.tsx.
    const providers = sourceFiles().flatMap((file) => readModule(file).providers);
    expect(providers.map((at) => at.replace(/:\d+$/, "")).sort()).toEqual(["components/ui/client-messages.tsx"]);
  });

  it("keeps the message catalogs out of client code, but for the global error page's own namespace", () => {
    const clientModules = new Map<string, ModuleInfo>();
    for (const file of [...ROUTES, "app/global-error.tsx"]) {
      for (const m of clientModulesOf(file)) clientModules.set(m.file, m);
    }
    const catalogImports = [...clientModules.values()].flatMap((m) => [
      ...m.imports.filter((file) => file === "lib/i18n/messages.ts").map((file) => `${m.file} → ${file}`),
      ...m.jsonImports.filter((file) => file.startsWith("lib/i18n/messages/")).map((file) => `${m.file} → ${file}`),
    ]);
    expect(catalogImports.sort()).toEqual(
      LOCALES.map((locale) => `app/global-error.tsx → lib/i18n/messages/${locale}/errorPages.json`).sort(),
    );
    const globalError = clientModulesOf("app/global-error.tsx").flatMap((m) => m.uses.map((use) => use.path));
    expect(globalError.length).toBeGreaterThan(0);
    expect(globalError.filter((keyPath) => !isUnder(keyPath, "errorPages"))).toEqual([]);
  });
});

describe("reading translations from source", () => {
  const read = (source: string) => analyseSource("app/example.tsx", `"use client";\n${source}`);
  const paths = (source: string) => read(source).uses.map((use) => use.path);

  it("joins the namespace and a literal key, for t, t.rich, t.markup, t.raw and t.has", () => {
    expect(
      paths(`import { useTranslations } from "next-intl";
        export function A() {
          const t = useTranslations("documents.upload");
          return [t("title"), t.rich("hint", {}), t.markup("added", {}), t.raw("offline"), t.has("typeLater")];
        }`),
    ).toEqual([
      "documents.upload.title",
      "documents.upload.hint",
      "documents.upload.added",
      "documents.upload.offline",
      "documents.upload.typeLater",
    ]);
  });

  it("reads a template key up to its last literal dot, and both branches of a conditional", () => {
    expect(
      paths(`import { useTranslations } from "next-intl";
        export function A({ type, on }) {
          const t = useTranslations("documents");
          return [t(\`types.\${type}\`), t(on ? "status.sent" : "status.inbox"), t(\`\${type}.x\`)];
        }`),
    ).toEqual(["documents.types", "documents.status.sent", "documents.status.inbox", "documents"]);
  });

  it("resolves each t to the translator of its own function, whatever the order", () => {
    expect(
      paths(`import { useTranslations as useT } from "next-intl";
        function One() { const submit = () => t("a"); const t = useT("members"); return submit(); }
        function Two() { const t = useT("webhooks.form"); return t("url"); }`),
    ).toEqual(["members.a", "webhooks.form.url"]);
  });

  it("takes the whole namespace for a variable key or a translator handed to another function", () => {
    expect(
      paths(`import { useTranslations } from "next-intl";
        export function A({ key }) { const t = useTranslations("errors"); return [t(key as never), label(t)]; }`),
    ).toEqual(["errors", "errors"]);
  });

  it("ignores a translator's name in types", () => {
    expect(
      paths(`import { useTranslations } from "next-intl";
        export function A() { const t = useTranslations("errors"); type Key = Parameters<typeof t>[0]; return t("generic" as Key); }`),
    ).toEqual(["errors.generic"]);
  });

  it("refuses a variable key on a root translator unless the module names the paths it can read", () => {
    const root = `import { useTranslations } from "next-intl";
      export function A({ reason }) { const t = useTranslations(); return t(reason); }`;
    expect(read(root).problems).toHaveLength(1);
    const declared = read(`// i18n-dynamic-keys: dispatch.errors connectors.errors\n${root}`);
    expect(declared.problems).toEqual([]);
    expect(declared.uses.map((use) => use.path)).toEqual(["dispatch.errors", "connectors.errors"]);
    expect(read(`// i18n-dynamic-keys: dispatch.errors\nexport const x = 1;`).problems).toHaveLength(1);
  });

  it("refuses a namespace that is not a literal, and the whole catalog in client code", () => {
    expect(
      read(`import { useTranslations } from "next-intl";
        export function A({ ns }) { const t = useTranslations(ns); return t("x"); }`).problems,
    ).toHaveLength(1);
    expect(read(`import { useMessages } from "next-intl";`).problems).toHaveLength(1);
  });

  it("follows value imports only, and finds <ClientMessages> areas and unwrapped returns", () => {
    const info = read(`import type { Actor } from "@/lib/auth/actor";
      import { type Locale } from "@/lib/i18n/config";
      import { ClientMessages } from "@/components/ui/client-messages";
      export default async function Page({ empty }) {
        if (empty) return <p>none</p>;
        return <ClientMessages area="members"><p /></ClientMessages>;
      }`);
    expect(info.imports).toEqual(["components/ui/client-messages.tsx"]);
    expect(info.areas).toEqual(["members"]);
    expect(info.unwrappedReturns).toEqual([6]);
  });
});

describe("pickMessages", () => {
  it("keeps the listed namespaces and deeper paths, and nothing else", () => {
    const catalog = { a: { b: { c: "1", d: "2" }, e: "3" }, f: { g: "4" }, h: "5" };
    expect(pickMessages(catalog, ["a.b.c", "f", "h", "a.missing"])).toEqual({
      a: { b: { c: "1" } },
      f: { g: "4" },
      h: "5",
    });
    expect(catalog.a.b).toEqual({ c: "1", d: "2" });
  });
});
