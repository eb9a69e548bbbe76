import "server-only";
import { env } from "@/lib/env";
import { ConnectorError } from "../errors";

/**
 * The base URL an API connection calls. By default it is the vendor's own host for the
 * connection's region (`defaultUrl`); a connection may carry another one only where the deployment
 * allows it (KOPPEL_ALLOW_CUSTOM_API_HOSTS=1: tests, e2e and the local demo point at fakes).
 * Otherwise an admin could make the server call any address with the office's credentials.
 * `allowedHost` says which hosts count as the vendor's, e.g. /^start\.exactonline\.(nl|be)$/.
 * Returns the URL without a trailing slash.
 */
export function apiBaseUrl(configured: string | null | undefined, defaultUrl: string, allowedHost: RegExp): string {
  const chosen = configured?.trim() || defaultUrl;
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new ConnectorError("permanent", "invalid_settings", { vendorDetail: `base URL ${chosen} is not a URL` });
  }
  const isVendorHost = url.protocol === "https:" && allowedHost.test(url.hostname);
  if (!isVendorHost && env().KOPPEL_ALLOW_CUSTOM_API_HOSTS !== "1") {
    throw new ConnectorError("permanent", "invalid_settings", {
      vendorDetail: `base URL host ${url.host} is not the vendor's and custom API hosts are not allowed`,
    });
  }
  return url.toString().replace(/\/+$/, "");
}
