import { isPrivateHostAllowed, judgeHost, type LookupAll, type ResolvedHost } from "@/lib/net/host-guard";
import { ConnectorError } from "../errors";

/**
 * The host guard for FTP connections (lib/net/host-guard.ts holds the rules, shared with the other
 * outbound connections): the host is resolved once, every address checked, and the connection
 * then goes to the checked address itself. Data connections follow the control connection's
 * address (basic-ftp refuses a PASV answer that points elsewhere), so they cannot be steered either.
 */

export { type AddressVerdict, judgeAddress, type LookupAll, type ResolvedHost } from "@/lib/net/host-guard";

/** Whether this deployment allows FTP hosts in private ranges (KOPPEL_ALLOW_PRIVATE_FTP_HOSTS). */
export function isPrivateFtpHostAllowed(): boolean {
  return isPrivateHostAllowed();
}

/**
 * Resolves the host and returns the address to connect to, when every address it resolves to is
 * allowed. Errors: permanent `host_not_found` for a name that does not exist, retryable `network`
 * when DNS itself failed, permanent `host_not_allowed`.
 */
export async function resolveAllowedHost(
  host: string,
  options: { allowPrivate?: boolean; lookup?: LookupAll } = {},
): Promise<ResolvedHost> {
  const verdict = await judgeHost(host, options);
  if (verdict.ok) return { address: verdict.address, family: verdict.family };
  switch (verdict.code) {
    case "host_not_found":
      throw new ConnectorError("permanent", "host_not_found", { vendorDetail: verdict.detail, cause: verdict.cause });
    case "dns_failed":
      throw new ConnectorError("retryable", "network", { vendorDetail: verdict.detail, cause: verdict.cause });
    case "host_not_allowed":
      throw new ConnectorError("permanent", "host_not_allowed", { vendorDetail: verdict.detail });
  }
}
