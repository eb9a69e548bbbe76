import { describe, expect, it } from "vitest";
import { judgeHostAsTyped, numericIPv4Of } from "@/lib/net/host-guard";

describe("numericIPv4Of", () => {
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["10.1", "10.0.0.1"],
    ["169.254.43518", "169.254.169.254"],
    ["192.0.2.1", "192.0.2.1"],
  ])("%s is %s", (host, address) => {
    expect(numericIPv4Of(host)).toBe(address);
  });
  it.each(["ftp.example.com", "1.2.3.4.5", "4294967296", "256.1.1.1", "09.1.1.1", "", "1..2"])(
    "%s is not a numeric address",
    (host) => {
      expect(numericIPv4Of(host)).toBeNull();
    },
  );
});

describe("judgeHostAsTyped", () => {
  const strict = { allowPrivate: false };
  const lenient = { allowPrivate: true };
  it.each([
    ["169.254.169.254", "metadata"],
    ["[fd00:ec2::254]", "metadata"],
    ["::ffff:169.254.169.254", "metadata"],
    ["10.0.0.1", "private"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "private"],
    ["localhost", "loopback"],
    ["LOCALHOST.", "loopback"],
    ["ftp.localhost", "loopback"],
    ["127.0.0.1", "loopback"],
    ["2130706433", "loopback"],
    ["0x7f.1", "loopback"],
    ["::1", "loopback"],
    ["[::ffff:127.0.0.1]", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["169.254.1.1", "linkLocal"],
    ["fe80::1", "linkLocal"],
    ["0.0.0.0", "reserved"],
    ["224.0.0.1", "reserved"],
  ])("refuses %s as %s", (host, reason) => {
    expect(judgeHostAsTyped(host, strict)).toBe(reason);
  });
  it("lets private hosts through when the deployment allows them, but never the metadata service", () => {
    expect(judgeHostAsTyped("10.0.0.1", lenient)).toBeNull();
    expect(judgeHostAsTyped("localhost", lenient)).toBeNull();
    expect(judgeHostAsTyped("169.254.169.254", lenient)).toBe("metadata");
    expect(judgeHostAsTyped("::ffff:a9fe:a9fe", lenient)).toBe("metadata");
  });
  it("leaves public addresses and names (DNS decides those at connect time) alone", () => {
    expect(judgeHostAsTyped("192.0.2.1", strict)).toBeNull();
    expect(judgeHostAsTyped("ftp.example.com", strict)).toBeNull();
    expect(judgeHostAsTyped("2001:db8::1", strict)).toBeNull();
  });
});
