import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * The files of the API reference page (/docs/api), served by app/docs/api/assets/[file] from our
 * own build: Swagger UI from its npm package and our init script. Only these names are served; the
 * paths are relative to the app's root (next.config.ts traces them into the server output).
 */
export const REFERENCE_ASSETS = {
  "swagger-ui.css": { file: "node_modules/swagger-ui-dist/swagger-ui.css", contentType: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": {
    file: "node_modules/swagger-ui-dist/swagger-ui-bundle.js",
    contentType: "text/javascript; charset=utf-8",
  },
  "init.js": { file: "lib/api/reference/init.js", contentType: "text/javascript; charset=utf-8" },
} as const;

export type ReferenceAssetName = keyof typeof REFERENCE_ASSETS;

export function isReferenceAssetName(name: string): name is ReferenceAssetName {
  return Object.hasOwn(REFERENCE_ASSETS, name);
}

/** The asset's bytes, read once per instance (they change only with a new build). */
const cache = new Map<ReferenceAssetName, Promise<Buffer>>();

export function readReferenceAsset(name: ReferenceAssetName): Promise<Buffer> {
  let bytes = cache.get(name);
  if (!bytes) {
    // The files are named in next.config.ts (outputFileTracingIncludes); tracing need not guess.
    bytes = readFile(path.join(/*turbopackIgnore: true*/ process.cwd(), REFERENCE_ASSETS[name].file));
    // A failed read is not kept: the next request tries again.
    bytes.catch(() => cache.delete(name));
    cache.set(name, bytes);
  }
  return bytes;
}

/**
 * The page's own policy: scripts, styles and the document from this origin only; Swagger UI's
 * icons are data: URIs. Nothing may frame the page or be loaded from another host.
 */
export const REFERENCE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
