import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exactOnlineConnector } from "@/lib/connectors/api/exact-online";
import { EXACT_DELIVERIES_PER_MINUTE } from "@/lib/connectors/api/exact-online/config";
import { emailConnector } from "@/lib/connectors/email";
import {
  DECLARED_DELIVERY_THROTTLES,
  deliveryThrottleRate,
  isConnectorAvailable,
  loadConnector,
} from "@/lib/connectors/registry";
import type { DeliveryThrottle } from "@/lib/connectors/types";
import { DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY } from "@/lib/dispatch/plan";
import { deliver } from "@/lib/jobs/definitions/deliver";
import { CHANNELS, emailPackages, enableTestOnlyPackages, listPackages, type PackageId } from "@/lib/packages/catalog";

// The registry knows the packages the catalog shows; test-only ones are shown here so that they
// are checked with the rest.
enableTestOnlyPackages();
const PACKAGES = listPackages();

const cells = PACKAGES.flatMap((entry) => entry.channels.map((channel) => [entry.id as PackageId, channel] as const));

describe("connector registry", () => {
  it.each(cells)(
    "%s over %s resolves to a connector of that channel, or null while it is not built",
    async (id, channel) => {
      const connector = await loadConnector(id, channel);
      if (connector !== null) {
        expect(connector.channel).toBe(channel);
        expect(typeof connector.deliver).toBe("function");
        expect(typeof connector.check).toBe("function");
      }
    },
  );

  it.each(emailPackages().map((entry) => entry.id as PackageId))(
    "%s over e-mail uses the one e-mail connector",
    async (id) => {
      expect(await loadConnector(id, "email")).toBe(emailConnector);
      expect(await isConnectorAvailable(id, "email")).toBe(true);
    },
  );

  it("refuses an unknown channel loudly instead of returning nothing", async () => {
    await expect(loadConnector("yuki", "fax" as never)).rejects.toThrow(/unknown channel/);
  });

  it("refuses an unknown package on the API channel loudly", async () => {
    await expect(loadConnector("nope" as never, "api")).rejects.toThrow(/unknown package/);
  });
});

/**
 * The API packages whose connector has code: the folders under lib/connectors/api/ with an
 * index.ts, read from disk so that a new package's folder is checked without a line here.
 */
const API_FOLDER = fileURLToPath(new URL("../../../../lib/connectors/api/", import.meta.url));
const API_CONNECTORS = readdirSync(API_FOLDER, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(API_FOLDER, entry.name, "index.ts")))
  .map((entry) => entry.name)
  .sort();

describe("the API connector folders", () => {
  it("are the four API packages of the mission table, and any added since", () => {
    expect(API_CONNECTORS).toEqual(expect.arrayContaining(["exact-online", "syneton-dms", "wolters-kluwer", "yuki"]));
  });

  it.each(API_CONNECTORS)("%s is a catalog package on the API channel, and its connector has its id", async (id) => {
    expect(PACKAGES.find((entry) => entry.id === id)?.channels).toContain("api");
    expect((await loadConnector(id as PackageId, "api"))?.id).toBe(id);
  });
});

describe("isConnectorAvailable", () => {
  const everyCell = PACKAGES.flatMap((entry) => CHANNELS.map((channel) => [entry.id as PackageId, channel] as const));

  it.each(everyCell)("%s over %s: every FTP and mail package, and the API packages with code", async (id, channel) => {
    const expected = channel === "api" ? API_CONNECTORS.includes(id) : true;
    expect(await isConnectorAvailable(id, channel)).toBe(expected);
  });
});

describe("the delivery throttle", () => {
  const connectors = async () => {
    const loaded = await Promise.all(
      [...API_CONNECTORS.map((id) => [id, "api"] as const), ["yuki", "ftp"] as const, ["yuki", "email"] as const].map(
        ([id, channel]) => loadConnector(id as PackageId, channel),
      ),
    );
    return loaded.filter((connector) => connector !== null);
  };

  it("lists, for the deliver job, exactly the throttles the connectors declare", async () => {
    for (const connector of await connectors()) {
      expect(DECLARED_DELIVERY_THROTTLES[connector.id]).toBe(connector.deliveryThrottle);
    }
    expect(Object.keys(DECLARED_DELIVERY_THROTTLES)).toEqual(
      (await connectors()).filter((connector) => connector.deliveryThrottle).map((connector) => connector.id),
    );
  });

  it("is the deliver job's limit: the rate Exact Online declares, per throttle key", () => {
    expect(exactOnlineConnector.deliveryThrottle.deliveriesPerMinute).toBe(EXACT_DELIVERIES_PER_MINUTE);
    expect(DELIVERIES_PER_MINUTE_PER_THROTTLE_KEY).toBe(EXACT_DELIVERIES_PER_MINUTE);
    expect(deliver.throttle).toEqual({ key: "throttleKey", limit: EXACT_DELIVERIES_PER_MINUTE, period: "1m" });
  });

  it("follows the declared rate, and refuses two connectors that declare different rates", () => {
    const throttle = (deliveriesPerMinute: number): DeliveryThrottle => ({ deliveriesPerMinute, key: () => "k" });
    expect(deliveryThrottleRate({ a: throttle(12), b: throttle(12) })).toBe(12);
    expect(() => deliveryThrottleRate({ a: throttle(12), b: throttle(30) })).toThrow(/a: 12, b: 30/);
    expect(() => deliveryThrottleRate({ a: throttle(0) })).toThrow(/above 0/);
    // Nothing throttled: every key is a dispatch's own, and any limit holds.
    expect(deliveryThrottleRate({})).toBeGreaterThan(0);
  });
});
