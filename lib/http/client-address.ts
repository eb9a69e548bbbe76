import { isIP } from "node:net";
import { env } from "@/lib/env";

/**
 * The address of the client behind a request, for per-client limits (bad webhook signatures here;
 * the sign-in limits of issue 12 too). Next.js route handlers do not see the socket's address, and
 * every header a client sends can be forged, so an address is taken only from where a proxy we
 * trust wrote it: with KOPPEL_TRUSTED_PROXIES=N, the N-th X-Forwarded-For entry from the right
 * (each of the N proxies appends the address it received the request from; whatever the client
 * put further left is its own invention).
 *
 * Without KOPPEL_TRUSTED_PROXIES, or when the header has fewer than N entries or the entry is not
 * an IP address, the answer is UNKNOWN_CLIENT: callers then count all such requests in one
 * bucket (per route), which still caps what a forger can do, at the price that one abuser can
 * make the limit hit everyone on that route. X-Real-IP is never used: which proxy set it cannot
 * be told.
 */
export const UNKNOWN_CLIENT = "unknown";

export function clientAddressOf(
  headers: Headers,
  trustedProxies: number | undefined = env().KOPPEL_TRUSTED_PROXIES,
): string {
  if (!trustedProxies) return UNKNOWN_CLIENT;
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const entry = entries[entries.length - trustedProxies];
  if (entry === undefined) return UNKNOWN_CLIENT;
  // "[2001:db8::1]:1234" and "192.0.2.1:1234" carry a port some proxies add.
  const address = entry.replace(/^\[([^\]]+)\](?::\d+)?$/, "$1").replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1");
  return isIP(address) !== 0 ? address.toLowerCase() : UNKNOWN_CLIENT;
}
