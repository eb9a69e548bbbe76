import { describe, expect, it } from "vitest";
import { clientAddressOf, UNKNOWN_CLIENT } from "@/lib/http/client-address";

const headers = (values: Record<string, string>) => new Headers(values);

describe("clientAddressOf", () => {
  it("trusts no header without KOPPEL_TRUSTED_PROXIES", () => {
    expect(clientAddressOf(headers({ "x-forwarded-for": "203.0.113.7", "x-real-ip": "203.0.113.7" }), undefined)).toBe(
      UNKNOWN_CLIENT,
    );
  });
  it("takes the N-th entry from the right, ignoring what the client wrote further left", () => {
    const forged = headers({ "x-forwarded-for": "1.1.1.1, 203.0.113.7, 10.0.0.2" });
    expect(clientAddressOf(forged, 1)).toBe("10.0.0.2");
    expect(clientAddressOf(forged, 2)).toBe("203.0.113.7");
  });
  it("never uses X-Real-IP", () => {
    expect(clientAddressOf(headers({ "x-real-ip": "203.0.113.7" }), 1)).toBe(UNKNOWN_CLIENT);
  });
  it("is unknown when there are fewer entries than proxies, or the entry is not an address", () => {
    expect(clientAddressOf(headers({ "x-forwarded-for": "203.0.113.7" }), 2)).toBe(UNKNOWN_CLIENT);
    expect(clientAddressOf(headers({ "x-forwarded-for": "evil, not-an-ip" }), 1)).toBe(UNKNOWN_CLIENT);
  });
  it("drops a port some proxies add, and lower-cases IPv6", () => {
    expect(clientAddressOf(headers({ "x-forwarded-for": "203.0.113.7:51234" }), 1)).toBe("203.0.113.7");
    expect(clientAddressOf(headers({ "x-forwarded-for": "[2001:DB8::1]:443" }), 1)).toBe("2001:db8::1");
  });
});
