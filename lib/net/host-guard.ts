import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { env } from "@/lib/env";

/**
 * The host guard for every outbound connection to an address an office admin types in (FTP hosts,
 * an office's own API server, outgoing webhook endpoints): from inside our network such a
 * connection could otherwise reach our own services (loopback, private networks, the cloud
 * metadata endpoint). The host is resolved once here, every address it resolves to is checked, and
 * the caller then connects to the checked address itself (never to the name again, which a
 * rebinding DNS server could answer differently the second time).
 *
 * A deployment that really connects to servers in its own network (and tests, and the local demo)
 * sets KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1 (the name is older than its other uses); in development
 * (`next dev`) it is on by default. The cloud metadata addresses stay refused even then: nothing we
 * deliver to lives there.
 */

/** Ranges refused unless private hosts are allowed. */
const PRIVATE_RANGES: ReadonlyArray<readonly [string, number, "ipv4" | "ipv6", string]> = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "carrier-grade NAT"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "IETF protocol assignments"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "benchmarking"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["fc00::", 7, "ipv6", "unique local (private)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["ff00::", 8, "ipv6", "multicast"],
];

/** Cloud metadata endpoints (AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba): always refused. */
const METADATA_ADDRESSES: ReadonlyArray<readonly [string, "ipv4" | "ipv6"]> = [
  ["169.254.169.254", "ipv4"],
  ["169.254.170.2", "ipv4"],
  ["fd00:ec2::254", "ipv6"],
  ["100.100.100.200", "ipv4"],
];

const privateRanges = PRIVATE_RANGES.map(([network, prefix, type, reason]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, reason };
});
const metadataList = new BlockList();
for (const [address, type] of METADATA_ADDRESSES) metadataList.addAddress(address, type);

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach IPv4 hosts:
 * IPv4-mapped (::ffff:a.b.c.d) and the NAT64 well-known prefix (64:ff9b::/96).
 */
function embeddedIPv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join(".");
  }
  return null;
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string; isMetadata: boolean };

/** Why an address may not be connected to, or that it may. `allowPrivate` lifts all but metadata. */
export function judgeAddress(address: string, options: { allowPrivate: boolean }): AddressVerdict {
  const family = isIP(address);
  if (family === 0) return { allowed: false, reason: "not an IP address", isMetadata: false };
  const type = family === 4 ? "ipv4" : "ipv6";
  const inner = family === 6 ? embeddedIPv4(address) : null;
  const candidates: Array<[string, "ipv4" | "ipv6"]> = inner ? [[inner, "ipv4"]] : [[address, type]];
  for (const [candidate, candidateType] of candidates) {
    if (metadataList.check(candidate, candidateType)) {
      return { allowed: false, reason: "cloud metadata", isMetadata: true };
    }
    if (options.allowPrivate) continue;
    const hit = privateRanges.find(({ list }) => list.check(candidate, candidateType));
    if (hit) return { allowed: false, reason: hit.reason, isMetadata: false };
  }
  return { allowed: true };
}

/**
 * Whether this deployment allows hosts in private ranges (see the module comment). For webhooks it
 * also allows plain http endpoints.
 */
export function isPrivateHostAllowed(): boolean {
  const { KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: flag, NODE_ENV } = env();
  if (flag !== undefined) return flag === "1";
  return NODE_ENV === "development";
}

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export type ResolvedHost = { address: string; family: 4 | 6 };

/** Why a host was refused: no such name, DNS itself failed (worth another try), or an address refused. */
export type HostRefusal =
  | { code: "host_not_found"; detail: string; cause?: unknown }
  | { code: "dns_failed"; detail: string; cause?: unknown }
  | { code: "host_not_allowed"; detail: string; isMetadata: boolean };

export type HostVerdict = ({ ok: true } & ResolvedHost) | ({ ok: false } & HostRefusal);

/** A host as URLs write it ("[::1]") to what DNS and the guard take ("::1"). */
export function bareHostname(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Resolves the host (all of its addresses) and answers the address to connect to: the first one,
 * when every address is allowed. One refused address refuses the host (a name that also points
 * inside is not one we want to follow).
 */
export async function judgeHost(
  host: string,
  options: { allowPrivate?: boolean; lookup?: LookupAll } = {},
): Promise<HostVerdict> {
  const allowPrivate = options.allowPrivate ?? isPrivateHostAllowed();
  let addresses: Array<{ address: string; family: number }>;
  const literal = isIP(host);
  try {
    // An address needs no DNS (and a resolver passed in by tests need not know it).
    addresses = literal ? [{ address: host, family: literal }] : await (options.lookup ?? defaultLookup)(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA") {
      return { ok: false, code: "host_not_found", detail: `${code} ${host}`, cause: error };
    }
    return { ok: false, code: "dns_failed", detail: `DNS ${code ?? "error"}`, cause: error };
  }
  if (addresses.length === 0) return { ok: false, code: "host_not_found", detail: host };
  for (const { address } of addresses) {
    const verdict = judgeAddress(address, { allowPrivate });
    if (!verdict.allowed) {
      return {
        ok: false,
        code: "host_not_allowed",
        isMetadata: verdict.isMetadata,
        detail: `${host} resolves to ${address} (${verdict.reason})${
          verdict.isMetadata ? "" : "; set KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1 to allow private addresses"
        }`,
      };
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * The IPv4 address a numeric host spells in any of the forms the C resolver (inet_aton) accepts:
 * "2130706433", "0x7f000001", "0177.0.0.1", "127.1". Null when the host is not such a number.
 */
export function numericIPv4Of(host: string): string | null {
  const parts = host.split(".");
  // Hexadecimal ("0x…"), octal (a leading 0, digits 0-7 only) or decimal parts.
  if (parts.length > 4 || parts.some((part) => !/^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/i.test(part))) return null;
  const values = parts.map((part) =>
    /^0x/i.test(part)
      ? Number.parseInt(part.slice(2) || "0", 16)
      : /^0\d/.test(part)
        ? Number.parseInt(part, 8)
        : Number(part),
  );
  if (values.some((value) => !Number.isFinite(value))) return null;
  const last = values.pop() as number;
  if (values.some((value) => value > 255) || last >= 256 ** (4 - values.length)) return null;
  const bytes = [...values];
  for (let index = 3 - values.length; index >= 0; index--) bytes.push(Math.floor(last / 256 ** index) % 256);
  return bytes.join(".");
}

/** Why a host typed into a form is refused without asking DNS (see `judgeHostAsTyped`). */
export type TypedHostRefusal = "metadata" | "loopback" | "private" | "linkLocal" | "reserved";

/**
 * Judges a host as an admin typed it, without DNS, for the moment a connection is saved: IP
 * addresses in any notation and the names that always mean this machine ("localhost" and
 * "*.localhost", RFC 6761). Null when the host is allowed or is a name only DNS can judge; the
 * guard at connect time (`judgeHost`) still judges every host, names included.
 */
export function judgeHostAsTyped(
  host: string,
  options: { allowPrivate: boolean } = { allowPrivate: isPrivateHostAllowed() },
): TypedHostRefusal | null {
  const bare = bareHostname(host.trim()).toLowerCase().replace(/\.$/, "");
  const isLocalName = bare === "localhost" || bare.endsWith(".localhost");
  const address = isLocalName ? "127.0.0.1" : isIP(bare) !== 0 ? bare : numericIPv4Of(bare);
  if (address === null) return null;
  const verdict = judgeAddress(address, options);
  if (verdict.allowed) return null;
  if (verdict.isMetadata) return "metadata";
  if (verdict.reason === "loopback") return "loopback";
  if (verdict.reason === "link-local") return "linkLocal";
  if (/private|NAT/.test(verdict.reason)) return "private";
  return "reserved";
}
