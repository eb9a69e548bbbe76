import { z } from "zod";
import { ConnectorError } from "../errors";

/**
 * Endpoint paths a customer may correct per connection (Wolters Kluwer and Syneton publish no
 * document-upload endpoint, so ours are assumptions kept in settings). A path is relative to the
 * connection's base URL: no scheme, no host, no `..`, no query or fragment, only the characters of
 * a plain URL path plus `{placeholder}`s the connector fills in (each value URL-encoded). That
 * keeps a typed path from sending the office's credentials anywhere but the configured host.
 */

const PATH_SEGMENT = /^(?:[A-Za-z0-9._~-]|\{[A-Za-z]+\})+$/;

/** Why a path is refused, or null when it is fine. One leading "/" is allowed (and dropped). */
export function endpointPathProblem(path: string, placeholders: readonly string[]): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith("//")) return "absolute URL";
  const relative = path.replace(/^\//, "");
  if (relative.length === 0 || relative.length > 200) return "length";
  for (const segment of relative.split("/")) {
    if (segment === "" || segment === "." || segment === "..") return "empty or dot segment";
    if (!PATH_SEGMENT.test(segment)) return "character";
  }
  for (const [, name] of relative.matchAll(/\{([A-Za-z]+)\}/g)) {
    if (!placeholders.includes(name as string)) return `unknown placeholder {${name}}`;
  }
  return null;
}

/** A settings field holding a relative endpoint path; refinements fail with "invalid" (forms translate it). */
export function endpointPathSchema(placeholders: readonly string[] = []) {
  return z
    .string()
    .trim()
    .refine((path) => endpointPathProblem(path, placeholders) === null, { message: "invalid" })
    .transform((path) => path.replace(/^\//, ""));
}

/** A field name in a request or answer body (form field, JSON property). */
export const bodyFieldNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, { message: "invalid" });

/**
 * The URL of `path` below `baseUrl`, placeholders filled (URL-encoded). Checks the path again (a
 * stored value is re-parsed, but this is the last place before a request) and that the result
 * stays on the base URL's origin and below its path.
 */
export function endpointUrl(baseUrl: string, path: string, values: Record<string, string> = {}): string {
  const problem = endpointPathProblem(path, Object.keys(values));
  if (problem !== null) {
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: `endpoint path ${path}: ${problem}` });
  }
  for (const [name, value] of Object.entries(values)) {
    // URL parsers read "%2e%2e" as "..": a value made of dots would step out of the path.
    if (/^\.*$/.test(value)) {
      throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: `empty or dot value for {${name}}` });
    }
  }
  const filled = path
    .replace(/^\//, "")
    .replace(/\{([A-Za-z]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));
  const base = new URL(`${baseUrl.replace(/\/+$/, "")}/`);
  const url = new URL(filled, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: `endpoint path ${path} leaves the API` });
  }
  return url.toString();
}
