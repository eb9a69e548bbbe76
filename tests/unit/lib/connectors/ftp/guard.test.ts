import { afterEach, describe, expect, it } from "vitest";
import { ConnectorError } from "@/lib/connectors/errors";
import { isPrivateFtpHostAllowed, judgeAddress, type LookupAll, resolveAllowedHost } from "@/lib/connectors/ftp/guard";
import { resetEnvCache } from "@/lib/env";

const saved = {
  NODE_ENV: process.env.NODE_ENV,
  KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: process.env.KOPPEL_ALLOW_PRIVATE_FTP_HOSTS,
};

function withEnv(values: { NODE_ENV?: string; KOPPEL_ALLOW_PRIVATE_FTP_HOSTS?: string }) {
  const env = process.env as Record<string, string | undefined>;
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  resetEnvCache();
}

afterEach(() => withEnv(saved));

describe("judgeAddress", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.254", "carrier-grade NAT"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["169.254.1.1", "link-local"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.10", "private"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fc00::1", "unique local (private)"],
    ["fd12:3456::1", "unique local (private)"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["64:ff9b::192.168.0.1", "private"],
  ])("refuses %s (%s) unless private hosts are allowed", (address, reason) => {
    expect(judgeAddress(address, { allowPrivate: false })).toEqual({ allowed: false, reason, isMetadata: false });
    expect(judgeAddress(address, { allowPrivate: true })).toEqual({ allowed: true });
  });

  it.each(["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254"])(
    "always refuses the metadata address %s",
    (address) => {
      for (const allowPrivate of [false, true]) {
        expect(judgeAddress(address, { allowPrivate })).toEqual({
          allowed: false,
          reason: "cloud metadata",
          isMetadata: true,
        });
      }
    },
  );

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.1.1",
    "169.253.1.1",
    "2a00:1450:4001::1",
    "::ffff:8.8.8.8",
  ])("allows the public address %s", (address) => {
    expect(judgeAddress(address, { allowPrivate: false })).toEqual({ allowed: true });
  });

  it("refuses what is not an address", () => {
    expect(judgeAddress("localhost", { allowPrivate: true })).toMatchObject({ allowed: false });
  });
});

function lookupOf(answers: Record<string, string[]>): LookupAll {
  return async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

async function refusal(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

describe("resolveAllowedHost", () => {
  const lookup = lookupOf({
    "ftp.example.be": ["203.0.113.10", "2001:db8::10"],
    "rebind.example.be": ["203.0.113.11", "127.0.0.1"],
    "inside.example.be": ["10.1.2.3"],
    "metadata.example.be": ["169.254.169.254"],
  });

  it("returns the first address when every address is allowed", async () => {
    await expect(resolveAllowedHost("ftp.example.be", { allowPrivate: false, lookup })).resolves.toEqual({
      address: "203.0.113.10",
      family: 4,
    });
  });

  it("refuses a host when any of its addresses is refused, with a clear reason for the logs", async () => {
    const error = await refusal(resolveAllowedHost("rebind.example.be", { allowPrivate: false, lookup }));
    expect(error).toMatchObject({ kind: "permanent", code: "host_not_allowed" });
    expect(error.vendorDetail).toContain("127.0.0.1 (loopback)");
    expect(error.vendorDetail).toContain("KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=1");
    expect(error.messageKey).toBe("connectors.errors.host_not_allowed");
  });

  it("allows private addresses when the deployment does, but never metadata", async () => {
    await expect(resolveAllowedHost("inside.example.be", { allowPrivate: true, lookup })).resolves.toEqual({
      address: "10.1.2.3",
      family: 4,
    });
    const error = await refusal(resolveAllowedHost("metadata.example.be", { allowPrivate: true, lookup }));
    expect(error).toMatchObject({ kind: "permanent", code: "host_not_allowed" });
  });

  it("says when a name does not exist, and retries when DNS itself failed", async () => {
    expect(await refusal(resolveAllowedHost("nope.example.be", { allowPrivate: false, lookup }))).toMatchObject({
      kind: "permanent",
      code: "host_not_found",
    });
    const failing: LookupAll = async () => {
      throw Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" });
    };
    expect(await refusal(resolveAllowedHost("ftp.example.be", { allowPrivate: false, lookup: failing }))).toMatchObject(
      { kind: "retryable", code: "network" },
    );
  });

  it("checks IP literals too (the real resolver answers them as themselves)", async () => {
    const error = await refusal(resolveAllowedHost("127.0.0.1", { allowPrivate: false }));
    expect(error).toMatchObject({ code: "host_not_allowed" });
    await expect(resolveAllowedHost("127.0.0.1", { allowPrivate: true })).resolves.toEqual({
      address: "127.0.0.1",
      family: 4,
    });
  });
});

describe("isPrivateFtpHostAllowed", () => {
  it.each([
    ["production", undefined, false],
    ["test", undefined, false],
    ["development", undefined, true],
    ["production", "1", true],
    ["development", "0", false],
    ["test", "1", true],
  ] as const)("NODE_ENV=%s, KOPPEL_ALLOW_PRIVATE_FTP_HOSTS=%s → %s", (nodeEnv, flag, expected) => {
    withEnv({ NODE_ENV: nodeEnv, KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: flag });
    expect(isPrivateFtpHostAllowed()).toBe(expected);
  });

  it("refuses a flag value it does not know", () => {
    withEnv({ KOPPEL_ALLOW_PRIVATE_FTP_HOSTS: "yes" });
    expect(() => isPrivateFtpHostAllowed()).toThrow(/KOPPEL_ALLOW_PRIVATE_FTP_HOSTS/);
  });
});
