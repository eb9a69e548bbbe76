import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseAst } from "vite";

/**
 * A static reading of which message keys the browser needs: the client modules each route file
 * renders (its "use client" imports and everything they import), the translators those modules
 * create (useTranslations / getTranslations) and the keys they look up. Used by
 * tests/unit/lib/i18n/client-messages.test.ts to hold lib/i18n/client-messages.ts to the code.
 *
 * Keys are read as paths from the catalog root ("documents.types"): a literal key is the whole
 * path, a template key (`types.${type}`) its literal prefix up to the last dot, and any other key
 * (a variable, a translator handed to another function) the translator's whole namespace. A root
 * translator (useTranslations() with no namespace) with such a key could read anything: its module
 * must say where with a comment `// i18n-dynamic-keys: connectors.errors dispatch.errors`.
 */

const ROOT = process.cwd();
const SOURCE_FOLDERS = ["app", "components", "lib"];
const EXTENSIONS = [".tsx", ".ts"];
const ROUTE_FILE = /^(page|layout|template|error|not-found|forbidden|unauthorized|loading|default|global-error)\.tsx?$/;
const TRANSLATOR_HOOKS = new Set(["useTranslations", "getTranslations"]);
/** The root area's own translator (no next-intl client runtime), read like next-intl's. */
const ROOT_MESSAGES_MODULE = "@/components/ui/root-messages";
/** Re-exports next-intl's client provider (with the faster locale resolution): a provider import too. */
const INTL_PROVIDER_MODULE = "components/ui/next-intl-client-provider.ts";
const TRANSLATOR_METHODS = new Set(["rich", "markup", "raw", "has"]);
/** TypeScript nodes that hold a run-time expression; every other TS node is a type and is skipped. */
const TS_EXPRESSIONS = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
]);
const TYPE_ONLY_KEYS = new Set([
  "typeAnnotation",
  "returnType",
  "typeParameters",
  "typeArguments",
  "superTypeArguments",
]);
const DYNAMIC_KEYS_COMMENT = /\/\/\s*i18n-dynamic-keys:([^\n]*)/;

type Node = { type: string; [key: string]: unknown };

/** One message path a module needs in the browser, and where. */
export type TranslationUse = { path: string; at: string };

export type ModuleInfo = {
  file: string;
  isClientBoundary: boolean;
  isServerActions: boolean;
  /** Project files imported for their values (type-only imports carry no code). */
  imports: string[];
  /** JSON files imported for their values (message catalogs among them). */
  jsonImports: string[];
  uses: TranslationUse[];
  /** `area` values of <ClientMessages area="…"> elements in the module. */
  areas: string[];
  /** Where a NextIntlClientProvider is rendered in the module. */
  providers: string[];
  /** Lines where the default export returns JSX that is not a <ClientMessages> element. */
  unwrappedReturns: number[];
  /** Things the reading cannot follow, as messages for a failing test. */
  problems: string[];
};

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as Node).type === "string";
}

/** The children of a node that run at run time (type annotations and type declarations left out). */
function children(node: Node): Node[] {
  if (node.type.startsWith("TS")) {
    return TS_EXPRESSIONS.has(node.type) && isNode(node.expression) ? [node.expression] : [];
  }
  const out: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (TYPE_ONLY_KEYS.has(key)) continue;
    if (Array.isArray(value)) for (const item of value) if (isNode(item)) out.push(item);
    if (isNode(value)) out.push(value);
  }
  return out;
}

function unwrap(node: Node): Node {
  let current = node;
  while (
    (TS_EXPRESSIONS.has(current.type) || current.type === "AwaitExpression") &&
    isNode(current.expression ?? current.argument)
  ) {
    current = (current.expression ?? current.argument) as Node;
  }
  if (current.type === "ParenthesizedExpression" && isNode(current.expression)) return unwrap(current.expression);
  return current;
}

const isFunction = (node: Node) =>
  node.type === "FunctionDeclaration" || node.type === "FunctionExpression" || node.type === "ArrowFunctionExpression";

/** The literal text of a template before its first ${…}. */
function templateHead(node: Node): string {
  return ((node.quasis as Node[])[0]?.value as { cooked?: string } | undefined)?.cooked ?? "";
}

function stringValue(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  const inner = unwrap(node);
  if (inner.type === "Literal" && typeof inner.value === "string") return inner.value;
  if (inner.type === "TemplateLiteral" && (inner.expressions as unknown[]).length === 0) {
    return templateHead(inner);
  }
  return undefined;
}

/**
 * The keys a call can look up, relative to its translator's namespace: a literal, a template's
 * literal prefix up to its last dot, both branches of a conditional; null when any key is possible.
 */
function keysOf(argument: unknown): string[] | null {
  if (!isNode(argument)) return null;
  const node = unwrap(argument);
  const literal = stringValue(node);
  if (literal !== undefined) return [literal];
  if (node.type === "TemplateLiteral") {
    const head = templateHead(node);
    const prefix = head.slice(0, Math.max(head.lastIndexOf("."), 0));
    return prefix ? [prefix] : null;
  }
  if (node.type === "ConditionalExpression") {
    const consequent = keysOf(node.consequent);
    const alternate = keysOf(node.alternate);
    return consequent && alternate ? [...consequent, ...alternate] : null;
  }
  return null;
}

/** The namespace a translator hook is called with: "" for the catalog root, null when not literal. */
function namespaceOf(call: Node): string | null {
  const [first] = call.arguments as Node[];
  if (!first) return "";
  const literal = stringValue(first);
  if (literal !== undefined) return literal;
  const inner = unwrap(first);
  if (inner.type === "ObjectExpression") {
    // getTranslations({ locale, namespace: "…" })
    const property = (inner.properties as Node[]).find(
      (p) => p.type === "Property" && isNode(p.key) && (p.key.name === "namespace" || p.key.value === "namespace"),
    );
    return property ? (stringValue(property.value) ?? null) : "";
  }
  return null;
}

/** Whether a key path lies in a namespace ("" is the whole catalog). */
const isWithin = (keyPath: string, namespace: string) =>
  namespace === "" || keyPath === namespace || keyPath.startsWith(`${namespace}.`);

const joinPath = (namespace: string, key: string) => (namespace ? `${namespace}.${key}` : key);

function resolveImport(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith("@/")) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(path.join(ROOT, from)), specifier);
  else return undefined;
  const candidates = [
    ...(/\.(tsx?|json)$/.test(base) ? [base] : []),
    ...EXTENSIONS.map((ext) => base + ext),
    ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`)),
  ];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  return found ? path.relative(ROOT, found) : undefined;
}

const cache = new Map<string, ModuleInfo>();

/** What one source file (a path from the repository root) imports, renders and translates. */
export function readModule(file: string): ModuleInfo {
  const cached = cache.get(file);
  if (cached) return cached;
  const info = analyseSource(file, readFileSync(path.join(ROOT, file), "utf8"));
  cache.set(file, info);
  return info;
}

/** The returns of a module's default export that render JSX other than a <ClientMessages> element. */
function unwrappedReturns(body: Node[], lineOf: (node: Node) => number): number[] {
  const exported = body.find((statement) => statement.type === "ExportDefaultDeclaration")?.declaration as
    | Node
    | undefined;
  let fn = exported;
  if (exported?.type === "Identifier") {
    fn = body.find((s) => s.type === "FunctionDeclaration" && (s.id as Node | null)?.name === exported.name);
  }
  if (!fn || !isFunction(fn)) return [];
  const lines: number[] = [];
  const hasJsx = (node: Node): boolean =>
    node.type === "JSXElement" || node.type === "JSXFragment" || children(node).some(hasJsx);
  const visit = (node: Node) => {
    if (node.type === "ReturnStatement" && isNode(node.argument)) {
      const returned = unwrap(node.argument);
      const isWrapped =
        returned.type === "JSXElement" && ((returned.openingElement as Node).name as Node).name === "ClientMessages";
      if (!isWrapped && hasJsx(returned)) lines.push(lineOf(node));
    }
    for (const child of children(node)) if (!isFunction(child)) visit(child);
  };
  // A concise arrow function returns its body.
  if (isNode(fn.body) && fn.body.type !== "BlockStatement")
    visit({ type: "ReturnStatement", argument: fn.body, start: fn.body.start });
  else if (isNode(fn.body)) visit(fn.body);
  return lines;
}

/** What a module's source imports, renders and translates (readModule, for a file on disk). */
export function analyseSource(file: string, source: string): ModuleInfo {
  const program = parseAst(source, { lang: file.endsWith(".tsx") ? "tsx" : "ts" }, file) as unknown as Node;
  const body = program.body as Node[];
  const directives = body.filter((statement) => typeof statement.directive === "string").map((s) => s.directive);
  const lineOf = (node: Node) => source.slice(0, node.start as number).split("\n").length;
  const info: ModuleInfo = {
    file,
    isClientBoundary: directives.includes("use client"),
    isServerActions: directives.includes("use server"),
    imports: [],
    jsonImports: [],
    uses: [],
    areas: [],
    providers: [],
    unwrappedReturns: unwrappedReturns(body, lineOf),
    problems: [],
  };

  // Imports, and the local names of next-intl's translator hooks.
  const hookNames = new Set<string>();
  const providerNames = new Set<string>();
  const addImport = (specifier: unknown) => {
    if (typeof specifier !== "string") return;
    if (specifier.endsWith(".json")) {
      const resolved = resolveImport(file, specifier);
      if (resolved) info.jsonImports.push(resolved);
      return;
    }
    const resolved = resolveImport(file, specifier);
    if (resolved) info.imports.push(resolved);
  };
  for (const statement of body) {
    if (statement.type === "ImportDeclaration") {
      const specifiers = statement.specifiers as Node[];
      const isTypeOnly =
        statement.importKind === "type" || (specifiers.length > 0 && specifiers.every((s) => s.importKind === "type"));
      if (!isTypeOnly) addImport((statement.source as Node).value);
      const from = (statement.source as Node).value as string;
      // components/ui/root-messages.tsx: the root area's useTranslations, with next-intl's signature.
      // components/ui/next-intl-client-provider.ts hands on next-intl's client provider.
      if (resolveImport(file, from) === INTL_PROVIDER_MODULE) {
        for (const specifier of specifiers) {
          const imported = (specifier.imported as Node | undefined)?.name as string | undefined;
          if (imported === "NextIntlClientProvider") providerNames.add((specifier.local as Node).name as string);
        }
      }
      if (from === "next-intl" || from === "next-intl/server" || from === ROOT_MESSAGES_MODULE) {
        for (const specifier of specifiers) {
          const imported = (specifier.imported as Node | undefined)?.name as string | undefined;
          const local = (specifier.local as Node).name as string;
          if (imported && TRANSLATOR_HOOKS.has(imported)) hookNames.add(local);
          if (imported === "NextIntlClientProvider") providerNames.add(local);
          if (imported === "useMessages" || imported === "getMessages") {
            if (info.isClientBoundary)
              info.problems.push(`${file}: ${imported} hands the whole catalog to the browser`);
          }
        }
      }
    } else if (
      (statement.type === "ExportNamedDeclaration" || statement.type === "ExportAllDeclaration") &&
      statement.source
    ) {
      if (statement.exportKind !== "type") addImport((statement.source as Node).value);
    }
  }

  // Pass 1: translator bindings, by the function (or module) that declares them.
  type Binding = { namespace: string | null; scope: Node };
  const bindings = new Map<string, Binding[]>();
  const collect = (node: Node, scopes: Node[]) => {
    const inner = isFunction(node) ? [...scopes, node] : scopes;
    if (node.type === "VariableDeclarator" && isNode(node.id) && node.id.type === "Identifier" && isNode(node.init)) {
      const init = unwrap(node.init);
      if (init.type === "CallExpression" && isNode(init.callee) && hookNames.has(init.callee.name as string)) {
        const name = node.id.name as string;
        bindings.set(name, [
          ...(bindings.get(name) ?? []),
          { namespace: namespaceOf(init), scope: scopes.at(-1) as Node },
        ]);
      }
    }
    if (node.type === "ImportExpression") addImport(stringValue(node.source));
    if (node.type === "JSXOpeningElement" && isNode(node.name) && node.name.type === "JSXIdentifier") {
      const tag = node.name.name as string;
      // The root layout's provider of the root area (components/ui/root-client-messages.tsx).
      if (tag === "RootClientMessages") info.areas.push("root");
      // <LazyClientMessages> (components/ui/lazy-client-messages.tsx) is the same provider, fetched lazily.
      if (tag === "ClientMessages" || tag === "LazyClientMessages") {
        const area = (node.attributes as Node[]).find(
          (a) => a.type === "JSXAttribute" && (a.name as Node).name === "area",
        );
        const value = area ? stringValue(area.value) : undefined;
        if (value) info.areas.push(value);
        else info.problems.push(`${file}:${lineOf(node)}: <ClientMessages> needs a literal area`);
      }
      if (providerNames.has(tag)) info.providers.push(`${file}:${lineOf(node)}`);
    }
    for (const child of children(node)) collect(child, inner);
  };
  collect(program, [program]);

  const declared =
    DYNAMIC_KEYS_COMMENT.exec(source)?.[1]
      ?.split(/[\s,]+/)
      .filter(Boolean) ?? [];
  const appliedDeclarations = new Set<string>();

  // Pass 2: every reference to a translator, resolved to the innermost function that binds it.
  const visit = (node: Node, parents: Node[], scopes: Node[]) => {
    const inner = isFunction(node) ? [...scopes, node] : scopes;
    const parent = parents.at(-1);
    const isReference =
      node.type === "Identifier" &&
      bindings.has(node.name as string) &&
      !(parent?.type === "VariableDeclarator" && parent.id === node) &&
      !(parent?.type === "MemberExpression" && parent.property === node && !parent.computed) &&
      !(parent?.type === "Property" && parent.key === node && !parent.computed);
    if (isReference) {
      const candidates = bindings.get(node.name as string) ?? [];
      const binding = [...scopes].reverse().flatMap((scope) => candidates.filter((c) => c.scope === scope))[0];
      if (binding) {
        const at = `${file}:${lineOf(node)}`;
        const grandparent = parents.at(-2);
        let call: Node | undefined;
        if (parent?.type === "CallExpression" && parent.callee === node) call = parent;
        else if (
          parent?.type === "MemberExpression" &&
          parent.object === node &&
          TRANSLATOR_METHODS.has((parent.property as Node).name as string) &&
          grandparent?.type === "CallExpression" &&
          grandparent.callee === parent
        ) {
          call = grandparent;
        }
        const keys = call ? keysOf((call.arguments as Node[])[0]) : null;
        if (binding.namespace === null) {
          info.problems.push(`${at}: a translator whose namespace is not a literal`);
        } else if (keys) {
          for (const key of keys) info.uses.push({ path: joinPath(binding.namespace, key), at });
        } else if (declared.some((p) => isWithin(p, binding.namespace as string))) {
          for (const declaredPath of declared.filter((p) => isWithin(p, binding.namespace as string))) {
            appliedDeclarations.add(declaredPath);
            info.uses.push({ path: declaredPath, at: `${at} (i18n-dynamic-keys)` });
          }
        } else if (binding.namespace === "") {
          info.problems.push(
            `${at}: a key the code cannot see on a root translator; say which paths it reads with // i18n-dynamic-keys: …`,
          );
        } else {
          info.uses.push({ path: binding.namespace, at: `${at} (any key)` });
        }
      }
    }
    for (const child of children(node)) visit(child, [...parents, node], inner);
  };
  visit(program, [], [program]);
  for (const declaredPath of declared.filter((p) => !appliedDeclarations.has(p))) {
    info.problems.push(
      `${file}: i18n-dynamic-keys names "${declaredPath}", but no translator there looks up a key it cannot see under it`,
    );
  }
  return info;
}

function walk(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(relative);
    return EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

/** Every source file of app/, components/ and lib/. */
export function sourceFiles(): string[] {
  return SOURCE_FOLDERS.flatMap(walk);
}

/** The App Router's special files (pages, layouts, error and not-found boundaries, …). */
export function routeFiles(): string[] {
  return walk("app").filter((file) => ROUTE_FILE.test(path.basename(file)));
}

/**
 * The modules that run in the browser when a route file renders: its client boundaries and what
 * they import (a "use server" module is only a reference there; its code stays on the server).
 */
export function clientModulesOf(routeFile: string): ModuleInfo[] {
  const found = new Map<string, ModuleInfo>();
  const seen = new Set<string>();
  const visit = (file: string, isClient: boolean) => {
    const key = `${file}|${isClient}`;
    if (seen.has(key)) return;
    seen.add(key);
    const info = readModule(file);
    if (info.isServerActions) return;
    const inClient = isClient || info.isClientBoundary;
    if (inClient) found.set(file, info);
    for (const imported of info.imports) visit(imported, inClient);
  };
  visit(routeFile, false);
  return [...found.values()];
}

/**
 * The <ClientMessages> area whose provider is innermost around what a route file renders: its own,
 * else that of the nearest layout above it (a layout's own segment for pages and boundaries, the
 * parent segments for a layout). Next renders a segment's error and not-found boundaries inside
 * that segment's layout.
 */
export function areaOf(routeFile: string): { area: string; declaredIn: string } | undefined {
  const own = readModule(routeFile).areas;
  if (own.length > 0) return { area: own[0] as string, declaredIn: routeFile };
  let dir = path.dirname(routeFile);
  if (/^layout\.tsx?$/.test(path.basename(routeFile))) {
    if (dir === "app") return undefined;
    dir = path.dirname(dir);
  }
  for (;;) {
    for (const ext of EXTENSIONS) {
      const layout = path.join(dir, `layout${ext}`);
      if (existsSync(path.join(ROOT, layout))) {
        const areas = readModule(layout).areas;
        if (areas.length > 0) return { area: areas[0] as string, declaredIn: layout };
      }
    }
    if (dir === "app" || dir === ".") return undefined;
    dir = path.dirname(dir);
  }
}
